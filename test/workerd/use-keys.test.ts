/**
 * Keys declared with `consume: { expose: "use" }`, in workerd, through the real Secret Product
 * Worker: the app signs and verifies with hmac() and jwt() across a rotation with zero
 * failures and the same results as a versioned key holding the same values, and no reader
 * and no raw call on its LAYERON_SECRET binding ever answers key material. A second backend
 * that does not register the keys cannot use them.
 */
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { Miniflare } from "miniflare"
import { physicalName } from "../../packages/modules/src/naming/index.js"
import { generateSealingKeyPair, seal } from "../../packages/modules/src/seal/index.js"
import { randomValue, serializeEnvelope } from "../../packages/modules/src/envelope/index.js"
import type { Envelope } from "../../packages/modules/src/envelope/index.js"
import { generateSigningKey, rotateSigningKeys } from "../../packages/modules/src/keys/index.js"
import { planBindings, toMiniflareWorkerOptions } from "../../packages/modules/src/binding-plan/index.js"
import { fileURLToPath } from "node:url"
import { bundleProductWorker } from "../../packages/cli/src/deploy/bundle.js"
import { bundleWorker, fetchWorker } from "./harness.js"
import { useSecrets } from "./fixtures/use-keys-worker.js"
import type { RpcRequest, UseKeyName, UseRequest } from "./fixtures/use-keys-worker.js"

const PRODUCT = "secret-product"
const APP = "use-app"
/** Another backend of the project, registering none of the keys. */
const OTHER = "other-app"
const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

let mf: Miniflare
let bindingOf: (key: UseKeyName) => string
let physicalOf: (key: UseKeyName) => string
let sealingPublicKey: JsonWebKey
/** Every key's material written so far (HMAC bytes, private JWK `d` members): none may come back. */
const material: string[] = []

type Answer = { ok: true; result: unknown } | { ok: false; code: string; message: string }

async function call(request: UseRequest, worker = APP): Promise<Answer> {
  const response = await fetchWorker(mf, worker, "http://app/", { method: "POST", body: JSON.stringify(request) })
  return (await response.json()) as Answer
}

async function rpc(request: RpcRequest): Promise<{ reply?: unknown; thrown?: string }> {
  const response = await fetchWorker(mf, APP, "http://app/rpc", { method: "POST", body: JSON.stringify(request) })
  return (await response.json()) as { reply?: unknown; thrown?: string }
}

function result<T>(answer: Answer): T {
  assert.ok(answer.ok, JSON.stringify(answer))
  return answer.result as T
}

function noKeyMaterial(answers: unknown): void {
  const text = JSON.stringify(answers)
  for (const secret of material) assert.ok(!text.includes(secret), "key material crossed the binding")
}

async function put(key: UseKeyName, envelope: Envelope): Promise<void> {
  for (const version of Object.values(envelope.versions)) {
    if (version.value === undefined) continue
    material.push(version.value.startsWith("{") ? (JSON.parse(version.value) as { d: string }).d : version.value)
  }
  await (await mf.getSecretsStoreSecretAPI(bindingOf(key), PRODUCT))().create(serializeEnvelope(envelope))
}

/** The same envelope under the use key and its versioned twin. */
async function putTwins(use: UseKeyName, versioned: UseKeyName, envelope: Envelope): Promise<void> {
  await put(use, envelope)
  await put(versioned, envelope)
}

let hookEnvelope: Envelope
let tokenEnvelope: Envelope

