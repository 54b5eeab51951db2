/**
 * What no Cloudflare document says, settled on the live API (runs only when
 * CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID are set; otherwise every case is skipped with
 * the reason). Each case names the assumption it checks; docs/cloudflare.md lists them.
 * Everything it creates is named LAYERON_LIVE_<random> / layeron-live-<random> and deleted
 * afterwards. CLOUDFLARE_API_BASE_URL, if set, is honoured (the emulator: the cases that need
 * a real workers.dev address then skip).
 *
 *   CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=… node --import tsx --conditions=source --test test/live/platform.live.test.ts
 */
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { after, before, describe, it } from "node:test"
import { serializeEnvelope } from "../../packages/modules/src/envelope/index.js"
import { DEFAULT_API_BASE_URL, CloudflareApi } from "../../packages/cli/src/providers/cloudflare/api.js"
import { CloudflareApiError, isQuotaRefusal, isValueSizeRefusal } from "../../packages/cli/src/providers/cloudflare/errors.js"
import { createCloudflareProvider } from "../../packages/cli/src/providers/cloudflare/index.js"
import { createSecrets, deleteSecret, editSecret, getQuota, listSecrets } from "../../packages/cli/src/providers/cloudflare/secrets.js"
import type { StoreRef } from "../../packages/cli/src/providers/provider.js"
import { SecretText } from "../../packages/cli/src/providers/provider.js"
import { bundleProductWorker } from "../../packages/cli/src/deploy/bundle.js"
import { uploadScript } from "../../packages/cli/src/deploy/upload.js"
import { APP_KEEP_BINDINGS } from "../../packages/cli/src/deploy/workers.js"
import type { UploadMetadata, WorkerScript } from "../../packages/cli/src/deploy/workers.js"
import { accountSubdomain, scriptOnWorkersDev, setScriptOnWorkersDev, workersDevUrl } from "../../packages/cli/src/deploy/workers-dev.js"

const token = process.env.CLOUDFLARE_API_TOKEN ?? ""
const accountId = (process.env.CLOUDFLARE_ACCOUNT_ID ?? "").toLowerCase()
const skip = token && accountId ? undefined : "set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID to run against the live Cloudflare API"
const live = (process.env.CLOUDFLARE_API_BASE_URL ?? DEFAULT_API_BASE_URL) === DEFAULT_API_BASE_URL
const opts = (reason = skip) => (reason ? { skip: reason } : {})
/** Polling: how long Cloudflare may take to make a secret active or a route answer. */
const SETTLE_MS = 120_000

const suffix = randomBytes(4).toString("hex")
const secretName = (what: string) => `LAYERON_LIVE_${what}_${suffix}`
const scriptName = (what: string) => `layeron-live-${what}-${suffix}`

let api: CloudflareApi
let store: StoreRef
let home: string
const createdSecrets: string[] = []
const createdScripts: string[] = []

before(async () => {
  if (skip) return
  api = new CloudflareApi({ apiToken: token })
  home = await mkdtemp(join(tmpdir(), "layeron-live-"))
  store = await createCloudflareProvider({ accountId, apiToken: token, home }).resolveStore()
})
after(async () => {
  if (skip) return
  for (const name of createdScripts) await api.call({ method: "DELETE", path: `/accounts/${accountId}/workers/scripts/${name}` }).catch(() => {})
  for (const id of createdSecrets) await deleteSecret(api, accountId, store.id, id).catch(() => {})
  await rm(home, { recursive: true, force: true })
})

async function create(name: string, value: string) {
  const [created] = await createSecrets(api, accountId, store.id, [{ name, value: new SecretText(value), scopes: ["workers"] }])
  assert.ok(created, `Cloudflare returned the created secret ${name}`)
  createdSecrets.push(created.id)
  return created
}

async function listed(name: string) {
  const { items } = await listSecrets(api, accountId, store.id, { search: name })
  const found = items.find((secret) => secret.name === name)
  assert.ok(found, `${name} is listed`)
  return found
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + SETTLE_MS
  for (let wait = 500; ; wait = Math.min(wait * 2, 8_000)) {
    const result = await probe()
    if (result !== undefined) return result
    if (Date.now() > deadline) assert.fail(`${what}: not within ${SETTLE_MS / 1000} s`)
    await sleep(wait)
  }
}

