#!/usr/bin/env node
/**
 * Benchmark (not a test): what a key the app can use but never read (`expose: "use"`) costs.
 * In workerd through miniflare, one app Worker runs each operation three ways: over the
 * binding (`use`: the Secret Product Worker runs the helper), in the app (`versioned`: the
 * helper reads the key through the product and runs WebCrypto itself), and raw WebCrypto
 * with the key already imported (no read, no helper: the floor).
 *
 *   node bench/key-operations.mjs [--runs 5] [--samples 40] [--batch 10]
 *
 * workerd's clock ticks in whole milliseconds, so the Worker times batches of `batch`
 * operations back to back (raw WebCrypto, some microseconds each: batches 20 times larger);
 * p50 and p99 are over the per-operation time of each batch.
 * Goal: `use` at most 2x `versioned` at p50. `runKeyOperationsBench()` returns the rows so
 * `npm run bench` can include them.
 */
import { Miniflare } from "miniflare"
import { fileURLToPath } from "node:url"
import { stats } from "./lib/measure.mjs"
import { bundleAppAndProduct, importSources } from "./lib/workerd.mjs"
import { numberFlag } from "./lib/options.mjs"

const PRODUCT = "secret-product"
const APP = "bench-app"
const STORE = "bench-store"

export const OPERATIONS = ["hmac().sign", "jwt().sign", "jwt().verify", "aead().encrypt", "aead().decrypt"]
export const MODES = ["use", "versioned", "raw"]
/** Raw WebCrypto takes microseconds: its batches are this much larger, so the millisecond clock resolves them. */
const RAW_BATCH_FACTOR = 20

/** The declarations, written once: the app's bundle and Node's binding plan both evaluate this. */
const DECLARATIONS = `
const rotation = { everyDays: 30, retain: { mode: "retain_for", days: 14 } }
const use = { expose: "use" }
export const keys = {
  use: {
    hmac: secret.random({ name: "hmac", namespace: "use", rotation, consume: use }),
    jwt: secret.generated({ name: "jwt", namespace: "use", generate: "ES256", rotation, consume: use }),
    aead: secret.random({ name: "aead", namespace: "use", rotation, consume: use }),
  },
  versioned: {
    hmac: secret.random({ name: "hmac", namespace: "versioned", rotation }),
    jwt: secret.generated({ name: "jwt", namespace: "versioned", generate: "ES256", rotation }),
    aead: secret.random({ name: "aead", namespace: "versioned", rotation }),
  },
}`

/**
 * GET /?op=…&mode=…&samples=…&batch=…: per-operation milliseconds of each batch. Raw mode
 * imports the keys once from the values the bench gives it (BENCH_KEYS), outside the clock.
 */
const BENCH_APP = `
import { secret } from "./packages/modules/src/index.ts"
import { aead, hmac, jwt } from "./packages/modules/src/keys/index.ts"
${DECLARATIONS}
const data = new Uint8Array(1024).fill(7)
const claims = { sub: "user-1", scope: "orders:read" }
const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "")
const fromB64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))

async function helpers(mode) {
  const k = keys[mode]
  const token = jwt(k.jwt)
  const cipher = aead(k.aead)
  const signedToken = await token.sign(claims, { expiresIn: "1h" })
  const ciphertext = await cipher.encrypt(data)
  return {
    "hmac().sign": () => hmac(k.hmac).sign(data),
    "jwt().sign": () => token.sign(claims, { expiresIn: "1h" }),
    "jwt().verify": () => token.verify(signedToken),
    "aead().encrypt": () => cipher.encrypt(data),
    "aead().decrypt": () => cipher.decrypt(ciphertext),
  }
}

async function raw(env) {
  const given = JSON.parse(env.BENCH_KEYS)
  const hmacKey = await crypto.subtle.importKey("raw", fromB64(given.hmac), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
  const { alg: _alg, ...jwk } = JSON.parse(given.jwt)
  const ecdsa = { name: "ECDSA", namedCurve: "P-256" }
  const signKey = await crypto.subtle.importKey("jwk", jwk, ecdsa, false, ["sign"])
  const { d: _d, ...publicJwk } = jwk
  const verifyKey = await crypto.subtle.importKey("jwk", publicJwk, ecdsa, false, ["verify"])
  const aesKey = await crypto.subtle.importKey("raw", fromB64(given.aead), "AES-GCM", false, ["encrypt", "decrypt"])
  const es256 = { name: "ECDSA", hash: "SHA-256" }
  const input = new TextEncoder().encode(b64(new TextEncoder().encode('{"alg":"ES256","typ":"JWT","kid":"v1"}')) + "." + b64(new TextEncoder().encode(JSON.stringify(claims))))
  const signature = await crypto.subtle.sign(es256, signKey, input)
  const nonce = crypto.getRandomValues(new Uint8Array(12))
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, aesKey, data)
  return {
    "hmac().sign": () => crypto.subtle.sign("HMAC", hmacKey, data),
    "jwt().sign": () => crypto.subtle.sign(es256, signKey, input),
    "jwt().verify": () => crypto.subtle.verify(es256, verifyKey, signature, input),
    "aead().encrypt": () => crypto.subtle.encrypt({ name: "AES-GCM", iv: crypto.getRandomValues(new Uint8Array(12)) }, aesKey, data),
    "aead().decrypt": () => crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, aesKey, sealed),
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    const mode = url.searchParams.get("mode")
    const samples = Number(url.searchParams.get("samples"))
    const batch = Number(url.searchParams.get("batch"))
    const run = (mode === "raw" ? await raw(env) : await helpers(mode))[url.searchParams.get("op")]
    for (let i = 0; i < batch; i++) await run() // warm: isolates, key imports, memos
    const perOperation = []
    for (let s = 0; s < samples; s++) {
      const start = performance.now()
      for (let i = 0; i < batch; i++) await run()
      perOperation.push((performance.now() - start) / batch)
    }
    return Response.json({ perOperation })
  },
}`

