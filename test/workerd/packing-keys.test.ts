/**
 * The keys helpers over packed secrets (docs/design.md#packing), in workerd: every key of the
 * signing-keys fixture is a member of one pack, shaped as after a rotation (the previous
 * version retained, the current one sealed to the member's own name, the next one published).
 * `jwt()` and `hmac()` answer as they do unpacked (test/workerd/signing-keys.test.ts): tokens
 * signed in workerd verify with Node's crypto from the JWKS, Node's HMAC matches, the retained
 * version still verifies.
 */
import assert from "node:assert/strict"
import { createHmac, createPublicKey, verify as nodeVerify } from "node:crypto"
import { after, before, describe, test } from "node:test"
import type { Miniflare } from "miniflare"
import { planBindings } from "../../packages/modules/src/binding-plan/index.js"
import { randomValue } from "../../packages/modules/src/envelope/index.js"
import type { Envelope } from "../../packages/modules/src/envelope/index.js"
import { generateSigningKey } from "../../packages/modules/src/keys/index.js"
import { physicalName } from "../../packages/modules/src/naming/index.js"
import { PACK_FORMAT, packPhysicalName, serializePack } from "../../packages/modules/src/pack/index.js"
import { generateSealingKeyPair, seal } from "../../packages/modules/src/seal/index.js"
import { bundleWorker, fetchWorker, startAppAndProduct } from "./harness.js"
import { keySecrets } from "./fixtures/keys-worker.js"
import type { KeyName, KeysRequest } from "./fixtures/keys-worker.js"

const PRODUCT = "secret-product"
const APP = "keys-app"
const PARTS = { workspace: "test", project: "packed-keys", environment: "workerd" }
const HOUR = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()

let mf: Miniflare
/** Per key: v1 (retained), v2 (current, sealed), v3 (next, key pairs only). */
const values = {} as Record<KeyName, string[]>
let boundSecrets: string[]

before(async () => {
  const [appScript, productScript, sealing] = await Promise.all([bundleWorker("./fixtures/keys-worker.ts"), bundleWorker("../../packages/modules/src/worker/index.ts"), generateSealingKeyPair()])
  const modules = Object.entries(keySecrets) as [KeyName, (typeof keySecrets)[KeyName]][]
  const ids = modules.map(([, module]) => module.declaration.id)
  const names = Object.fromEntries(await Promise.all(modules.map(async ([, { declaration: d }]) => [d.id, await physicalName({ ...PARTS, namespace: d.namespace, name: d.name })] as const)))
  const sealingName = await physicalName({ ...PARTS, namespace: "layeron", name: "sealing-key" })
  const packName = await packPhysicalName(PARTS.workspace, PARTS.project, PARTS.environment, 0)
  const plan = planBindings({
    declarations: modules.map(([, module]) => module.declaration),
    physicalNames: names,
    sealingKeyPhysicalName: sealingName,
    storeId: "local-store",
    productWorkerName: PRODUCT,
    backends: [{ id: "keys", workerName: APP, secrets: ids }],
    packs: [{ physicalName: packName, members: ids }],
  })
  boundSecrets = plan.product.secretsStoreSecrets.map((s) => s.secretName)
  mf = await startAppAndProduct(plan, appScript, productScript)

  const now = Date.now()
  const members: Record<string, Envelope> = {}
  for (const [key, { declaration: d }] of modules) {
    const alg = "generate" in d ? d.generate : undefined
    values[key] = await Promise.all([1, 2, 3].map(() => (alg ? generateSigningKey(alg) : Promise.resolve(d.kind === "static" ? `idp-${randomValue(16)}` : randomValue(32)))))
    members[d.id] = {
      current: "v2",
      versions: {
        v1: { value: values[key][0]!, createdAt: iso(now - 30 * 24 * HOUR), expiresAt: iso(now + 24 * HOUR) },
        v2: { sealed: await seal(sealing.publicKey, values[key][1]!, { physicalName: names[d.id]!, versionId: "v2" }), createdAt: iso(now - HOUR) },
        ...(alg ? { v3: { value: values[key][2]! } } : {}),
      },
    }
  }
  const put = async (secretName: string, text: string) => {
    const binding = plan.product.secretsStoreSecrets.find((s) => s.secretName === secretName)!.binding
    await (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))().create(text)
  }
  await put(sealingName, JSON.stringify(sealing.privateKey))
  await put(packName, serializePack({ format: PACK_FORMAT, pack: packName, members }))
  boundSecrets.sort()
  assert.deepEqual(boundSecrets, [packName, sealingName].sort(), "the product binds the pack and the sealing key, nothing per key")
})
after(async () => {
  await mf?.dispose()
})

async function call(request: KeysRequest): Promise<Record<string, unknown>> {
  const response = await fetchWorker(mf, APP, "http://app/", { method: "POST", body: JSON.stringify(request) })
  return (await response.json()) as Record<string, unknown>
}

describe("keys helpers over one pack", () => {
  for (const alg of ["ES256", "EdDSA", "RS256"] as const) {
    test(`${alg}: signed by the sealed current member version, verified by Node from the JWKS (current, retained, next)`, async () => {
      const token = (await call({ key: alg, op: "sign" })).token as string
      const [h, p, s] = token.split(".") as [string, string, string]
      assert.equal(JSON.parse(Buffer.from(h, "base64url").toString()).kid, "v2")
      const jwks = (await call({ key: alg, op: "jwks" })) as { keys: Record<string, string>[] }
      assert.deepEqual(jwks.keys.map((k) => k.kid), ["v2", "v1", "v3"])
      const publicKey = createPublicKey({ key: jwks.keys[0]!, format: "jwk" })
      const data = Buffer.from(`${h}.${p}`)
      const signature = Buffer.from(s, "base64url")
      assert.ok(alg === "ES256" ? nodeVerify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature) : nodeVerify(alg === "EdDSA" ? null : "sha256", data, publicKey, signature))
      assert.equal(((await call({ key: alg, op: "verify", token })).claims as { sub: string }).sub, "w")
    })
  }

  test("HMAC: Node's createHmac with the sealed current version; the retained version still verifies; no key in any answer", async () => {
    const signed = await call({ key: "HMAC", op: "hmac-sign", data: "order 7" })
    assert.deepEqual(signed, { signature: createHmac("sha256", Buffer.from(values.HMAC[1]!, "base64url")).update("order 7").digest("base64url"), kid: "v2" })
    const byRetained = createHmac("sha256", Buffer.from(values.HMAC[0]!, "base64url")).update("order 7").digest("base64url")
    assert.deepEqual(await call({ key: "HMAC", op: "hmac-verify", data: "order 7", signature: byRetained }), { valid: true, kid: "v1" })
    const token = (await call({ key: "HS256", op: "sign" })).token as string
    assert.equal(((await call({ key: "HS256", op: "verify", token })).claims as { sub: string }).sub, "w")
    for (const value of [...values.HMAC, ...values.HS256]) assert.ok(!JSON.stringify(signed).includes(value))
  })
})
