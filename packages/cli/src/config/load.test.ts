import assert from "node:assert/strict"
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { after, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import { isLayerError } from "../errors.js"
import type { LayerError } from "../errors.js"
import { loadProject } from "./load.js"

const REPO_NODE_MODULES = fileURLToPath(new URL("../../../../node_modules", import.meta.url))
const CONFIG = `import { project } from "@layeron/core"
import type { ProjectConfig } from "@layeron/core"
const backends: ProjectConfig["backends"] = { api: "./src/api.ts", jobs: "./src/jobs.ts" }
export default project({ workspace: "acme", name: "shop", backends, environments: { dev: { provider: "local" }, qa: { provider: "local" } } })
`
const SHARED = `import { secret } from "@layeron/modules"
export const sessionKey = secret.random({ name: "session-key", namespace: "auth" })
`
const API = `import { env, WorkerEntrypoint } from "cloudflare:workers"
import { connect } from "cloudflare:sockets"
import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
import { sessionKey } from "./shared.js"
export class Rpc extends WorkerEntrypoint {}
const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
app.use(sessionKey)
app.use(secret.static({ name: "stripe", namespace: "payments" }))
app.get("/", (c) => c.text(String(Object.keys(env).length) + typeof connect))
export default app
`
const JOBS = `import { backend } from "@layeron/core"
import { sessionKey } from "./shared.js"
const app = backend({ name: "jobs", compatibilityDate: "2026-05-24" })
app.use(sessionKey)
export default app
`

const roots: string[] = []
async function project(files: Record<string, string>, { packageType = "module" as string | null } = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "layeron-load-"))
  roots.push(root)
  await symlink(REPO_NODE_MODULES, join(root, "node_modules"), "dir")
  const all: Record<string, string> = { "src/shared.ts": SHARED, "src/api.ts": API, "src/jobs.ts": JOBS, "layeron.config.ts": CONFIG, ...files }
  if (packageType) all["package.json"] = JSON.stringify({ type: packageType })
  for (const [path, content] of Object.entries(all)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), content)
  }
  return root
}

const load = (cwd: string, environment?: string, env: NodeJS.ProcessEnv = {}) => loadProject({ cwd, environment, env, debug: () => {} })

async function loadError(promise: Promise<unknown>): Promise<LayerError> {
  try {
    await promise
  } catch (error) {
    assert.ok(isLayerError(error), `expected a LayerError, got ${String(error)}`)
    return error
  }
  assert.fail("expected the project to fail to load")
}

