#!/usr/bin/env node
/**
 * Benchmark (not a test), section "signing-rotation" of `npm run bench`, in two parts:
 *
 * 1. Rotation under load: examples/shop in `layer dev`, a continuous stream of
 *    sign-then-verify requests (HMAC webhooks, ES256 sessions) plus verifications of what was
 *    signed before the rotation, with `layer secret rotate --apply --yes` in the middle
 *    (test/helpers/signing-load.mjs, the same stream the e2e test asserts on). Reports the
 *    failed verifications (goal 0), the requests served and each route's median latency.
 * 2. Helper against raw WebCrypto, in the same run: in workerd through miniflare, one app
 *    Worker request performs N signs (or verifies, encryptions or decryptions of 1 KiB)
 *    through `hmac()`/`jwt()`/`aead()` and, in another, N done by hand the way an app would
 *    without the helpers: read the version through the product (`current().resolve()`, or
 *    `version(kid)`), `crypto.subtle.importKey`, then `sign`/`verify`/`encrypt`/`decrypt`. Both read the key through the product for every operation, as a key
 *    that rotates must be read. Goal: the helper within 1.5x of the hand-written code.
 *
 *   node bench/signing-rotation.mjs [--runs 5] [--quick]
 */
import { Miniflare } from "miniflare"
import { fileURLToPath } from "node:url"
import { describeFailure, measuredRow, notMeasuredRow } from "./lib/rows.mjs"
import { stats } from "./lib/measure.mjs"
import { bundleAppAndProduct, importSources } from "./lib/workerd.mjs"
import { removeProject, runSigningRotation } from "../test/helpers/signing-load.mjs"

export const name = "signing-rotation"

const PRODUCT = "secret-product"

/** Runs N operations one way in one request; the token or signature to verify is made first. */
const BENCH_APP = `
import { createSecretReaders } from "./packages/modules/src/runtime/index.ts"
import { aead, hmac, jwt } from "./packages/modules/src/keys/index.ts"
const declarations = {
  hmac: { kind: "random", namespace: "bench", name: "hmac", id: "bench/hmac", format: "base64url", expose: "versioned", bytes: 32 },
  aead: { kind: "random", namespace: "bench", name: "aead", id: "bench/aead", format: "base64url", expose: "versioned", bytes: 32 },
  es256: { kind: "generated", namespace: "bench", name: "es256", id: "bench/es256", format: "text", expose: "versioned", generate: "ES256" },
}
const secretOf = (key) => ({ declaration: declarations[key], ...createSecretReaders(declarations[key]) })
const encoder = new TextEncoder()
const ES256 = { name: "ECDSA", namedCurve: "P-256" }
const ES256_SIGN = { name: "ECDSA", hash: "SHA-256" }
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "")
const unb64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))
const jwkOf = (text) => { const { alg, ...jwk } = JSON.parse(text); return jwk }

const helper = {
  "hmac sign": (s, data) => hmac(s).sign(data),
  "hmac verify": (s, data, made) => hmac(s).verify(data, made.signature, made.kid),
  "jwt ES256 sign": (s) => jwt(s).sign({ sub: "bench" }, { expiresIn: 900 }),
  "jwt ES256 verify": (s, _data, made) => jwt(s).verify(made),
  "aead encrypt 1 KiB": (s, data) => aead(s).encrypt(data),
  "aead decrypt 1 KiB": (s, _data, made) => aead(s).decrypt(made),
}
const raw = {
  async "hmac sign"(s, data) {
    const key = await s.current().resolve()
    const k = await crypto.subtle.importKey("raw", await key.bytes(), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
    return { signature: b64url(await crypto.subtle.sign("HMAC", k, encoder.encode(data))), kid: key.version }
  },
  async "hmac verify"(s, data, made) {
    const key = await s.version(made.kid).resolve()
    const k = await crypto.subtle.importKey("raw", await key.bytes(), { name: "HMAC", hash: "SHA-256" }, false, ["verify"])
    return { valid: await crypto.subtle.verify("HMAC", k, unb64url(made.signature), encoder.encode(data)) }
  },
  async "jwt ES256 sign"(s) {
    const key = await s.current().resolve()
    const k = await crypto.subtle.importKey("jwk", jwkOf(await key.text()), ES256, false, ["sign"])
    const iat = Math.floor(Date.now() / 1000)
    const input = b64url(encoder.encode(JSON.stringify({ alg: "ES256", typ: "JWT", kid: key.version }))) + "." + b64url(encoder.encode(JSON.stringify({ sub: "bench", iat, exp: iat + 900 })))
    return input + "." + b64url(await crypto.subtle.sign(ES256_SIGN, k, encoder.encode(input)))
  },
  async "jwt ES256 verify"(s, _data, token) {
    const [h, p, sig] = token.split(".")
    const header = JSON.parse(new TextDecoder().decode(unb64url(h)))
    const key = await s.version(header.kid).resolve()
    const { d, ...publicJwk } = jwkOf(await key.text())
    const k = await crypto.subtle.importKey("jwk", publicJwk, ES256, false, ["verify"])
    if (!(await crypto.subtle.verify(ES256_SIGN, k, unb64url(sig), encoder.encode(h + "." + p)))) throw new Error("invalid")
    const claims = JSON.parse(new TextDecoder().decode(unb64url(p)))
    if (claims.exp <= Date.now() / 1000) throw new Error("expired")
    return claims
  },
  // By hand: the version id beside the nonce and ciphertext, the stored bytes as the AES key.
  async "aead encrypt 1 KiB"(s, data) {
    const key = await s.current().resolve()
    const k = await crypto.subtle.importKey("raw", await key.bytes(), "AES-GCM", false, ["encrypt"])
    const iv = crypto.getRandomValues(new Uint8Array(12))
    return key.version + "." + b64url(iv) + "." + b64url(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, k, encoder.encode(data)))
  },
  async "aead decrypt 1 KiB"(s, _data, made) {
    const [version, iv, sealed] = made.split(".")
    const key = await s.version(version).resolve()
    const k = await crypto.subtle.importKey("raw", await key.bytes(), "AES-GCM", false, ["decrypt"])
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64url(iv) }, k, unb64url(sealed)))
  },
}
/** The operation whose output an operation takes: made once per request, the same way as measured. */
const MADE_BY = { "hmac verify": "hmac sign", "jwt ES256 verify": "jwt ES256 sign", "aead decrypt 1 KiB": "aead encrypt 1 KiB" }

export default {
  async fetch(request) {
    const url = new URL(request.url)
    const n = Number(url.searchParams.get("n"))
    const op = url.searchParams.get("op")
    const s = secretOf(op.startsWith("hmac") ? "hmac" : op.startsWith("aead") ? "aead" : "es256")
    const data = op.startsWith("aead") ? "x".repeat(1024) : '{"event":"order.paid","id":42}'
    const ways = url.searchParams.get("mode") === "raw" ? raw : helper
    // What a verify checks is made once, by the helper (raw and helper signatures are the same
    // format); a ciphertext to decrypt is made the way it is decrypted (the formats differ).
    const maker = MADE_BY[op] && (op.startsWith("aead") ? ways : helper)[MADE_BY[op]]
    const made = maker ? await maker(s, data) : undefined
    const run = ways[op]
    for (let i = 0; i < n; i++) await run(s, data, made)
    return Response.json({ ok: true })
  },
}`

