/**
 * What `layer secret revoke` means at run time, in workerd: a key pair and an HMAC secret are
 * rotated with `--now` through the built CLI (local provider), so the previous keys are
 * retained; then the retained versions are revoked. The local store is served to the real
 * Secret Product Worker through miniflare, as `layer dev` does, and read through
 * @layeron/modules/keys (test/workerd/fixtures/keys-worker.ts):
 * - before the revoke, the JWKS lists current, retained and next, and a token or signature of
 *   the retained key verifies;
 * - after it, the JWKS leaves the revoked key out, a token signed with it (by Node, with the
 *   private key opened from the store before) is refused `unknown_kid`, an HMAC signature of
 *   it no longer verifies, and the current key (now stored as a sealed copy) still signs.
 * The CLI project is named like the harness (workspace "test", project "keys", environment
 * "workerd"), so physical names and the sealing key line up.
 */
import assert from "node:assert/strict"
import { createHmac, createPrivateKey, sign as nodeSign } from "node:crypto"
import { after, before, describe, it } from "node:test"
import { Miniflare } from "miniflare"
import { physicalName } from "../../packages/modules/src/naming/index.js"
import { planBindings, toMiniflareWorkerOptions } from "../../packages/modules/src/binding-plan/index.js"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { layerOn, localTarget, openStored, readLocalStore, sealingPrivateKey } from "../helpers/rotation.js"
import { bundleWorker, fetchWorker } from "./harness.js"
import { keySecrets } from "./fixtures/keys-worker.js"
import type { KeysRequest } from "./fixtures/keys-worker.js"

const DAY = 86_400_000
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString()
const PRODUCT = "secret-product"
const APP = "keys-app"
const OWNER = { workspace: "test", project: "keys", environment: "workerd" }

