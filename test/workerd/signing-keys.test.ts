/**
 * @layeron/modules/keys in workerd, through the real Secret Product Worker: ES256, EdDSA and
 * RS256 tokens signed in workerd verify with Node's crypto from the JWKS workerd serves, and
 * tokens Node signs with a retained key verify in workerd; HMAC signatures match Node's
 * createHmac. The envelopes are shaped as after a rotation: the current key sealed (promoted
 * from the state), the previous one retained, the next one published but never signing.
 * The suite runs twice: each key its own secret, then every key a member of one pack
 * (docs/design.md#packing), which the helpers must not be able to tell apart.
 */
import assert from "node:assert/strict"
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, sign as nodeSign, verify as nodeVerify } from "node:crypto"
import { after, before, describe, test } from "node:test"
import { Miniflare } from "miniflare"
import { physicalName } from "../../packages/modules/src/naming/index.js"
import { generateSealingKeyPair, seal } from "../../packages/modules/src/seal/index.js"
import { randomValue, serializeEnvelope } from "../../packages/modules/src/envelope/index.js"
import { generateSigningKey } from "../../packages/modules/src/keys/index.js"
import { HS256_DERIVATION_INFO } from "../../packages/modules/src/keys/jwt.js"
import { planBindings, toMiniflareWorkerOptions } from "../../packages/modules/src/binding-plan/index.js"
import type { Envelope } from "../../packages/modules/src/envelope/index.js"
import { PACK_FORMAT, packPhysicalName, serializePack } from "../../packages/modules/src/pack/index.js"
import { bundleWorker, fetchWorker } from "./harness.js"
import { keySecrets } from "./fixtures/keys-worker.js"
import type { KeyName, KeysRequest } from "./fixtures/keys-worker.js"

const PRODUCT = "secret-product"
const APP = "keys-app"
const HOUR = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()
const ALGS = ["ES256", "EdDSA", "RS256"] as const

let mf: Miniflare
const stored = {} as Record<KeyName, string[]>

/** Starts the keys app and the product; `packed`: every key is a member of one pack. */
async function start(packed: boolean): Promise<void> {
  const [appScript, productScript, sealing] = await Promise.all([bundleWorker("./fixtures/keys-worker.ts"), bundleWorker("../../packages/modules/src/worker/index.ts"), generateSealingKeyPair()])
  const names: Record<string, string> = {}
  for (const module of Object.values(keySecrets)) {
    const d = module.declaration
    names[d.id] = await physicalName({ workspace: "test", project: "keys", environment: "workerd", namespace: d.namespace, name: d.name })
  }
  const sealingName = await physicalName({ workspace: "test", project: "keys", environment: "workerd", namespace: "layeron", name: "sealing-key" })
  const packName = await packPhysicalName("test", "keys", "workerd", 0)
  const plan = planBindings({
    declarations: Object.values(keySecrets).map((m) => m.declaration),
    physicalNames: names,
    sealingKeyPhysicalName: sealingName,
    storeId: "local-store",
    productWorkerName: PRODUCT,
    backends: [{ id: "keys", workerName: APP, secrets: Object.values(keySecrets).map((m) => m.declaration.id) }],
    ...(packed ? { packs: [{ physicalName: packName, members: Object.values(keySecrets).map((m) => m.declaration.id) }] } : {}),
  })
  const options = toMiniflareWorkerOptions(plan)
  mf = new Miniflare({
    secretsStorePersist: false,
    workers: [
      { name: APP, modules: true, script: appScript, compatibilityDate: "2026-04-01", ...options.apps[APP] },
      { name: PRODUCT, modules: true, script: productScript, compatibilityDate: "2026-04-01", ...options.product },
    ],
  })
  await mf.ready
  const put = async (binding: string, text: string) => (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))().create(text)
  await put(plan.product.manifest.sealingKeyBinding, JSON.stringify(sealing.privateKey))
  const now = Date.now()
  const members: Record<string, Envelope> = {}
  for (const [key, module] of Object.entries(keySecrets) as [KeyName, (typeof keySecrets)[KeyName]][]) {
    const alg = module.declaration.generate
    const values =
      key === "WEAK" ? [1, 2, 3].map(() => weakRsaJwk())
      : key === "STATIC" ? ["idp-shared-1", "idp-shared-2", "idp-shared-3"]
      : await Promise.all([1, 2, 3].map(() => (alg ? generateSigningKey(alg) : Promise.resolve(randomValue(32)))))
    stored[key] = values
    const physical = names[module.declaration.id]!
    const envelope = {
      current: "v2",
      versions: {
        v1: { value: values[0]!, createdAt: iso(now - 30 * 24 * HOUR), expiresAt: iso(now + 24 * HOUR) },
        v2: { sealed: await seal(sealing.publicKey, values[1]!, { physicalName: physical, versionId: "v2" }), createdAt: iso(now - HOUR) },
        ...(alg ? { v3: { value: values[2]! } } : {}),
      },
    }
    const entry = plan.product.manifest.secrets[module.declaration.id]!
    if (entry.binding !== undefined) await put(entry.binding, serializeEnvelope(envelope))
    else members[module.declaration.id] = envelope
  }
  if (packed) {
    // The product binds the pack and the sealing key, nothing per key.
    assert.deepEqual(plan.product.secretsStoreSecrets.map((s) => s.secretName).sort(), [packName, sealingName].sort())
    await put(plan.product.secretsStoreSecrets.find((s) => s.secretName === packName)!.binding, serializePack({ format: PACK_FORMAT, pack: packName, members }))
  }
}