before(async () => {
  const [appScript, productScript, sealing] = await Promise.all([bundleWorker("./fixtures/use-keys-worker.ts"), bundleProductWorker(fileURLToPath(new URL("../../", import.meta.url))), generateSealingKeyPair()])
  sealingPublicKey = sealing.publicKey
  const names: Record<string, string> = {}
  const name = (namespace: string, n: string) => physicalName({ workspace: "test", project: "use", environment: "workerd", namespace, name: n })
  for (const module of Object.values(useSecrets)) names[module.declaration.id] = await name(module.declaration.namespace, module.declaration.name)
  const ids = Object.values(useSecrets).map((m) => m.declaration.id)
  const plan = planBindings({
    declarations: Object.values(useSecrets).map((m) => m.declaration),
    physicalNames: names,
    sealingKeyPhysicalName: await name("layeron", "sealing-key"),
    storeId: "local-store",
    productWorkerName: PRODUCT,
    backends: [
      { id: "app", workerName: APP, secrets: ids },
      { id: "other", workerName: OTHER, secrets: [useSecrets.HOOK_VERSIONED.declaration.id] },
    ],
  })
  bindingOf = (key) => plan.product.manifest.secrets[useSecrets[key].declaration.id]!.binding
  physicalOf = (key) => names[useSecrets[key].declaration.id]!
  const options = toMiniflareWorkerOptions(plan)
  const worker = (workerName: string, script: string) => ({ name: workerName, modules: true, script, compatibilityDate: "2026-04-01" })
  mf = new Miniflare({
    secretsStorePersist: false,
    workers: [{ ...worker(APP, appScript), ...options.apps[APP] }, { ...worker(OTHER, appScript), ...options.apps[OTHER] }, { ...worker(PRODUCT, productScript), ...options.product }],
  })
  await mf.ready
  await (await mf.getSecretsStoreSecretAPI(plan.product.manifest.sealingKeyBinding, PRODUCT))().create(JSON.stringify(sealing.privateKey))

  const now = Date.now()
  // As after a rotation: the current key sealed (carried from the state), the previous retained.
  hookEnvelope = {
    current: "v2",
    versions: {
      v1: { value: randomValue(32), createdAt: iso(now - 30 * DAY), expiresAt: iso(now + 14 * DAY) },
      v2: { value: randomValue(32), createdAt: iso(now - DAY) },
    },
  }
  tokenEnvelope = rotateSigningKeys(undefined, { at: new Date(now - DAY), retain: { mode: "retain_for", days: 14 }, newVersionId: "v1", fresh: [await generateSigningKey("ES256"), await generateSigningKey("ES256")] })
  await putTwins("HOOK_USE", "HOOK_VERSIONED", hookEnvelope)
  await putTwins("TOKEN_USE", "TOKEN_VERSIONED", tokenEnvelope)
  await put("VAULT_USE", hookEnvelope)
  const session = randomValue(32)
  material.push(session)
  const sealedSession = await seal(sealingPublicKey, session, { physicalName: physicalOf("SESSION_USE"), versionId: "v1" })
  await (await mf.getSecretsStoreSecretAPI(bindingOf("SESSION_USE"), PRODUCT))().create(serializeEnvelope({ current: "v1", versions: { v1: { sealed: sealedSession, createdAt: iso(now - DAY) } } }))
})

after(async () => {
  await mf?.dispose()
})

