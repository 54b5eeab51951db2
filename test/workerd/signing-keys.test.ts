/**
 * @layeron/modules/keys in workerd, through the real Secret Product Worker: ES256, EdDSA and
 * RS256 tokens signed in workerd verify with Node's crypto from the JWKS workerd serves, and
 * tokens Node signs with a retained key verify in workerd; HMAC signatures match Node's
 * createHmac. The envelopes are shaped as after a rotation: the current key sealed (promoted
 * from the state), the previous one retained, the next one published but never signing.
 */
import assert from "node:assert/strict"
import { createHmac, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto"
import { after, before, describe, test } from "node:test"
import { Miniflare } from "miniflare"
import { physicalName } from "../../packages/modules/src/naming/index.js"
import { generateSealingKeyPair, seal } from "../../packages/modules/src/seal/index.js"
import { randomValue, serializeEnvelope } from "../../packages/modules/src/envelope/index.js"
import { generateSigningKey } from "../../packages/modules/src/keys/index.js"
import { planBindings, toMiniflareWorkerOptions } from "../../packages/modules/src/binding-plan/index.js"
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

before(async () => {
  const [appScript, productScript, sealing] = await Promise.all([bundleWorker("./fixtures/keys-worker.ts"), bundleWorker("../../packages/modules/src/worker/index.ts"), generateSealingKeyPair()])
  const names: Record<string, string> = {}
  for (const module of Object.values(keySecrets)) {
    const d = module.declaration
    names[d.id] = await physicalName({ workspace: "test", project: "keys", environment: "workerd", namespace: d.namespace, name: d.name })
  }
  const sealingName = await physicalName({ workspace: "test", project: "keys", environment: "workerd", namespace: "layeron", name: "sealing-key" })
  const plan = planBindings({
    declarations: Object.values(keySecrets).map((m) => m.declaration),
    physicalNames: names,
    sealingKeyPhysicalName: sealingName,
    storeId: "local-store",
    productWorkerName: PRODUCT,
    backends: [{ id: "keys", workerName: APP, secrets: Object.values(keySecrets).map((m) => m.declaration.id) }],
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
  for (const [key, module] of Object.entries(keySecrets) as [KeyName, (typeof keySecrets)[KeyName]][]) {
    const alg = module.declaration.generate
    const values = await Promise.all([1, 2, 3].map(() => (alg ? generateSigningKey(alg) : Promise.resolve(randomValue(32)))))
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
    await put(plan.product.manifest.secrets[module.declaration.id]!.binding, serializeEnvelope(envelope))
  }
})

after(async () => {
  await mf?.dispose()
})

async function call(request: KeysRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetchWorker(mf, APP, "http://app/", { method: "POST", body: JSON.stringify(request) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

function privateKeyOf(text: string) {
  const { alg: _alg, ...jwk } = JSON.parse(text) as Record<string, string>
  return createPrivateKey({ key: jwk, format: "jwk" })
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

describe("signing keys in workerd", () => {
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
    const signed = await call({ key: "HS256", op: "hmac-sign", data: "order 7" })
    assert.deepEqual(signed.body, { signature: createHmac("sha256", Buffer.from(stored.HS256[1]!, "base64url")).update("order 7").digest("base64url"), kid: "v2" })
    const byRetained = createHmac("sha256", Buffer.from(stored.HS256[0]!, "base64url")).update("order 7").digest("base64url")
    assert.deepEqual((await call({ key: "HS256", op: "hmac-verify", data: "order 7", signature: byRetained })).body, { valid: true, kid: "v1" })
    assert.deepEqual((await call({ key: "HS256", op: "hmac-verify", data: "order 8", signature: byRetained })).body, { valid: false })
    const token = (await call({ key: "HS256", op: "sign" })).body.token as string
    assert.equal(((await call({ key: "HS256", op: "verify", token })).body.claims as { sub: string }).sub, "w")
    assert.equal((await call({ key: "HS256", op: "jwks" })).body.error, "wrong_key_type")
  })
})