const OPS = ["hmac sign", "hmac verify", "jwt ES256 sign", "jwt ES256 verify", "aead encrypt 1 KiB", "aead decrypt 1 KiB"]

async function loadModules() {
  const [envelope, seal, plan, keys] = await importSources(["envelope/index.ts", "seal/index.ts", "binding-plan/index.ts", "keys/index.ts"])
  return { envelope, seal, plan, keys }
}

/**
 * Milliseconds per operation, helper and raw, `runs` pairs measured back to back (in
 * alternating order) from outside the Worker, N operations per request.
 */
export async function runHelperVsRaw({ runs = 5, n = 200 } = {}) {
  const { envelope, seal, plan: bindingPlan, keys } = await loadModules()
  const sealing = await seal.generateSealingKeyPair()
  const now = new Date().toISOString()
  const texts = {
    "bench/hmac": envelope.serializeEnvelope({ current: "v2", versions: { v1: { value: envelope.randomValue(32), createdAt: now }, v2: { value: envelope.randomValue(32), createdAt: now } } }),
    "bench/aead": envelope.serializeEnvelope({ current: "v2", versions: { v1: { value: envelope.randomValue(32), createdAt: now }, v2: { value: envelope.randomValue(32), createdAt: now } } }),
    "bench/es256": envelope.serializeEnvelope({ current: "v1", versions: { v1: { value: await keys.generateSigningKey("ES256"), createdAt: now }, v2: { value: await keys.generateSigningKey("ES256") } } }),
  }
  const ids = Object.keys(texts)
  const physicalNameOf = (id) => `lo_bench_${id.split("/")[1]}`
  const plan = bindingPlan.planBindings({
    declarations: [
      { kind: "random", namespace: "bench", name: "hmac", id: "bench/hmac", format: "base64url", expose: "versioned", bytes: 32 },
      { kind: "random", namespace: "bench", name: "aead", id: "bench/aead", format: "base64url", expose: "versioned", bytes: 32 },
      { kind: "generated", namespace: "bench", name: "es256", id: "bench/es256", format: "text", expose: "versioned", generate: "ES256" },
    ],
    physicalNames: Object.fromEntries(ids.map((id) => [id, physicalNameOf(id)])),
    sealingKeyPhysicalName: "lo_bench_sealing_key",
    storeId: "bench-store",
    productWorkerName: PRODUCT,
    backends: [{ id: "bench", workerName: "bench-app", secrets: ids }],
  })
  const options = bindingPlan.toMiniflareWorkerOptions(plan)
  const [appScript, productScript] = await bundleAppAndProduct(BENCH_APP, "bench-signing-app.js")
  const mf = new Miniflare({
    secretsStorePersist: false,
    workers: [
      { name: "bench-app", modules: true, script: appScript, compatibilityDate: "2026-04-01", ...options.apps["bench-app"] },
      { modules: true, script: productScript, compatibilityDate: "2026-04-01", ...options.product },
    ],
  })
  try {
    const put = async (binding, text) => (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))().create(text)
    await put(plan.product.manifest.sealingKeyBinding, JSON.stringify(sealing.privateKey))
    for (const id of ids) await put(plan.product.manifest.secrets[id].binding, texts[id])
    const measure = async (op, mode) => {
      const started = process.hrtime.bigint()
      const response = await mf.dispatchFetch(`http://bench/?${new URLSearchParams({ n: String(n), op, mode })}`)
      const body = await response.json()
      if (!response.ok || body.ok !== true) throw new Error(`bench request failed: ${response.status}`)
      return Number(process.hrtime.bigint() - started) / 1e6 / n
    }
    const results = []
    for (const op of OPS) {
      await measure(op, "helper") // warm up: isolates, memos
      await measure(op, "raw")
      const helperMs = []
      const rawMs = []
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) {
          rawMs.push(await measure(op, "raw"))
          helperMs.push(await measure(op, "helper"))
        } else {
          helperMs.push(await measure(op, "helper"))
          rawMs.push(await measure(op, "raw"))
        }
      }
      results.push({ op, n, runs, helperMs: stats(helperMs), rawMs: stats(rawMs), ratio: stats(helperMs.map((h, i) => h / rawMs[i])) })
    }
    return results
  } finally {
    await mf.dispose()
  }
}