async function refusal(promise: Promise<unknown>): Promise<CloudflareApiError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof CloudflareApiError, `a Cloudflare refusal, got ${String(error)}`)
    return error
  }
  return assert.fail("Cloudflare accepted it")
}

describe("Secrets Store: what rotation's crash safety assumes about `modified`", () => {
  it("create, PATCH and list agree on `modified`; every PATCH moves it forward; pending → active does not move it", opts(), async () => {
    const name = secretName("MODIFIED")
    const created = await create(name, "v1")
    const afterCreate = await listed(name)
    assert.equal(afterCreate.modified, created.modified, "list returns the create response's `modified`, byte for byte")

    const active = await until("the new secret becomes active", async () => {
      const secret = await listed(name)
      return secret.status === "active" ? secret : undefined
    })
    assert.equal(active.modified, created.modified, "pending → active leaves `modified` as it was")

    let previous = created.modified
    for (const value of ["v2", "v3"]) {
      const patched = await editSecret(api, accountId, store.id, created.id, { value: new SecretText(value) })
      assert.ok(patched.modified > previous, `a PATCH moves \`modified\` forward (${previous} → ${patched.modified})`)
      assert.equal((await listed(name)).modified, patched.modified, "list returns the PATCH response's `modified`")
      previous = patched.modified
    }
    // Two PATCHes back to back (well within a second) still differ: rotation tells writes apart by it.
    const a = await editSecret(api, accountId, store.id, created.id, { value: new SecretText("v4") })
    const b = await editSecret(api, accountId, store.id, created.id, { value: new SecretText("v5") })
    assert.ok(b.modified > a.modified, `back-to-back PATCHes get distinct, increasing \`modified\` (${a.modified}, ${b.modified})`)
  })
})

describe("Secrets Store refusals, in Cloudflare's words", () => {
  it("a value of 65,537 bytes is refused with a size refusal layer recognises", opts(), async () => {
    // Sent directly: the provider refuses it before sending.
    const error = await refusal(api.call({ method: "POST", path: `/accounts/${accountId}/secrets_store/stores/${store.id}/secrets`, body: [{ name: secretName("TOO_BIG"), value: "x".repeat(65_537), scopes: ["workers"] }] }))
    assert.ok(isValueSizeRefusal(error.errors), `recognised as a size refusal: ${JSON.stringify(error.errors)}`)
  })

  it("a duplicate name is 1003 secret_name_already_exists", opts(), async () => {
    const name = secretName("DUPLICATE")
    await create(name, "first")
    const error = await refusal(createSecrets(api, accountId, store.id, [{ name, value: new SecretText("second"), scopes: ["workers"] }]))
    assert.ok(error.has(1003, "secret_name_already_exists"), JSON.stringify(error.errors))
  })

  it("the quota refusal is recognised as one (only when the account is within 3 secrets of its quota)", opts(), async (t) => {
    const { secrets } = await getQuota(api, accountId)
    const left = secrets.quota - secrets.usage
    if (left > 3) return t.skip(`the account has ${left} of ${secrets.quota} secrets left; filling it to see the refusal would take ${left} throwaway secrets`)
    const fill = []
    try {
      for (let i = 0; i < left; i++) fill.push(await create(secretName(`FILL_${i}`), "x"))
      const error = await refusal(createSecrets(api, accountId, store.id, [{ name: secretName("OVER"), value: new SecretText("x"), scopes: ["workers"] }]))
      assert.ok(isQuotaRefusal(error.errors), `recognised as a quota refusal: ${JSON.stringify(error.errors)}`)
      assert.ok(!isValueSizeRefusal(error.errors))
    } finally {
      // The cases after this one create secrets: give the room back at once.
      for (const secret of fill) await deleteSecret(api, accountId, store.id, secret.id).catch(() => {})
    }
  })
})

