/**
 * What `layer deploy` uploads, run in workerd: a project with 100 declarations is deployed to
 * the Cloudflare API emulator (the manifest travels in the product Worker's bundle, not in a
 * 5 KB var), then the uploaded bundles are started in miniflare with the bindings the upload
 * metadata names and the values the emulator holds, and the app reads the 100th secret.
 * The app is dated 2024-01-01, before RPC became the default: deploy adds the `rpc` flag, and
 * the same app without it cannot call the product Worker (the check is shown to matter).
 */
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { Miniflare } from "miniflare"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator, UploadedScript } from "@layeron/cf-emulator"
import { createProject, jsonOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"

const COUNT = 100
const OLD_DATE = "2024-01-01"
const names = Array.from({ length: COUNT }, (_, i) => `key-${String(i + 1).padStart(3, "0")}`)

const API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "${OLD_DATE}" })
const keys = ${JSON.stringify(names)}.map((name) => secret.random({ name, namespace: "scale" }))
for (const key of keys) app.use(key)
app.get("/last", async (c) => {
  try {
    const bytes = await keys[keys.length - 1].current().bytes()
    return c.json({ ok: true, length: bytes.length })
  } catch (error) {
    return c.json({ ok: false, error: String(error && error.message || error) })
  }
})
export default app
`

function config(accountId: string): string {
  return `import { project } from "@layeron/core"
export default project({
  workspace: "acme",
  name: "scale",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "production",
  environments: { production: { provider: "cloudflare", accountId: "${accountId}" } },
})
`
}

interface Deployed {
  product: UploadedScript
  app: UploadedScript
  productCode: string
  appCode: string
  storeId: string
  doc: { nodes: Array<{ id: string; status: string; detail?: string }> }
}

let emulator: Emulator
let project: TestProject
let deployed: Deployed
let accountId: string

before(async () => {
  emulator = await startEmulator({ pendingDelayMs: 0, quota: COUNT + 1 })
  accountId = emulator.addAccount({ withDefaultStore: true }).id
  const token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  project = await createProject({ "layeron.config.ts": config(accountId), "src/api.ts": API })
  const run = await project.layer(["deploy", "--env", "production", "--json", "--yes"], { env: { CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token } })
  assert.equal(run.code, 0, run.stderr + run.stdout)
  const script = (name: string) => emulator.scripts.find((s) => s.accountId === accountId && s.name === name)!
  const artifact = (name: string) => readFile(join(project.root, ".layeron", "deploy", "production", name, "index.js"), "utf8")
  deployed = {
    product: script("scale-secret-production"),
    app: script("scale-api-production"),
    productCode: await artifact("scale-secret-production"),
    appCode: await artifact("scale-api-production"),
    storeId: emulator.accounts.find((a) => a.id === accountId)!.stores[0]!.id,
    doc: jsonOf(run),
  }
})
after(async () => {
  await project?.cleanup()
  await emulator?.close()
})

/** The uploaded Workers in workerd, wired as their metadata says, the store seeded from the emulator. */
async function run(appFlags: string[]): Promise<{ ok: boolean; length?: number; error?: string }> {
  const secretBindings = (deployed.product.metadata.bindings as Array<{ type: string; name: string; store_id: string; secret_name: string }>).filter((b) => b.type === "secrets_store_secret")
  const service = (deployed.app.metadata.bindings as Array<{ type: string; name: string; service: string; entrypoint: string; props: Record<string, unknown> }>).find((b) => b.type === "service")!
  const mf = new Miniflare({
    secretsStorePersist: false,
    workers: [
      { name: deployed.app.name, modules: true, script: deployed.appCode, compatibilityDate: OLD_DATE, compatibilityFlags: appFlags, serviceBindings: { [service.name]: { name: service.service, entrypoint: service.entrypoint, props: service.props } } },
      {
        name: deployed.product.name,
        modules: true,
        script: deployed.productCode,
        compatibilityDate: deployed.product.metadata.compatibility_date as string,
        secretsStoreSecrets: Object.fromEntries(secretBindings.map((b) => [b.name, { store_id: b.store_id, secret_name: b.secret_name }])),
      },
    ],
  })
  try {
    await mf.ready
    for (const binding of secretBindings) {
      const value = emulator.getSecretValue(accountId, deployed.storeId, binding.secret_name)
      assert.ok(value, `the emulator holds ${binding.secret_name}`)
      await (await mf.getSecretsStoreSecretAPI(binding.name, deployed.product.name))().create(value)
    }
    const app = (await mf.getWorker(deployed.app.name)) as unknown as { fetch(url: string): Promise<{ json(): Promise<unknown> }> }
    return (await (await app.fetch("http://app/last")).json()) as { ok: boolean; length?: number; error?: string }
  } finally {
    await mf.dispose()
  }
}

describe("a deploy of 100 declarations, run in workerd", () => {
  test("uploads the product Worker with 101 Secrets Store bindings and no manifest var; the manifest is in its bundle", () => {
    const types = (deployed.product.metadata.bindings as Array<{ type: string }>).map((b) => b.type)
    assert.equal(types.length, COUNT + 1)
    assert.ok(types.every((type) => type === "secrets_store_secret"))
    const embedded = /BUNDLED_MANIFEST = (\{.*\});$/m.exec(deployed.productCode)?.[1]
    assert.ok(embedded, "the bundle carries the manifest")
    const manifest = JSON.parse(embedded) as { secrets: Record<string, unknown> }
    assert.equal(Object.keys(manifest.secrets).length, COUNT)
    assert.ok(manifest.secrets["scale/key-100"])
    // As a var it would not fit: Cloudflare allows 5 KB per variable.
    assert.ok(Buffer.byteLength(JSON.stringify(manifest)) > 5 * 1024)
  })

  test("an app dated 2024-01-01 is uploaded with the rpc flag, and the deploy says it added it", () => {
    assert.deepEqual(deployed.app.metadata.compatibility_flags, ["rpc"])
    assert.match(deployed.doc.nodes.find((n) => n.id === "api")?.detail ?? "", /compatibility date 2024-01-01 predates RPC .*"rpc" flag was added/)
  })

  test("the app, with the flag deploy added, reads the 100th secret through the product Worker", async () => {
    const answer = await run(deployed.app.metadata.compatibility_flags as string[])
    assert.deepEqual(answer, { ok: true, length: 32 })
  })

  test("the same app without the flag cannot call the product Worker (what the flag prevents)", async () => {
    const answer = await run([])
    assert.equal(answer.ok, false)
  })
})