describe('expose: "use" in workerd', () => {
  test("hmac() and jwt() give the same results as a versioned key holding the same values", async () => {
    const used = result<{ signature: string; kid: string }>(await call({ key: "HOOK_USE", op: "hmac-sign", data: "order 7" }))
    assert.deepEqual(used, result(await call({ key: "HOOK_VERSIONED", op: "hmac-sign", data: "order 7" })))
    assert.equal(used.kid, "v2")
    assert.deepEqual(result(await call({ key: "HOOK_USE", op: "hmac-verify", data: "order 7", signature: used.signature })), { valid: true, kid: "v2" })
    assert.deepEqual(result(await call({ key: "HOOK_USE", op: "hmac-verify", data: "order 8", signature: used.signature })), { valid: false })

    const { token } = result<{ token: string }>(await call({ key: "TOKEN_USE", op: "jwt-sign", sub: "u1" }))
    assert.equal(result<{ claims: { sub: string } }>(await call({ key: "TOKEN_VERSIONED", op: "jwt-verify", token })).claims.sub, "u1", "a versioned app verifies what the product signed")
    const local = result<{ token: string }>(await call({ key: "TOKEN_VERSIONED", op: "jwt-sign", sub: "u2" })).token
    assert.equal(result<{ claims: { sub: string } }>(await call({ key: "TOKEN_USE", op: "jwt-verify", token: local })).claims.sub, "u2")
    assert.deepEqual(result(await call({ key: "TOKEN_USE", op: "jwks" })), result(await call({ key: "TOKEN_VERSIONED", op: "jwks" })))
    const handler = result<{ status: number; body: { keys: { kid: string; d?: string }[] } }>(await call({ key: "TOKEN_USE", op: "jwks-handler" }))
    assert.equal(handler.status, 200)
    assert.deepEqual(handler.body.keys.map((k) => k.kid), ["v1", "v2"], "current and the published next key")

    // A sealed use key opens inside the product, as for any read.
    const session = result<{ token: string }>(await call({ key: "SESSION_USE", op: "jwt-sign", sub: "s" })).token
    assert.equal(result<{ claims: { sub: string } }>(await call({ key: "SESSION_USE", op: "jwt-verify", token: session })).claims.sub, "s")
    const tampered = await call({ key: "TOKEN_USE", op: "jwt-verify", token: `${token.slice(0, -4)}AAAA` })
    assert.deepEqual(!tampered.ok && tampered.code, "invalid_signature")
    const wrongKind = await call({ key: "TOKEN_USE", op: "hmac-sign", data: "x" })
    assert.deepEqual(!wrongKind.ok && wrongKind.code, "wrong_key_type")
  })

  test("signing and verifying across a rotation: zero failures, and the new key signs at once", async () => {
    const signatures = await Promise.all(Array.from({ length: 25 }, (_, i) => call({ key: "HOOK_USE", op: "hmac-sign", data: `m${i}` }).then((a) => result<{ signature: string }>(a))))
    const tokens = await Promise.all(Array.from({ length: 25 }, (_, i) => call({ key: "TOKEN_USE", op: "jwt-sign", sub: `t${i}` }).then((a) => result<{ token: string }>(a).token)))

    const now = Date.now()
    const v3 = randomValue(32)
    await put("HOOK_USE", { current: "v3", versions: { v2: { ...hookEnvelope.versions.v2!, expiresAt: iso(now + 14 * DAY) }, v3: { value: v3, createdAt: iso(now) } } })
    await put("TOKEN_USE", rotateSigningKeys(tokenEnvelope, { at: new Date(now), retain: { mode: "retain_for", days: 14 }, newVersionId: "v3", fresh: [await generateSigningKey("ES256")] }))

    const verified = await Promise.all([
      ...signatures.map((s, i) => call({ key: "HOOK_USE", op: "hmac-verify", data: `m${i}`, signature: s.signature }).then((a) => a.ok && (a.result as { valid: boolean }).valid)),
      ...tokens.map((token) => call({ key: "TOKEN_USE", op: "jwt-verify", token }).then((a) => a.ok)),
    ])
    assert.equal(verified.filter((ok) => !ok).length, 0, "every signature and token made before the rotation verifies after it")
    assert.equal(result<{ kid: string }>(await call({ key: "HOOK_USE", op: "hmac-sign", data: "after" })).kid, "v3")
    const after = result<{ token: string }>(await call({ key: "TOKEN_USE", op: "jwt-sign", sub: "after" })).token
    assert.equal(JSON.parse(Buffer.from(after.split(".")[0]!, "base64url").toString()).kid, "v2", "the published next key signs")
    assert.deepEqual(result<{ version: string }[]>(await call({ key: "TOKEN_USE", op: "versions" })).map((v) => v.version), ["v2", "v1", "v3"])
  })

  test("aead(): encrypt before a rotation, decrypt after it until the retain window ends; rewrap answers only the new ciphertext", async () => {
    const associatedData = "customer 42"
    const before = result<string>(await call({ key: "VAULT_USE", op: "aead-encrypt", data: "1 Rue de Rivoli", associatedData }))
    assert.match(before, /^la1\.v2\./)
    const now = Date.now()
    const v3 = { value: randomValue(32), createdAt: iso(now) }
    await put("VAULT_USE", { current: "v3", versions: { v2: { ...hookEnvelope.versions.v2!, expiresAt: iso(now + 14 * DAY) }, v3 } })
    assert.equal(result(await call({ key: "VAULT_USE", op: "aead-decrypt", ciphertext: before, associatedData })), "1 Rue de Rivoli")
    const wrongRow = await call({ key: "VAULT_USE", op: "aead-decrypt", ciphertext: before, associatedData: "customer 43" })
    assert.equal(!wrongRow.ok && wrongRow.code, "decryption_failed")
    const rewrapped = result<string>(await call({ key: "VAULT_USE", op: "aead-rewrap", ciphertext: before, associatedData }))
    assert.match(rewrapped, /^la1\.v3\./)
    const raw = await rpc({ method: "use", args: [useSecrets.VAULT_USE.declaration.id, { helper: "aead", op: "rewrap", ciphertext: before, associatedData: "customer 42" }] })
    assert.ok(!JSON.stringify(raw).includes("Rivoli"), "a rewrap answers no plaintext")
    // The retain window ends: v2 expired, its ciphertexts are refused, the rewrapped one reads.
    await put("VAULT_USE", { current: "v3", versions: { v2: { ...hookEnvelope.versions.v2!, expiresAt: iso(now - 1000) }, v3 } })
    const late = await call({ key: "VAULT_USE", op: "aead-decrypt", ciphertext: before, associatedData })
    assert.equal(!late.ok && late.code, "version_expired")
    assert.equal(result(await call({ key: "VAULT_USE", op: "aead-decrypt", ciphertext: rewrapped, associatedData })), "1 Rue de Rivoli")
  })

  test("no value reader and no raw call on the binding answers key material", async () => {
    const answers: unknown[] = []
    for (const key of ["HOOK_USE", "TOKEN_USE", "SESSION_USE", "VAULT_USE"] as const) {
      for (const reader of ["current", "version", "at", "active", "resolve"] as const) {
        const answer = await call({ key, op: "read", reader })
        answers.push(answer)
        assert.equal(!answer.ok && answer.code, "expose_refused", `${key} ${reader}()`)
        assert.match(!answer.ok ? answer.message : "", /expose "use"/)
      }
      const versions = result<Array<Record<string, unknown>>>(await call({ key, op: "versions" }))
      for (const info of versions) assert.deepEqual(Object.keys(info).filter((k) => !["version", "createdAt", "expiresAt"].includes(k)), [])
      answers.push(versions)

      const id = useSecrets[key].declaration.id
      const raw: RpcRequest[] = [
        { method: "read", args: [id, { kind: "current" }] },
        { method: "read", args: [id, { kind: "version", id: "v1" }] },
        { method: "read", args: [id, { kind: "at", time: iso(Date.now()) }] },
        { method: "active", args: [id] },
        { method: "versions", args: [id] },
        { method: "use", args: [id, { helper: "jwt", options: {}, op: "jwks" }] },
        { method: "use", args: [id, { helper: "jwt", options: {}, op: "sign", claims: "{}", expiresIn: 60 }] },
        { method: "use", args: [id, { helper: "hmac", op: "sign", data: "x" }] },
        { method: "use", args: [id, { helper: "jwt", options: { algorithm: "HS256" }, op: "sign", claims: "{}", expiresIn: 60 }] },
        { method: "use", args: [id, { helper: "aead", op: "encrypt", data: "x", associatedData: "" }] },
        { method: "use", args: [id, { helper: "export", op: "key" }] },
        { method: "use", args: [id, null] },
      ]
      for (const request of raw) {
        const answer = await rpc(request)
        answers.push(answer)
        assert.equal(answer.thrown, undefined, `${request.method} threw ${answer.thrown}`)
        if (request.method === "read" || request.method === "active") assert.equal((answer.reply as { error: { code: string } }).error.code, "expose_refused")
      }
    }
    noKeyMaterial(answers)
  })

  test("a backend that does not register a use key cannot use it, through the helper or a raw call", async () => {
    const refused = await call({ key: "HOOK_USE", op: "hmac-sign", data: "x" }, OTHER)
    assert.equal(!refused.ok && refused.code, "secret_not_registered")
    const versions = await call({ key: "TOKEN_USE", op: "versions" }, OTHER)
    assert.equal(!versions.ok && versions.code, "secret_not_registered")
    // And the product runs operations only on use keys.
    const versioned = await rpc({ method: "use", args: [useSecrets.HOOK_VERSIONED.declaration.id, { helper: "hmac", op: "sign", data: "x" }] })
    assert.equal((versioned.reply as { error: { code: string } }).error.code, "expose_refused")
  })
})
