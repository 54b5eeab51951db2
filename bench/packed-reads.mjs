#!/usr/bin/env node
/**
 * Benchmark (not a test): 100 declarations of one environment read through the Secret Product
 * Worker, packed (docs/design.md#packing) against unpacked, in workerd through miniflare. Two
 * product Workers run side by side over the same envelopes: one binds 100 secrets and the
 * sealing key, the other the packs and the sealing key. Each app Worker times itself (workerd's
 * clock advances across I/O).
 *
 * - warm: requests read `current().text()` of all 100 in turn, N reads per run in 4 slices
 *   interleaved with the other side's, after a warm-up request (the parse memos hold every
 *   text).
 * - cold, every text new: all 100 rotated, then one request reads each once (a fresh
 *   isolate's first reads): unpacked parses 100 envelopes; packed checks each pack once and
 *   validates each member's envelope.
 * - cold, after one rotation: the one read right after a member's text changed: unpacked, one
 *   envelope is parsed afresh; packed, the whole pack is checked afresh, then the member (the
 *   packed worst case). One read per request: workerd's clock moves in whole milliseconds, so
 *   this is a mean over several rotations per run.
 *
 *   node bench/packed-reads.mjs [--runs 5] [--n 200]
 *
 * Goals (issue 28): at most 3 packs; warm reads within 1.2x of unpacked, cold within 2x.
 * The placement here is the bench's own (as few packs as fit, members spread evenly, each
 * leaving every member room for one more version of its size); the CLI's planner decides it
 * for real deploys.
 */
import { Miniflare } from "miniflare"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"
import { stats } from "./lib/measure.mjs"
import { bundleForWorkerd, loadModuleSources, modulesSource } from "./lib/workerd.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const COUNT = 100
const PARTS = { workspace: "bench", project: "packing", environment: "production" }
const STORE = "bench-store"
const DAY = 86_400_000
const IDS = Array.from({ length: COUNT }, (_, i) => `bench/key-${String(i + 1).padStart(3, "0")}`)

/**
 * `mode=sweep&n=N`: N reads over every id in turn; `mode=one&id=ID`: one read; `mode=raw&n=N&bindings=A,B…`:
 * N raw `get()` over those Secrets Store bindings in turn (the store's own cost, no product).
 */
const BENCH_APP = `
import { createSecretReaders } from "./packages/modules/src/runtime/index.ts"
const IDS = ${JSON.stringify(IDS)}
const readers = new Map()
const readerOf = (id) => {
  let r = readers.get(id)
  if (r === undefined) {
    r = createSecretReaders({ kind: "random", namespace: "bench", name: id.split("/")[1], id, format: "base64url", expose: "versioned" })
    readers.set(id, r)
  }
  return r
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const mode = url.searchParams.get("mode")
    const ids = mode === "one" ? [url.searchParams.get("id")] : IDS
    const bindings = mode === "raw" ? url.searchParams.get("bindings").split(",") : []
    const n = mode === "one" ? 1 : Number(url.searchParams.get("n"))
    const read = mode === "raw" ? (i) => env[bindings[i % bindings.length]].get() : (i) => readerOf(ids[i % ids.length]).current().text()
    const values = new Array(n)
    const start = performance.now()
    for (let i = 0; i < n; i++) values[i] = await read(i)
    const ms = performance.now() - start
    // Checked after the clock stops: which values came back, by digest.
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(values.join("\\n"))))].map((b) => b.toString(16).padStart(2, "0")).join("")
    return Response.json({ ms, count: values.length, digest })
  },
}`

const sha256 = (text) => createHash("sha256").update(text, "utf8").digest("hex")

/**
 * @param {{ runs?: number, n?: number, coldRounds?: number }} options
 */