async function loadModules() {
  const [envelope, plan, keysModule, modules] = await importSources(["envelope/index.ts", "binding-plan/index.ts", "keys/index.ts", "index.ts"])
    const declared = new Function("secret", `${DECLARATIONS.replace("export const keys", "const keys")}; return keys`)(modules.secret)
  return { envelope, plan, keys: keysModule, declared }
}

/** The p-th percentile (nearest rank) of sorted samples. */
function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

/**
 * @param {{ runs?: number, samples?: number, batch?: number }} options
 * @returns {Promise<{ operation: string, runs: number, samples: number, batch: number, p50: Record<string, {min:number,median:number,max:number}>, p99: Record<string, {min:number,median:number,max:number}>, useOverVersioned: {min:number,median:number,max:number} }[]>}
 */
export async function runKeyOperationsBench({ runs = 5, samples = 40, batch = 10 } = {}) {
  const { envelope, plan: planning, keys, declared } = await loadModules()
  const modules = [...Object.values(declared.use), ...Object.values(declared.versioned)]
  const physicalNameOf = (id) => `lo_bench_${id.replace("/", "_")}`
  const plan = planning.planBindings({
    declarations: modules.map((m) => m.declaration),
    physicalNames: Object.fromEntries(modules.map((m) => [m.declaration.id, physicalNameOf(m.declaration.id)])),
    sealingKeyPhysicalName: "lo_bench_sealing_key",
    storeId: STORE,
    productWorkerName: PRODUCT,
    backends: [{ id: "bench", workerName: APP, secrets: modules.map((m) => m.declaration.id) }],
  })
  // One value per purpose, stored under the use key and its versioned twin alike.
  const values = { hmac: envelope.randomValue(32), jwt: await keys.generateSigningKey("ES256"), aead: envelope.randomValue(32) }
  const options = planning.toMiniflareWorkerOptions(plan)
  const [appScript, productScript] = await bundleAppAndProduct(BENCH_APP, "bench-app.js")
  const mf = new Miniflare({
    secretsStorePersist: false,
    workers: [
      { name: APP, modules: true, script: appScript, compatibilityDate: "2026-04-01", ...options.apps[APP], bindings: { BENCH_KEYS: JSON.stringify(values) } },
      { modules: true, script: productScript, compatibilityDate: "2026-04-01", ...options.product },
    ],
  })
  try {
    const createdAt = new Date(Date.now() - 86_400_000).toISOString()
    for (const [purpose, value] of Object.entries(values)) {
      for (const mode of ["use", "versioned"]) {
        const binding = plan.product.manifest.secrets[declared[mode][purpose].declaration.id].binding
        await (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))().create(envelope.serializeEnvelope({ current: "v1", versions: { v1: { value, createdAt } } }))
      }
    }
    const measure = async (op, mode) => {
      const size = mode === "raw" ? batch * RAW_BATCH_FACTOR : batch
      const response = await mf.dispatchFetch(`http://bench/?${new URLSearchParams({ op, mode, samples: String(samples), batch: String(size) })}`)
      if (!response.ok) throw new Error(`bench request failed: ${op} ${mode}: ${response.status}`)
      const { perOperation } = await response.json()
      const sorted = [...perOperation].sort((a, b) => a - b)
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
    }
    const rows = []
    for (const operation of OPERATIONS) {
      const perRun = Object.fromEntries(MODES.map((mode) => [mode, []]))
      for (let run = 0; run < runs; run++) {
        // Rotate the order so no mode always runs first.
        for (let i = 0; i < MODES.length; i++) {
          const mode = MODES[(i + run) % MODES.length]
          perRun[mode].push(await measure(operation, mode))
        }
      }
      const spread = (mode, p) => stats(perRun[mode].map((m) => m[p]))
      rows.push({
        operation,
        runs,
        samples,
        batch,
        p50: Object.fromEntries(MODES.map((m) => [m, spread(m, "p50")])),
        p99: Object.fromEntries(MODES.map((m) => [m, spread(m, "p99")])),
        useOverVersioned: stats(perRun.use.map((u, i) => u.p50 / perRun.versioned[i].p50)),
      })
    }
    return rows
  } finally {
    await mf.dispose()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => numberFlag(process.argv, name, fallback)
  const rows = await runKeyOperationsBench({ runs: arg("runs", 5), samples: arg("samples", 40), batch: arg("batch", 10) })
  const us = (ms) => `${Math.round(ms * 1000)} µs`.padStart(8)
  console.log(`key operations, 1 KiB data: p50 / p99 per operation (medians of ${rows[0].runs} runs of ${rows[0].samples} batches of ${rows[0].batch})`)
  console.log(`${"operation".padEnd(16)} ${"use".padEnd(19)} ${"versioned".padEnd(19)} ${"raw WebCrypto".padEnd(19)} use/versioned p50`)
  for (const r of rows) {
    const cell = (mode) => `${us(r.p50[mode].median)} ${us(r.p99[mode].median)}  `
    console.log(`${r.operation.padEnd(16)} ${cell("use")} ${cell("versioned")} ${cell("raw")} ${r.useOverVersioned.median.toFixed(2)}x`)
  }
  const met = rows.every((r) => r.useOverVersioned.median <= 2)
  console.log(met ? "goal met: use within 2x of in-app (versioned) at p50" : "goal missed: use above 2x of in-app (versioned) at p50 for some operation")
}