async function call(request: KeysRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetchWorker(mf, APP, "http://app/", { method: "POST", body: JSON.stringify(request) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** A 1024-bit RSA private JWK, as someone might write by hand with `layer secret set`. */
function weakRsaJwk(): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 })
  return JSON.stringify({ ...privateKey.export({ format: "jwk" }), alg: "RS256" })
}

function privateKeyOf(text: string) {
  const { alg: _alg, ...jwk } = JSON.parse(text) as Record<string, string>
  return createPrivateKey({ key: jwk, format: "jwk" })
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

for (const packed of [false, true]) describe(`signing keys in workerd${packed ? ", every key a member of one pack" : ""}`, () => {
  before(() => start(packed))
  after(() => mf?.dispose())

  for (const alg of ALGS) {
    test(`${alg}: signed by the current (sealed) key, verified by Node from the JWKS; a Node-signed token of the retained key verifies in workerd`, async () => {
      const signed = await call({ key: alg, op: "sign" })
      assert.equal(signed.status, 200, JSON.stringify(signed.body))
      const token = signed.body.token as string
      const [h, p, s] = token.split(".") as [string, string, string]
      assert.deepEqual(JSON.parse(Buffer.from(h, "base64url").toString()), { alg, typ: "JWT", kid: "v2" })

      const jwks = (await call({ key: alg, op: "jwks" })).body as { keys: Record<string, string>[] }
      assert.deepEqual(jwks.keys.map((k) => k.kid), ["v2", "v1", "v3"], "current, retained, next")
      for (const key of jwks.keys) assert.equal(key.d, undefined)
      const publicKey = createPublicKey({ key: jwks.keys[0]!, format: "jwk" })
      const data = Buffer.from(`${h}.${p}`)
      const signature = Buffer.from(s, "base64url")
      assert.ok(
        alg === "ES256" ? nodeVerify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature) : nodeVerify(alg === "EdDSA" ? null : "sha256", data, publicKey, signature),
        "Node's crypto verifies the workerd token from the JWKS",
      )
      assert.equal(((await call({ key: alg, op: "verify", token })).body.claims as { sub: string }).sub, "w")

      // The other direction: Node signs with the retained v1; workerd accepts it.
      const now = Math.floor(Date.now() / 1000)
      const input = `${b64({ alg, kid: "v1" })}.${b64({ sub: "node", iss: "workerd", iat: now, exp: now + 60 })}`
      const key = privateKeyOf(stored[alg][0]!)
      const nodeSignature = alg === "ES256" ? nodeSign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }) : nodeSign(alg === "EdDSA" ? null : "sha256", Buffer.from(input), key)
      const fromNode = await call({ key: alg, op: "verify", token: `${input}.${nodeSignature.toString("base64url")}` })
      assert.equal((fromNode.body.claims as { sub: string }).sub, "node", JSON.stringify(fromNode.body))

      // Tampered, and a kid that is not a version: refused with their codes, no key in the message.
      const tampered = await call({ key: alg, op: "verify", token: `${h}.${b64({ sub: "admin", iss: "workerd", exp: now + 60 })}.${s}` })
      assert.deepEqual([tampered.status, tampered.body.error], [400, "invalid_signature"])
      const unknown = await call({ key: alg, op: "verify", token: `${b64({ alg, kid: "v9" })}.${p}.${s}` })
      assert.equal(unknown.body.error, "unknown_kid")
      for (const text of stored[alg]) assert.ok(!JSON.stringify([tampered.body, unknown.body]).includes(JSON.parse(text).d))
      assert.equal((await call({ key: alg, op: "hmac-sign", data: "x" })).body.error, "wrong_key_type")
    })
  }

  test("HMAC: the signature is Node's createHmac with the current (sealed) version; the retained one still verifies; a byte secret has no JWKS", async () => {
    const signed = await call({ key: "HMAC", op: "hmac-sign", data: "order 7" })
    assert.deepEqual(signed.body, { signature: createHmac("sha256", Buffer.from(stored.HMAC[1]!, "base64url")).update("order 7").digest("base64url"), kid: "v2" })
    const byRetained = createHmac("sha256", Buffer.from(stored.HMAC[0]!, "base64url")).update("order 7").digest("base64url")
    assert.deepEqual((await call({ key: "HMAC", op: "hmac-verify", data: "order 7", signature: byRetained })).body, { valid: true, kid: "v1" })
    assert.deepEqual((await call({ key: "HMAC", op: "hmac-verify", data: "order 8", signature: byRetained })).body, { valid: false })
    const token = (await call({ key: "HS256", op: "sign" })).body.token as string
    assert.equal(((await call({ key: "HS256", op: "verify", token })).body.claims as { sub: string }).sub, "w")
    assert.equal((await call({ key: "HS256", op: "jwks" })).body.error, "wrong_key_type")
  })

  test("key reuse: a secret that serves jwt() is refused to hmac() (key_reuse, naming both), and the other way round", async () => {
    await call({ key: "HS256", op: "sign" })
    const reused = await call({ key: "HS256", op: "hmac-sign", data: "x" })
    assert.deepEqual([reused.status, reused.body.error], [400, "key_reuse"])
    assert.match(reused.body.message as string, /hmac\(hs256\).*jwt\(hs256\)/)
    await call({ key: "HMAC", op: "hmac-sign", data: "x" })
    assert.equal((await call({ key: "HMAC", op: "sign" })).body.error, "key_reuse")
    for (const text of [...stored.HS256, ...stored.HMAC]) assert.ok(!JSON.stringify(reused.body).includes(text))
  })

  test("an HMAC of the raw bytes (what hmac() in another Worker would make) is not an HS256 token: the jwt key is derived", async () => {
    const now = Math.floor(Date.now() / 1000)
    const input = `${b64({ alg: "HS256", typ: "JWT", kid: "v2" })}.${b64({ sub: "admin", iss: "workerd", iat: now, exp: now + 60 })}`
    const raw = createHmac("sha256", Buffer.from(stored.HS256[1]!, "base64url")).update(input).digest("base64url")
    assert.deepEqual([(await call({ key: "HS256", op: "verify", token: `${input}.${raw}` })).body.error], ["invalid_signature"])
    // The derived key (HKDF-SHA-256 of the bytes) is the one that verifies: the check above is about the key, not the token.
    const derived = Buffer.from(hkdfSync("sha256", Buffer.from(stored.HS256[1]!, "base64url"), Buffer.alloc(0), HS256_DERIVATION_INFO, 32))
    const good = createHmac("sha256", derived).update(input).digest("base64url")
    assert.equal(((await call({ key: "HS256", op: "verify", token: `${input}.${good}` })).body.claims as { sub: string }).sub, "admin")
  })

  test("jwt() on a static secret: refused without an algorithm (algorithm_required); with HS256 its UTF-8 is the key", async () => {
    const refused = await call({ key: "STATIC", op: "jwt-no-algorithm" })
    assert.deepEqual([refused.status, refused.body.error], [400, "algorithm_required"])
    const now = Math.floor(Date.now() / 1000)
    const input = `${b64({ alg: "HS256", kid: "v2" })}.${b64({ sub: "idp", iss: "workerd", exp: now + 60 })}`
    const token = `${input}.${createHmac("sha256", "idp-shared-2").update(input).digest("base64url")}`
    assert.equal(((await call({ key: "STATIC", op: "jwt-hs256", token })).body.claims as { sub: string }).sub, "idp")
    assert.ok(!JSON.stringify(refused.body).includes("idp-shared"))
  })

  test("tokens with crit: [], crit: [\"x\"], b64: false, iat: \"soon\" are refused with their codes; each is validly signed", async () => {
    const now = Math.floor(Date.now() / 1000)
    const key = privateKeyOf(stored.ES256[1]!)
    const signed = (header: Record<string, unknown>, claims: Record<string, unknown>) => {
      const input = `${b64({ alg: "ES256", kid: "v2", ...header })}.${b64({ sub: "w", iss: "workerd", iat: now, exp: now + 60, ...claims })}`
      return `${input}.${nodeSign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url")}`
    }
    assert.equal(((await call({ key: "ES256", op: "verify", token: signed({}, {}) })).body.claims as { sub: string }).sub, "w", "the control token verifies")
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{ crit: [] }, {}, "invalid_token"],
      [{ crit: ["x"], x: 1 }, {}, "invalid_token"],
      [{ crit: ["b64"], b64: false }, {}, "invalid_token"],
      [{ b64: false }, {}, "invalid_token"],
      [{}, { iat: "soon" }, "invalid_claim"],
    ]
    for (const [header, claims, code] of cases) {
      const answer = await call({ key: "ES256", op: "verify", token: signed(header, claims) })
      assert.deepEqual([answer.status, answer.body.error], [400, code], JSON.stringify(header) + JSON.stringify(claims))
      assert.ok(!JSON.stringify(answer.body).includes(JSON.parse(stored.ES256[1]!).d))
    }
  })

  test("an RS256 key of 1024 bits is refused where it is read: sign, verify and JWKS are weak_key", async () => {
    assert.deepEqual([(await call({ key: "WEAK", op: "sign" })).body.error], ["weak_key"])
    assert.deepEqual([(await call({ key: "WEAK", op: "jwks" })).body.error], ["weak_key"])
    const now = Math.floor(Date.now() / 1000)
    const input = `${b64({ alg: "RS256", kid: "v2" })}.${b64({ sub: "w", iss: "workerd", exp: now + 60 })}`
    const token = `${input}.${nodeSign("sha256", Buffer.from(input), privateKeyOf(stored.WEAK[1]!)).toString("base64url")}`
    const answer = await call({ key: "WEAK", op: "verify", token })
    assert.deepEqual([answer.status, answer.body.error], [400, "weak_key"])
    assert.match(answer.body.message as string, /1024 bits/)
    for (const text of stored.WEAK) assert.ok(!JSON.stringify(answer.body).includes(JSON.parse(text).d))
  })

  test("version(id) with newlines, escape codes and 5 KB: unknown_version, the id quoted bounded and escaped", async () => {
    const id = `v2\n\u001b[2J\u001b]52;c;ZXZpbA==\u0007${"A".repeat(5_000)}`
    const answer = await call({ key: "HMAC", op: "version", kid: id })
    assert.deepEqual([answer.status, answer.body.error], [400, "unknown_version"])
    const message = answer.body.message as string
    assert.ok(message.length < 400, `message of ${message.length} characters`)
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(message), "a control character reached the message")
    assert.match(message, /"v2\\n\\u001b\[2J/)
    assert.match(message, /more characters/)
  })
})