const us = (ms) => `${(ms * 1000).toFixed(0)} µs`
const single = (value) => ({ min: value, median: value, max: value })

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  const rows = []
  const load = "rotate --apply under a sign-then-verify stream (layer dev)"
  try {
    const result = await runSigningRotation({ concurrency: 4, beforeMs: quick ? 1_500 : 3_000, afterMs: quick ? 1_500 : 3_000 })
    await removeProject(result.project)
    const median = (list) => us(stats(list).median)
    const { latency } = result
    const detail = `1 session; rotated ${result.rotated.length} secrets; HMAC sign ${median(latency.hmacSign)}, verify ${median(latency.hmacVerify)}, JWT sign ${median(latency.jwtSign)}, verify ${median(latency.jwtVerify)} per HTTP request (median); relying party verified ${result.relyingParty.afterRotation} post-rotation tokens from a JWKS cached before it`
    rows.push(measuredRow({ section: name, measure: `${load}: failed verifications`, unit: "count", spread: single(result.failures.length), runs: 1, goal: { atMost: 0, of: "max" }, detail }))
    rows.push(measuredRow({ section: name, measure: `${load}: requests served`, unit: "count", spread: single(result.served), runs: 1, detail: `${result.oldVerified} of them verified what was signed before the rotation` }))
  } catch (error) {
    rows.push(notMeasuredRow({ section: name, measure: `${load}: failed verifications`, unit: "count", goal: { atMost: 0, of: "max" }, reason: describeFailure(error) }))
  }
  try {
    for (const r of await runHelperVsRaw({ runs, n: quick ? 50 : 200 })) {
      rows.push(
        measuredRow({
          section: name,
          measure: `helper / raw WebCrypto, ${r.op}`,
          unit: "x",
          spread: r.ratio,
          runs: r.runs,
          goal: { atMost: 1.5, of: "median" },
          detail: `${us(r.helperMs.median)} vs ${us(r.rawMs.median)} per operation, ${r.n} per run; both read the key through the product each time`,
        }),
      )
    }
  } catch (error) {
    rows.push(notMeasuredRow({ section: name, measure: "helper / raw WebCrypto", goal: { atMost: 1.5, of: "median" }, reason: describeFailure(error) }))
  }
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (flag, fallback) => {
    const i = process.argv.indexOf(`--${flag}`)
    return i === -1 ? fallback : Number(process.argv[i + 1])
  }
  const rows = await run({ runs: arg("runs", 5), quick: process.argv.includes("--quick") })
  for (const row of rows) {
    const value = row.median === null ? "not measured" : `${row.median.toFixed(row.unit === "x" ? 2 : 0)}${row.unit === "x" ? "x" : ""} (min ${row.min.toFixed(row.unit === "x" ? 2 : 0)}, max ${row.max.toFixed(row.unit === "x" ? 2 : 0)})`
    console.log(`${row.status.padEnd(12)} ${row.measure}: ${value}\n${" ".repeat(13)}${row.detail}`)
  }
}
