#!/usr/bin/env node
/**
 * Benchmark (not a test): reads through the Secret Product Worker against raw Secrets Store
 * reads, in workerd through miniflare. Inside one app Worker request it performs N reads of
 * `current().text()` through the product, and in another N raw `await env.BINDING.get()` on
 * the same secret; the Worker times itself (workerd's clock advances across I/O).
 *
 *   node bench/runtime-reads.mjs [--runs 5] [--n 200]
 *
 * Goal: the product within 1.5x of raw for the plain value and the 10-version envelope.
 * `runRuntimeReadsBench({ runs, n })` returns the rows so `npm run bench` can include them.
 */
import { Miniflare } from "miniflare"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"
import { stats } from "./lib/measure.mjs"
import { bundleForWorkerd as bundle, loadModuleSources, modulesSource as src } from "./lib/workerd.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const PRODUCT = "secret-product"
const STORE = "bench-store"
const KiB = 1024
const DAY = 86_400_000

/** The sources are TypeScript: load them through tsx, so no build is needed. */
async function loadModules() {
  const [envelope, seal, plan] = await loadModuleSources(["envelope/index.ts", "seal/index.ts", "binding-plan/index.ts"])
  return { envelope, seal, plan }
}

/** Runs N reads one way and reports the elapsed milliseconds. */
const BENCH_APP = `
import { createSecretReaders } from "./packages/modules/src/runtime/index.ts"
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const n = Number(url.searchParams.get("n"))
    const id = url.searchParams.get("id")
    const binding = url.searchParams.get("binding")
    const version = url.searchParams.get("version")
    const readers = createSecretReaders({ kind: "random", namespace: id.split("/")[0], name: id.split("/")[1], id, format: "base64url", expose: "versioned" })
    const read = url.searchParams.get("mode") === "raw"
      ? () => env[binding].get()
      : version ? () => readers.version(version).text() : () => readers.current().text()
    const values = new Array(n)
    const start = performance.now()
    for (let i = 0; i < n; i++) values[i] = await read()
    const ms = performance.now() - start
    // Checked after the clock stops: every read returned the same text, and which one (by digest).
    const same = values.every((value) => value === values[0])
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(values[0])))].map((b) => b.toString(16).padStart(2, "0")).join("")
    return Response.json({ ms, count: values.length, same, digest })
  },
}`

/** The stored texts, one per case. */
async function buildCases({ envelope, seal }, sealing, physicalNameOf) {
  const now = Date.now()
  const iso = (ms) => new Date(ms).toISOString()
  const versions = (count, valueBytes) => {
    const out = {}
    for (let i = 1; i <= count; i++) {
      out[`v${i}`] = { value: envelope.randomValue(valueBytes), createdAt: iso(now - (count - i + 1) * DAY) }
    }
    return out
  }
  const tenVersions = { current: "v10", versions: versions(10, 32) }

  const plainVersions = versions(10, 32)
  /** The 9 older versions sealed afresh: a new sealed text each call, so the product's memo cannot have seen it. */
  const sealedEnvelope = async () => {
    const sealedVersions = { ...plainVersions }
    for (let i = 1; i <= 9; i++) {
      const id = `v${i}`
      const { value, ...times } = plainVersions[id]
      sealedVersions[id] = { sealed: await seal.seal(sealing.publicKey, value, { physicalName: physicalNameOf("bench/sealed"), versionId: id }), ...times }
    }
    return envelope.serializeEnvelope({ current: "v10", versions: sealedVersions })
  }
  const sealedText = await sealedEnvelope()

  // Grow version by version, keeping the last envelope that still fits Cloudflare's limit.
  let large = { current: "v1", versions: versions(1, 1024) }
  for (let count = 2; ; count++) {
    const next = { current: `v${count}`, versions: { ...large.versions, [`v${count}`]: { value: envelope.randomValue(1024), createdAt: iso(now) } } }
    if (envelope.serializedByteLength(next) > 64 * KiB) break
    large = next
  }

  const plain = envelope.randomValue(32)
  // `expected`: what a product read must return; `stored`: what a raw get() must return.
  return [
    { name: "plain value", id: "bench/plain", text: plain, expected: plain },
    { name: "envelope, 10 versions", id: "bench/ten", text: envelope.serializeEnvelope(tenVersions), expected: tenVersions.versions.v10.value },
    { name: "envelope, 9 sealed + current", id: "bench/sealed", text: sealedText, expected: plainVersions.v10.value },
    { name: "envelope, sealed version('v1'), warm (memo hit)", id: "bench/sealed", version: "v1", stored: sealedText, expected: plainVersions.v1.value },
    // Each run stores a freshly sealed text first, so its one read parses and unseals (no memo).
    { name: "envelope, sealed version('v1'), cold (first read of a new sealed text)", id: "bench/sealed", version: "v1", expected: plainVersions.v1.value, cold: sealedEnvelope },
    { name: `envelope, ${(envelope.serializedByteLength(large) / KiB).toFixed(1)} KiB`, id: "bench/large", text: envelope.serializeEnvelope(large), expected: large.versions[large.current].value },
  ]
}