describe("loadProject", () => {
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true })
  })

  it("loads a TypeScript config and finds declarations in backends that import cloudflare:*", async () => {
    const root = await project({})
    const loaded = await load(join(root, "src"))
    assert.equal(loaded.root, root)
    assert.equal(loaded.environment.name, "dev")
    assert.deepEqual(loaded.declarations.map((d) => [d.declaration.id, d.backend]), [["auth/session-key", "api"], ["payments/stripe", "api"]])
  })

  it("reports each backend in config order with its backend() options, or none for a plain module", async () => {
    const root = await project({ "src/jobs.ts": "export default { fetch() { return new Response('ok') } }" })
    const loaded = await load(root)
    assert.deepEqual(
      loaded.backends.map((b) => [b.id, b.file.slice(root.length), b.app]),
      [
        ["api", "/src/api.ts", { name: "api", compatibilityDate: "2026-05-24", compatibilityFlags: [] }],
        ["jobs", "/src/jobs.ts", undefined],
      ],
    )
  })

  it("selects the environment from --env", async () => {
    const root = await project({})
    assert.equal((await load(root, "qa")).environment.name, "qa")
    const error = await loadError(load(root, "prod"))
    assert.equal(error.code, "unknown_environment")
    assert.match(error.message, /known: dev, qa/)
  })

  it("loads a .mjs config", async () => {
    const root = await project({ "layeron.config.ts": "", "layeron.config.mjs": 'export default { workspace: "acme", name: "shop", backends: { jobs: "./src/jobs.ts" } }' })
    await rm(join(root, "layeron.config.ts"))
    assert.deepEqual((await load(root)).declarations.map((d) => d.declaration.id), ["auth/session-key"])
  })

  it("loads a config from a package without \"type\": \"module\"", async () => {
    const root = await project({ "layeron.config.ts": 'export default { workspace: "acme", name: "shop", backends: { jobs: "./src/jobs.ts" } }', "src/jobs.ts": "export default { fetch() {} }" }, { packageType: null })
    assert.equal((await load(root)).config.workspace, "acme")
  })

  it("says where it looked when there is no config", async () => {
    const empty = await mkdtemp(join(tmpdir(), "layeron-noconfig-"))
    roots.push(empty)
    const error = await loadError(load(empty))
    assert.equal(error.code, "config_not_found")
    assert.match(error.message, /no layeron\.config\.ts in .*layeron-noconfig-.* or any directory above it/)
    assert.match(error.hint ?? "", /--cwd/)
  })

  it("a placeholder account id (pasted from the README) fails only the environment that uses it", async () => {
    const config = `import { project } from "@layeron/core"
export default project({ workspace: "acme", name: "shop", backends: { api: "./src/api.ts" }, environments: { dev: { provider: "local" }, production: { provider: "cloudflare", accountId: "<32-hex account id>" } } })
`
    const root = await project({ "layeron.config.ts": config })
    assert.equal((await load(root, "dev")).environment.name, "dev")
    const error = await loadError(load(root, "production"))
    assert.equal(error.code, "invalid_config")
    assert.match(error.message, /environments\.production\.accountId is still the placeholder "<32-hex account id>"/)
    assert.match(error.hint ?? "", /your Cloudflare account id, 32 hex digits/)
  })

  it("a package the config imports but node_modules lacks: run npm install, not 'fix the error'", async () => {
    const root = await project({ "layeron.config.ts": 'import { project } from "@layeron/not-installed"\nexport default project({})\n' })
    const error = await loadError(load(root))
    assert.equal(error.code, "config_import_failed")
    assert.match(error.hint ?? "", /^@layeron\/not-installed is not installed: run `npm install`/)
  })

  it("refuses @layeron packages whose versions differ, naming both", async () => {
    const root = await project({})
    const app = join(root, "app")
    await mkdir(join(app, "node_modules", "@layeron", "modules"), { recursive: true })
    await writeFile(join(app, "node_modules", "@layeron", "modules", "package.json"), JSON.stringify({ name: "@layeron/modules", version: "0.0.9" }))
    await writeFile(join(app, "layeron.config.ts"), CONFIG)
    const error = await loadError(load(app))
    assert.equal(error.code, "layeron_version_mismatch")
    assert.match(error.message, /@layeron\/cli \d+\.\d+\.\d+ \(the running layer\) and @layeron\/modules 0\.0\.9 \(.*app\/node_modules\/@layeron\/modules\/package\.json\) do not match/)
  })

  it("names the config file and keeps the original message when it throws", async () => {
    const root = await project({ "layeron.config.ts": 'throw new Error("config exploded")\nexport default {}' })
    const error = await loadError(load(root))
    assert.equal(error.code, "config_import_failed")
    assert.match(error.message, /layeron\.config\.ts threw while loading: config exploded/)
  })

  it("refuses a config without a default export", async () => {
    const root = await project({ "layeron.config.ts": "export const config = {}" })
    const error = await loadError(load(root))
    assert.equal(error.code, "config_no_default_export")
    assert.match(error.hint ?? "", /export default project/)
  })

  it("lists every rule a config breaks, each starting with the file and field", async () => {
    const root = await project({ "layeron.config.ts": 'export default { workspace: "Acme", backends: { api: "./nope.ts" } }' })
    const error = await loadError(load(root))
    assert.equal(error.code, "invalid_config")
    assert.match(error.message, /^3 problems in layeron\.config\.ts:/)
    assert.match(error.message, /layeron\.config\.ts: workspace is "Acme": must match/)
    assert.match(error.message, /layeron\.config\.ts: name is missing: required/)
    assert.match(error.message, /layeron\.config\.ts: backends\.api is "\.\/nope\.ts": no such file/)
  })

  it("names the backend and file when a backend throws on import, with the original message", async () => {
    const root = await project({ "src/jobs.ts": 'import { secret } from "@layeron/modules"\nsecret.random({ name: "Bad Name" })\nexport default {}' })
    const error = await loadError(load(root))
    assert.equal(error.code, "backend_import_failed")
    assert.match(error.message, /^backend "jobs" \(src\/jobs\.ts\) threw while loading: .*option "name" is "Bad Name"/)
  })

  it("refuses a backend without a default export", async () => {
    const root = await project({ "src/jobs.ts": "export const x = 1" })
    const error = await loadError(load(root))
    assert.equal(error.code, "backend_no_default_export")
    assert.match(error.message, /backend "jobs" \(src\/jobs\.ts\) has no default export/)
  })

  it("refuses one secret declared differently by two backends, naming both", async () => {
    const root = await project({
      "src/jobs.ts": `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
const app = backend({ name: "jobs", compatibilityDate: "2026-05-24" })
app.use(secret.random({ name: "session-key", namespace: "auth", bytes: 64 }))
export default app`,
    })
    const error = await loadError(load(root))
    assert.equal(error.code, "conflicting_declarations")
    assert.match(error.message, /"auth\/session-key" is declared differently by backend "api" \(src\/api\.ts\) and backend "jobs" \(src\/jobs\.ts\)/)
  })
})