const CONFIG = `import { project } from "@layeron/core"
export default project({
  workspace: "test",
  name: "keys",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "workerd",
  environments: { workerd: { provider: "local" } },
})
`
const API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
const rotation = { everyDays: 30, retain: { mode: "retain_for", days: 14 } }
export const es256 = secret.generated({ name: "es256", namespace: "keys", generate: "ES256", rotation })
export const hook = secret.random({ name: "hook", namespace: "keys", rotation })
app.use(es256)
app.use(hook)
export default app
`
const HOOK_SEED = "aG9vay1zZWVkLXZhbHVlLTMyLWJ5dGVzLWxvbmctb2s"

let project: TestProject
let mf: Miniflare
let bindings: { sealing: string; es256: string; hook: string }
const names = {} as { es256: string; hook: string; sealing: string }

async function layer(args: string[], at?: string): Promise<void> {
  const run = await layerOn(localTarget(project, "workerd"), args, at ? { LAYERON_TEST_NOW: at } : {})
  assert.equal(run.code, 0, `layer ${args.join(" ")}: ${run.stdout}${run.stderr}`)
}

/** Put the local store's current texts into miniflare's Secrets Store, as `layer dev` does; return every version opened. */
async function serve(): Promise<Map<string, string>> {
  const texts = await readLocalStore(project, "workerd")
  const key = await sealingPrivateKey(project, texts, "workerd")
  // As harness.ts does: each create replaces what the binding serves.
  const put = async (binding: string, text: string) => {
    await (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))().create(text)
  }
  await put(bindings.sealing, texts.get(names.sealing)!)
  const opened = new Map<string, string>()
  for (const which of ["es256", "hook"] as const) {
    await put(bindings[which], texts.get(names[which])!)
    for (const [id, version] of (await openStored(texts.get(names[which])!, names[which], key)).versions) opened.set(`${which}/${id}`, version.value)
  }
  return opened
}

async function call(request: KeysRequest): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetchWorker(mf, APP, "http://app/", { method: "POST", body: JSON.stringify(request) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** A token for issuer "workerd" signed by Node with a private JWK the store held. */
function nodeToken(privateJwk: string, kid: string): string {
  const { alg: _alg, ...jwk } = JSON.parse(privateJwk) as Record<string, string>
  const now = Math.floor(Date.now() / 1000)
  const input = `${b64({ alg: "ES256", typ: "JWT", kid })}.${b64({ sub: "node", iss: "workerd", iat: now, exp: now + 60 })}`
  const signature = nodeSign("sha256", Buffer.from(input), { key: createPrivateKey({ key: jwk, format: "jwk" }), dsaEncoding: "ieee-p1363" })
  return `${input}.${signature.toString("base64url")}`
}

before(async () => {
  project = await createProject({ "layeron.config.ts": CONFIG, "src/api.ts": API })
  names.es256 = await physicalName({ ...OWNER, namespace: "keys", name: "es256" })
  names.hook = await physicalName({ ...OWNER, namespace: "keys", name: "hook" })
  names.sealing = await physicalName({ ...OWNER, namespace: "layeron", name: "sealing-key" })
  const declarations = [keySecrets.ES256.declaration, keySecrets.HS256.declaration]
  const plan = planBindings({
    declarations,
    physicalNames: { [keySecrets.ES256.declaration.id]: names.es256, [keySecrets.HS256.declaration.id]: names.hook },
    sealingKeyPhysicalName: names.sealing,
    storeId: "local-store",
    productWorkerName: PRODUCT,
    backends: [{ id: "app", workerName: APP, secrets: declarations.map((declaration) => declaration.id) }],
  })
  bindings = {
    sealing: plan.product.manifest.sealingKeyBinding,
    es256: plan.product.manifest.secrets[keySecrets.ES256.declaration.id]!.binding,
    hook: plan.product.manifest.secrets[keySecrets.HS256.declaration.id]!.binding,
  }
  const [appScript, productScript] = await Promise.all([bundleWorker("./fixtures/keys-worker.ts"), bundleWorker("../../packages/modules/src/worker/index.ts")])
  const options = toMiniflareWorkerOptions(plan)
  mf = new Miniflare({
    secretsStorePersist: false,
    workers: [
      { name: APP, modules: true, script: appScript, compatibilityDate: "2026-04-01", ...options.apps[APP] },
      { name: PRODUCT, modules: true, script: productScript, compatibilityDate: "2026-04-01", ...options.product },
    ],
  })
  await mf.ready
  // First values 10 days ago (the key pair's v1 and its published next key v2), then a forced rotation now.
  const run = await project.layer(["secret", "set", "keys/hook", "--value-env", "V"], { env: { V: HOOK_SEED, LAYERON_TEST_NOW: daysAgo(10) } })
  assert.equal(run.code, 0, run.stderr)
  await layer(["secret", "rotate", "--apply", "--yes"], daysAgo(10))
  await layer(["secret", "rotate", "keys/es256", "keys/hook", "--now", "--apply", "--yes"])
})

after(async () => {
  await mf?.dispose()
  await project?.cleanup()
})

describe("a revoked version in workerd", () => {
  let opened: Map<string, string>
  let retainedToken: string
  let retainedSignature: string

  it("before the revoke: the retained key is in the JWKS and what it signed verifies", async () => {
    opened = await serve()
    const jwks = (await call({ key: "ES256", op: "jwks" })).body as { keys: { kid: string }[] }
    assert.deepEqual(jwks.keys.map((key) => key.kid), ["v2", "v1", "v3"], "current, retained, next")
    retainedToken = nodeToken(opened.get("es256/v1")!, "v1")
    const verified = await call({ key: "ES256", op: "verify", token: retainedToken })
    assert.equal((verified.body.claims as { sub?: string } | undefined)?.sub, "node", JSON.stringify(verified.body))
    retainedSignature = createHmac("sha256", Buffer.from(HOOK_SEED, "base64url")).update("order 7").digest("base64url")
    assert.deepEqual((await call({ key: "HS256", op: "hmac-verify", data: "order 7", signature: retainedSignature, kid: "v1" })).body, { valid: true, kid: "v1" })
  })

  it("after the revoke: the JWKS leaves it out, its token is unknown_kid, its HMAC signature is refused; the current key still signs", async () => {
    await layer(["secret", "revoke", "keys/es256", "v1", "--yes"])
    await layer(["secret", "revoke", "keys/hook", "v1", "--yes"])
    const after = await serve()
    assert.equal(after.has("es256/v1"), false)
    assert.equal(after.get("es256/v2"), opened.get("es256/v2"), "the current key is the same key, now a sealed copy")

    const jwks = (await call({ key: "ES256", op: "jwks" })).body as { keys: { kid: string }[] }
    assert.deepEqual(jwks.keys.map((key) => key.kid), ["v2", "v3"])
    assert.deepEqual((await call({ key: "ES256", op: "verify", token: retainedToken })).body.error, "unknown_kid")
    const signed = await call({ key: "ES256", op: "sign" })
    assert.equal(signed.status, 200, JSON.stringify(signed.body))
    assert.equal(JSON.parse(Buffer.from((signed.body.token as string).split(".")[0]!, "base64url").toString()).kid, "v2")
    assert.equal(((await call({ key: "ES256", op: "verify", token: signed.body.token as string })).body.claims as { sub: string }).sub, "w")

    assert.deepEqual((await call({ key: "HS256", op: "hmac-verify", data: "order 7", signature: retainedSignature, kid: "v1" })).body, { valid: false })
    assert.deepEqual((await call({ key: "HS256", op: "hmac-verify", data: "order 7", signature: retainedSignature })).body, { valid: false }, "not by trying every version either")
    const hmacSigned = (await call({ key: "HS256", op: "hmac-sign", data: "order 8" })).body as { signature: string; kid: string }
    assert.equal(hmacSigned.kid, "v2")
    assert.equal(hmacSigned.signature, createHmac("sha256", Buffer.from(after.get("hook/v2")!, "base64url")).update("order 8").digest("base64url"))
  })
})