const sha256 = (text) => createHash("sha256").update(text, "utf8").digest("hex")

/**
 * @param {{ runs?: number, n?: number }} options
 * @returns {Promise<{ case: string, n: number, runs: number, rawMsPerRead: {min:number,median:number,max:number}, productMsPerRead: {min:number,median:number,max:number}, ratio: number, ratioPerRun: {min:number,median:number,max:number} }[]>}
 */
export async function runRuntimeReadsBench({ runs = 5, n = 200 } = {}) {
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(n) || n < 1) throw new TypeError("runs and n must be positive integers")
  const modules = await loadModules()
  const ids = ["bench/plain", "bench/ten", "bench/sealed", "bench/large"]
  const physicalNameOf = (id) => `lo_bench_${id.split("/")[1]}`
  const sealing = await modules.seal.generateSealingKeyPair()
  const cases = await buildCases(modules, sealing, physicalNameOf)

  const plan = modules.plan.planBindings({
    declarations: ids.map((id) => ({ kind: "random", namespace: "bench", name: id.split("/")[1], id, format: "base64url", expose: "versioned" })),
    physicalNames: Object.fromEntries(ids.map((id) => [id, physicalNameOf(id)])),
    sealingKeyPhysicalName: "lo_bench_sealing_key",
    storeId: STORE,
    productWorkerName: PRODUCT,
    backends: [{ id: "bench", workerName: "bench-app", secrets: ids }],
  })
  const options = modules.plan.toMiniflareWorkerOptions(plan)
  const [appScript, productScript] = await Promise.all([
    bundle({ stdin: { contents: BENCH_APP, resolveDir: root, loader: "js", sourcefile: "bench-app.js" } }),
    bundle({ entryPoints: [fileURLToPath(src("worker/index.ts"))] }),
  ])
  const mf = new Miniflare({
    secretsStorePersist: false,
    workers: [
      // The app also binds every secret directly, for the raw reads.
      { name: "bench-app", modules: true, script: appScript, compatibilityDate: "2026-04-01", ...options.apps["bench-app"], secretsStoreSecrets: options.product.secretsStoreSecrets },
      { modules: true, script: productScript, compatibilityDate: "2026-04-01", ...options.product },
    ],
  })
  try {
    const bindingOf = (id) => plan.product.manifest.secrets[id].binding
    const storedIds = new Map()
    const put = async (binding, text) => {
      const admin = (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))()
      const id = storedIds.get(binding)
      storedIds.set(binding, id === undefined ? await admin.create(text) : await admin.update(text, id))
    }
    await put(plan.product.manifest.sealingKeyBinding, JSON.stringify(sealing.privateKey))
    /** What each binding holds now: the text a raw get() must return. */
    const storedText = new Map()
    const store = async (c, text) => {
      await put(bindingOf(c.id), text)
      storedText.set(c.id, text)
    }
    for (const c of cases) if (c.text !== undefined) await store(c, c.text)

    /** One request of `reads` reads; every read's result is checked against what it must be. */
    const measure = async (c, mode, reads = n) => {
      const query = new URLSearchParams({ n: String(reads), id: c.id, binding: bindingOf(c.id), mode, ...(c.version ? { version: c.version } : {}) })
      const response = await mf.dispatchFetch(`http://bench/?${query}`)
      const body = await response.json()
      if (!response.ok || typeof body.ms !== "number") throw new Error(`bench request failed: ${response.status}`)
      const want = mode === "raw" ? storedText.get(c.id) : c.expected
      if (body.count !== reads || !body.same || body.digest !== sha256(want)) {
        throw new Error(`${c.name} (${mode}): the reads did not return the ${mode === "raw" ? "stored text" : "expected version's value"} (${body.count} reads, all same: ${body.same})`)
      }
      return body.ms / reads
    }

    const rows = []
    for (const c of cases) {
      if (!c.cold) {
        await measure(c, "product") // warm up: isolates, memoized parse and unseal
        await measure(c, "raw")
      }
      const raw = []
      const product = []
      for (let run = 0; run < runs; run++) {
        // A cold case reads once per run, right after its secret got a freshly sealed text.
        if (c.cold) {
          const fresh = await c.cold()
          if (fresh === storedText.get(c.id)) throw new Error(`${c.name}: the new sealed text is the one already stored, so the read would hit the memo`)
          await store(c, fresh)
        }
        const reads = c.cold ? 1 : n
        // Alternate the order so neither side always runs second (a cold product read goes first: it is the one that must miss the memo).
        if (run % 2 === 0 && !c.cold) {
          raw.push(await measure(c, "raw", reads))
          product.push(await measure(c, "product", reads))
        } else {
          product.push(await measure(c, "product", reads))
          raw.push(await measure(c, "raw", reads))
        }
      }
      const rawStats = stats(raw)
      const productStats = stats(product)
      // Each run's pair was measured back to back: their ratios give the spread of the ratio itself.
      const ratioPerRun = stats(product.map((p, i) => p / raw[i]))
      rows.push({ case: c.name, n: c.cold ? 1 : n, runs, rawMsPerRead: rawStats, productMsPerRead: productStats, ratio: productStats.median / rawStats.median, ratioPerRun })
    }
    return rows
  } finally {
    await mf.dispose()
  }
}

function printRows(rows) {
  const f = (ms) => ms.toFixed(3).padStart(7)
  const lines = [
    `runtime reads: ms per read, ${rows[0]?.runs} runs of ${rows[0]?.n} reads in one request (min / median / max)`,
    `${"case".padEnd(34)} ${"raw get()".padEnd(25)} ${"through the product".padEnd(25)} ratio`,
  ]
  for (const r of rows) {
    const span = (s) => `${f(s.min)} ${f(s.median)} ${f(s.max)}`
    lines.push(`${r.case.padEnd(34)} ${span(r.rawMsPerRead)}   ${span(r.productMsPerRead)}   ${r.ratio.toFixed(2)}x`)
  }
  console.log(lines.join("\n"))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`)
    return i === -1 ? fallback : Number(process.argv[i + 1])
  }
  const rows = await runRuntimeReadsBench({ runs: arg("runs", 5), n: arg("n", 200) })
  printRows(rows)
  const goal = rows.filter((r) => r.case === "plain value" || r.case === "envelope, 10 versions")
  const met = goal.every((r) => r.ratio <= 1.5)
  console.log(met ? "goal met: plain and envelope reads within 1.5x of raw" : "goal missed: plain or envelope reads above 1.5x of raw")
}