export async function runPackedReadsBench({ runs = 5, n = 200, coldRounds = 10 } = {}) {
  if (![runs, n, coldRounds].every((x) => Number.isInteger(x) && x >= 1)) throw new TypeError("runs, n and coldRounds must be positive integers")
  const [envelope, seal, plan, naming, pack] = await loadModuleSources(["envelope/index.ts", "seal/index.ts", "binding-plan/index.ts", "naming/index.ts", "pack/index.ts"])
  const sealing = await seal.generateSealingKeyPair()
  const names = Object.fromEntries(await Promise.all(IDS.map(async (id) => [id, await naming.physicalName({ ...PARTS, namespace: "bench", name: id.split("/")[1] })])))
  const sealingName = await naming.physicalName({ ...PARTS, namespace: "layeron", name: "sealing-key" })

  // Every member as a rotated secret keeps it: the current version plain, the previous one sealed.
  const now = Date.now()
  const iso = (ms) => new Date(ms).toISOString()
  const current = new Map()
  const envelopes = new Map()
  const envelopeOf = async (id, value) => {
    const previous = await seal.seal(sealing.publicKey, envelope.randomValue(32), { physicalName: names[id], versionId: "v1" })
    return { current: "v2", versions: { v1: { sealed: previous, createdAt: iso(now - 30 * DAY), expiresAt: iso(now + 14 * DAY) }, v2: { value, createdAt: iso(now - DAY) } } }
  }
  for (const id of IDS) {
    current.set(id, envelope.randomValue(32))
    envelopes.set(id, await envelopeOf(id, current.get(id)))
  }

  // As few packs as fit, members in id order spread evenly over them (smaller packs are cheaper
  // to fetch and to parse); a member takes its size twice, leaving room for its next version.
  const room = async (index) => pack.PACK_MAX_BYTES - pack.emptyPackByteLength(await pack.packPhysicalName(PARTS.workspace, PARTS.project, PARTS.environment, index))
  const need = (ids) => ids.reduce((sum, id) => sum + 2 * pack.packMemberByteLength(id, envelopes.get(id)), 0)
  let placements
  for (let count = 1; placements === undefined; count++) {
    if (count > IDS.length) throw new Error("a member alone does not fit a pack")
    const size = Math.ceil(IDS.length / count)
    const runs = Array.from({ length: count }, (_, index) => IDS.slice(index * size, (index + 1) * size)).filter((ids) => ids.length > 0)
    const fits = await Promise.all(runs.map(async (ids, index) => need(ids) <= (await room(index))))
    if (fits.every(Boolean)) placements = await Promise.all(runs.map(async (members, index) => ({ physicalName: await pack.packPhysicalName(PARTS.workspace, PARTS.project, PARTS.environment, index), members })))
  }
  const packText = (placement) => pack.serializePack({ format: pack.PACK_FORMAT, pack: placement.physicalName, members: Object.fromEntries(placement.members.map((id) => [id, envelopes.get(id)])) })
  const packOf = (id) => placements.find((p) => p.members.includes(id))

  const planFor = (productWorkerName, appWorkerName, packs) =>
    plan.planBindings({
      declarations: IDS.map((id) => ({ kind: "random", namespace: "bench", name: id.split("/")[1], id, format: "base64url", expose: "versioned" })),
      physicalNames: names,
      sealingKeyPhysicalName: sealingName,
      storeId: STORE,
      productWorkerName,
      backends: [{ id: appWorkerName, workerName: appWorkerName, secrets: IDS }],
      ...(packs ? { packs } : {}),
    })
  const plans = { unpacked: planFor("product-unpacked", "app-unpacked"), packed: planFor("product-packed", "app-packed", placements) }
  const [appScript, productScript] = await Promise.all([
    bundleForWorkerd({ stdin: { contents: BENCH_APP, resolveDir: root, loader: "js", sourcefile: "bench-app.js" } }),
    bundleForWorkerd({ entryPoints: [fileURLToPath(modulesSource("worker/index.ts"))] }),
  ])
  const workers = []
  for (const [shape, p] of Object.entries(plans)) {
    const options = plan.toMiniflareWorkerOptions(p)
    // The app also binds the product's secrets directly, for the raw reads.
    workers.push({ name: `app-${shape}`, modules: true, script: appScript, compatibilityDate: "2026-04-01", ...options.apps[`app-${shape}`], secretsStoreSecrets: options.product.secretsStoreSecrets })
    workers.push({ modules: true, script: productScript, compatibilityDate: "2026-04-01", ...options.product })
  }
  const mf = new Miniflare({ secretsStorePersist: false, workers })
  try {
    /** What each physical secret holds now, by name. */
    const stored = new Map()
    const bindingOf = (shape, secretName) => plans[shape].product.secretsStoreSecrets.find((s) => s.secretName === secretName).binding
    const put = async (shape, secretName, text) => {
      await (await mf.getSecretsStoreSecretAPI(bindingOf(shape, secretName), plans[shape].product.workerName))().create(text)
      stored.set(secretName, text)
    }
    await put("unpacked", sealingName, JSON.stringify(sealing.privateKey))
    await put("packed", sealingName, JSON.stringify(sealing.privateKey))
    for (const id of IDS) await put("unpacked", names[id], envelope.serializeEnvelope(envelopes.get(id)))
    for (const placement of placements) await put("packed", placement.physicalName, packText(placement))

    /** One request; its values are checked against what every read must return. */
    const measure = async (shape, query, expected) => {
      const response = await (await mf.getWorker(`app-${shape}`)).fetch(`http://bench/?${new URLSearchParams(query)}`)
      const body = await response.json()
      if (!response.ok || typeof body.ms !== "number") throw new Error(`bench request to app-${shape} failed: ${response.status}`)
      if (body.count !== expected.length || body.digest !== sha256(expected.join("\n"))) throw new Error(`app-${shape}: the reads did not return the current values (${body.count} reads)`)
      return body.ms / body.count
    }
    // A slice of the N reads; a run is SLICES slices per side, interleaved, so a burst of load
    // on this shared machine falls on both sides alike.
    const SLICES = 4
    const slice = Math.max(1, Math.round(n / SLICES))
    const sweep = (shape, reads = slice) => measure(shape, { mode: "sweep", n: String(reads) }, Array.from({ length: reads }, (_, i) => current.get(IDS[i % COUNT])))
    // The physical secrets the 100 live in: 100 envelopes, or the packs.
    const physical = { unpacked: IDS.map((id) => names[id]), packed: placements.map((p) => p.physicalName) }
    const rawSweep = (shape) => measure(shape, { mode: "raw", n: String(slice), bindings: physical[shape].map((name) => bindingOf(shape, name)).join(",") }, Array.from({ length: slice }, (_, i) => stored.get(physical[shape][i % physical[shape].length])))

    await sweep("unpacked", COUNT) // warm up: isolates and every parse memo
    await sweep("packed", COUNT)
    const warm = { unpacked: [], packed: [] }
    const raw = { unpacked: [], packed: [] }
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length
    for (let run = 0; run < runs; run++) {
      const perRun = { warm: { unpacked: [], packed: [] }, raw: { unpacked: [], packed: [] } }
      for (let k = 0; k < SLICES; k++) {
        // Alternate the order so neither side always runs second.
        for (const shape of (run + k) % 2 === 0 ? ["unpacked", "packed"] : ["packed", "unpacked"]) {
          perRun.warm[shape].push(await sweep(shape))
          perRun.raw[shape].push(await rawSweep(shape))
        }
      }
      for (const shape of ["unpacked", "packed"]) {
        warm[shape].push(mean(perRun.warm[shape]))
        raw[shape].push(mean(perRun.raw[shape]))
      }
    }

    // Every text new (all 100 rotated): one sweep of the 100 parses each envelope, or each pack
    // once and each member's envelope, as a fresh isolate would.
    const sweepCold = { unpacked: [], packed: [] }
    for (let run = 0; run < runs; run++) {
      for (const id of IDS) {
        current.set(id, envelope.randomValue(32))
        envelopes.set(id, await envelopeOf(id, current.get(id)))
        await put("unpacked", names[id], envelope.serializeEnvelope(envelopes.get(id)))
      }
      for (const placement of placements) await put("packed", placement.physicalName, packText(placement))
      const all = IDS.map((id) => current.get(id))
      for (const shape of run % 2 === 0 ? ["unpacked", "packed"] : ["packed", "unpacked"]) sweepCold[shape].push(await measure(shape, { mode: "sweep", n: String(COUNT) }, all))
    }

    const cold = { unpacked: [], packed: [] }
    for (let run = 0, turn = 0; run < runs; run++) {
      const perRun = { unpacked: [], packed: [] }
      for (let round = 0; round < coldRounds; round++, turn++) {
        // A rotation of one member: a new current value, so no memo can have seen the text.
        const id = IDS[(turn * 37) % COUNT]
        current.set(id, envelope.randomValue(32))
        envelopes.set(id, await envelopeOf(id, current.get(id)))
        await put("unpacked", names[id], envelope.serializeEnvelope(envelopes.get(id)))
        await put("packed", packOf(id).physicalName, packText(packOf(id)))
        for (const shape of round % 2 === 0 ? ["unpacked", "packed"] : ["packed", "unpacked"]) perRun[shape].push(await measure(shape, { mode: "one", id }, [current.get(id)]))
      }
      for (const shape of ["unpacked", "packed"]) cold[shape].push(mean(perRun[shape]))
    }

    const ratioPerRun = (side) => stats(side.packed.map((p, i) => p / side.unpacked[i]))
    return {
      count: COUNT,
      packs: placements.map((p) => ({ name: p.physicalName, members: p.members.length, bytes: Buffer.byteLength(packText(p)) })),
      physicalSecrets: { unpacked: plans.unpacked.product.secretsStoreSecrets.length, packed: plans.packed.product.secretsStoreSecrets.length },
      runs,
      n,
      coldRounds,
      warm: { unpackedMsPerRead: stats(warm.unpacked), packedMsPerRead: stats(warm.packed), ratioPerRun: ratioPerRun(warm) },
      rawGet: { unpackedMsPerRead: stats(raw.unpacked), packedMsPerRead: stats(raw.packed), ratioPerRun: ratioPerRun(raw) },
      cold: { unpackedMsPerRead: stats(cold.unpacked), packedMsPerRead: stats(cold.packed), ratioPerRun: ratioPerRun(cold) },
      coldSweep: { unpackedMsPerRead: stats(sweepCold.unpacked), packedMsPerRead: stats(sweepCold.packed), ratioPerRun: ratioPerRun(sweepCold) },
    }
  } finally {
    await mf.dispose()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`)
    return i === -1 ? fallback : Number(process.argv[i + 1])
  }
  const r = await runPackedReadsBench({ runs: arg("runs", 5), n: arg("n", 200) })
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`
  const span = (s) => `${s.min.toFixed(2)}x ${s.median.toFixed(2)}x ${s.max.toFixed(2)}x`
  console.log(`${r.count} declarations: ${r.physicalSecrets.unpacked} physical secrets unpacked, ${r.physicalSecrets.packed} packed (${r.packs.map((p) => `${p.members} members, ${(p.bytes / 1024).toFixed(1)} KiB`).join("; ")}, plus the sealing key)`)
  console.log(`warm, packed / unpacked (min median max): ${span(r.warm.ratioPerRun)} — ${us(r.warm.packedMsPerRead.median)} vs ${us(r.warm.unpackedMsPerRead.median)} per read`)
  console.log(`raw get(), pack / own secret (min median max): ${span(r.rawGet.ratioPerRun)} — ${us(r.rawGet.packedMsPerRead.median)} vs ${us(r.rawGet.unpackedMsPerRead.median)} per read`)
  console.log(`cold, every text new, packed / unpacked (min median max): ${span(r.coldSweep.ratioPerRun)} — ${us(r.coldSweep.packedMsPerRead.median)} vs ${us(r.coldSweep.unpackedMsPerRead.median)} per read`)
  console.log(`cold, packed / unpacked (min median max): ${span(r.cold.ratioPerRun)} — ${us(r.cold.packedMsPerRead.median)} vs ${us(r.cold.unpackedMsPerRead.median)} per read`)
}
