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
import { build } from "esbuild"
import { Miniflare } from "miniflare"
import { register } from "tsx/esm/api"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const src = (path) => new URL(`../packages/modules/src/${path}`, import.meta.url).href
const PRODUCT = "secret-product"
const STORE = "bench-store"
const KiB = 1024
const DAY = 86_400_000

/** The sources are TypeScript: load them through tsx, so no build is needed. */
async function loadModules() {
  const unregister = register()
  try {
    const [envelope, seal, plan] = await Promise.all([import(src("envelope/index.ts")), import(src("seal/index.ts")), import(src("binding-plan/index.ts"))])
    return { envelope, seal, plan }
  } finally {
    await unregister()
  }
}

async function bundle(options) {
  const result = await build({ bundle: true, format: "esm", platform: "neutral", target: "es2022", external: ["cloudflare:*"], write: false, logLevel: "silent", ...options })
  return result.outputFiles[0].text
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
    let length = 0
    const start = performance.now()
    for (let i = 0; i < n; i++) length += (await read()).length
    return Response.json({ ms: performance.now() - start, length })
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

  const sealedVersions = versions(10, 32)
  for (let i = 1; i <= 9; i++) {
    const id = `v${i}`
    const { value, ...times } = sealedVersions[id]
    sealedVersions[id] = { sealed: await seal.seal(sealing.publicKey, value, { physicalName: physicalNameOf("bench/sealed"), versionId: id }), ...times }
  }

  // Grow version by version, keeping the last envelope that still fits Cloudflare's limit.
  let large = { current: "v1", versions: versions(1, 1024) }
  for (let count = 2; ; count++) {
    const next = { current: `v${count}`, versions: { ...large.versions, [`v${count}`]: { value: envelope.randomValue(1024), createdAt: iso(now) } } }
    if (envelope.serializedByteLength(next) > 64 * KiB) break
    large = next
  }

  return [
    { name: "plain value", id: "bench/plain", text: envelope.randomValue(32) },
    { name: "envelope, 10 versions", id: "bench/ten", text: envelope.serializeEnvelope(tenVersions) },
    { name: "envelope, 9 sealed + current", id: "bench/sealed", text: envelope.serializeEnvelope({ current: "v10", versions: sealedVersions }) },
    { name: "envelope, sealed version('v1')", id: "bench/sealed", version: "v1" },
    { name: `envelope, ${(envelope.serializedByteLength(large) / KiB).toFixed(1)} KiB`, id: "bench/large", text: envelope.serializeEnvelope(large) },
  ]
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] }
}

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
    appWorkerNames: ["bench-app"],
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
    const put = async (binding, text) => (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))().create(text)
    await put(plan.product.manifest.sealingKeyBinding, JSON.stringify(sealing.privateKey))
    for (const c of cases) if (c.text !== undefined) await put(bindingOf(c.id), c.text)

    const measure = async (c, mode) => {
      const query = new URLSearchParams({ n: String(n), id: c.id, binding: bindingOf(c.id), mode, ...(c.version ? { version: c.version } : {}) })
      const response = await mf.dispatchFetch(`http://bench/?${query}`)
      const body = await response.json()
      if (!response.ok || typeof body.ms !== "number") throw new Error(`bench request failed: ${response.status}`)
      return body.ms / n
    }

    const rows = []
    for (const c of cases) {
      await measure(c, "product") // warm up: isolates, memoized parse and unseal
      await measure(c, "raw")
      const raw = []
      const product = []
      for (let run = 0; run < runs; run++) {
        // Alternate the order so neither side always runs second.
        if (run % 2 === 0) {
          raw.push(await measure(c, "raw"))
          product.push(await measure(c, "product"))
        } else {
          product.push(await measure(c, "product"))
          raw.push(await measure(c, "raw"))
        }
      }
      const rawStats = stats(raw)
      const productStats = stats(product)
      // Each run's pair was measured back to back: their ratios give the spread of the ratio itself.
      const ratioPerRun = stats(product.map((p, i) => p / raw[i]))
      rows.push({ case: c.name, n, runs, rawMsPerRead: rawStats, productMsPerRead: productStats, ratio: productStats.median / rawStats.median, ratioPerRun })
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