const helloModule = 'export default { fetch() { return new Response("layeron live") } }\n'
const script = (name: string, code: string, metadata: Partial<UploadMetadata> = {}): WorkerScript => ({
  role: "app",
  name,
  code,
  metadata: { main_module: "index.js", compatibility_date: "2026-04-01", compatibility_flags: [], bindings: [], ...metadata },
  wrangler: {},
  digest: "",
})
const uploadContext = { context: { environment: "live", secretIds: new Map<string, string>() } }

describe("Workers uploads", () => {
  it("a script uploaded through the API is not on workers.dev until switched on; deploy's keep_bindings list is accepted", opts(), async () => {
    const name = scriptName("default")
    createdScripts.push(name)
    await uploadScript(api, accountId, script(name, helloModule), uploadContext)
    assert.equal(await scriptOnWorkersDev(api, accountId, name), false, "workers.dev is off after a PUT")
    await setScriptOnWorkersDev(api, accountId, name, true)
    assert.equal(await scriptOnWorkersDev(api, accountId, name), true)
    // The second upload is an app Worker's as deploy sends it: Cloudflare must accept the keep_bindings list.
    await uploadScript(api, accountId, script(name, helloModule, { keep_bindings: [...APP_KEEP_BINDINGS] }), uploadContext)
    assert.equal(await scriptOnWorkersDev(api, accountId, name), true, "a later PUT leaves the route as it was")
  })

  it("an upload with 100 Secrets Store bindings is accepted (the product Worker of a 99-declaration project)", opts(), async () => {
    const secret = await create(secretName("BOUND"), "bound")
    await until("the secret becomes active", async () => ((await listed(secret.name)).status === "active" ? true : undefined))
    const bindings = Array.from({ length: 100 }, (_, i) => ({ type: "secrets_store_secret" as const, name: `S_${i}`, store_id: store.id, secret_name: secret.name }))
    const name = scriptName("bindings")
    createdScripts.push(name)
    const before = (await listed(secret.name)).modified
    await uploadScript(api, accountId, script(name, helloModule, { bindings }), uploadContext)
    assert.equal((await listed(secret.name)).modified, before, "binding a secret at deploy leaves its `modified` as it was")
  })

  it("an app dated 2024-01-01 with the rpc flag reads a secret through the Secret Product Worker", opts(skip ?? (live ? undefined : "needs a real workers.dev address")), async (t) => {
    const subdomain = await accountSubdomain(api, accountId)
    if (subdomain === null) return t.skip("the account has no workers.dev subdomain (10007): register one to run this case")
    const value = randomBytes(24).toString("base64url")
    const secret = await create(secretName("RPC"), serializeEnvelope({ current: "v1", versions: { v1: { value, createdAt: new Date().toISOString() } } }))
    await until("the secret becomes active", async () => ((await listed(secret.name)).status === "active" ? true : undefined))
    const product = scriptName("product")
    const app = scriptName("app")
    createdScripts.push(app, product)
    const manifest = { version: 1 as const, secrets: { "live/probe": { binding: "S_PROBE", physicalName: secret.name, format: "base64url" as const, expose: "versioned" as const } }, sealingKeyBinding: "S_SEALING", backends: { live: ["live/probe"] } }
    const productCode = await bundleProductWorker(process.cwd(), manifest)
    await uploadScript(api, accountId, script(product, productCode, { bindings: [{ type: "secrets_store_secret", name: "S_PROBE", store_id: store.id, secret_name: secret.name }] }), uploadContext)
    const appCode = `export default { async fetch(request, env) { const reply = await env.LAYERON_SECRET.read("live/probe", { kind: "current" }); return Response.json(reply.ok ? { ok: true, length: reply.value.value.length } : reply) } }\n`
    await uploadScript(api, accountId, script(app, appCode, { compatibility_date: "2024-01-01", compatibility_flags: ["rpc"], bindings: [{ type: "service", name: "LAYERON_SECRET", service: product, entrypoint: "SecretProduct", props: { backend: "live" } }] }), uploadContext)
    await setScriptOnWorkersDev(api, accountId, app, true)
    const answer = await until("the app answers on workers.dev", async () => {
      const response = await fetch(workersDevUrl(app, subdomain)).catch(() => undefined)
      return response?.ok ? ((await response.json()) as { ok: boolean; length?: number }) : undefined
    })
    assert.deepEqual(answer, { ok: true, length: value.length })
  })
})
