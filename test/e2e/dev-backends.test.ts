/**
 * `layer dev` with two backends (each on its own port, both reading secrets), a change of the
 * set of backends while it runs (it says a restart is needed and keeps serving), and bad
 * input: a config edit that breaks the config, a store file corrupted while running, a port
 * in use (the owner named), a backend that does not build at start (nothing served, the fix
 * picked up). Each names the problem, and nothing is left behind on exit.
 */
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { readdir, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { after, describe, test } from "node:test"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { devTempEntries, get, leftoversContaining, portIsFree, startDev, until, urls } from "./dev-process.js"
import type { DevProcess } from "./dev-process.js"

const STRIPE = "sk_live_CANARY_backends_4c1d7e"
const ADMIN = "CANARY_admin_token_b29e51"
const fingerprint = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 12)

const config = (backends: string) => `import { project } from "@layeron/core"
export default project({
  workspace: "acme",
  name: "shop",
  backends: { ${backends} },
  defaultEnvironment: "dev",
  environments: { dev: { provider: "local" } },
})
`
const TWO = 'api: "./src/api.ts", admin: "./admin/index.ts"'

const reader = (name: string, namespace: string, secretName: string) => `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "${name}", compatibilityDate: "2026-04-01" })
const value = secret.static({ name: "${secretName.toLowerCase()}", namespace: "${namespace}", secretName: "${secretName}" })
app.use(value)
const digest = async (text: string) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 12)
app.get("/", async (c) => {
  try {
    return c.json({ backend: "${name}", fingerprint: await digest(await value.current().text()) })
  } catch (error) {
    return c.json({ error: (error as { code?: string }).code }, 503)
  }
})
export default app
`

const projects: TestProject[] = []
after(async () => {
  for (const project of projects) await project.cleanup()
})

async function twoBackends(): Promise<TestProject> {
  const project = await createProject({
    "layeron.config.ts": config(TWO),
    "src/api.ts": reader("api", "payments", "STRIPE_SECRET"),
    "admin/index.ts": reader("admin", "admin", "ADMIN_TOKEN"),
  })
  projects.push(project)
  for (const [name, value] of [["STRIPE_SECRET", STRIPE], ["ADMIN_TOKEN", ADMIN]] as const) {
    const set = await project.layer(["secret", "set", name, "--value-env", "VALUE"], { env: { VALUE: value } })
    assert.equal(set.code, 0, set.stderr)
  }
  return project
}

async function stopAndCheck(project: TestProject, dev: DevProcess, ports: number[]): Promise<void> {
  dev.child.kill("SIGINT")
  assert.equal(await dev.exited, 0, dev.stderr())
  for (const port of ports) assert.ok(await portIsFree(port), `port ${port} still taken`)
  for (const value of [STRIPE, ADMIN]) {
    assert.deepEqual(await leftoversContaining(project, dev, value), [])
    assert.ok(!dev.stderr().includes(value) && !dev.stdout().includes(value), "a value appeared in the output")
  }
  assert.deepEqual(await devTempEntries(dev), [])
}

describe("layer dev: more than one backend", () => {
  test("two backends on their own ports, both reading secrets; a change of the set of backends asks for a restart; a broken config keeps the last build serving", async () => {
    const project = await twoBackends()
    const dev = await startDev(project, 0)
    const found = await urls(dev, 2)
    const api = found.get("api") ?? ""
    const admin = found.get("admin") ?? ""
    assert.notEqual(api, admin)
    assert.deepEqual(await get(api, "/"), { status: 200, body: { backend: "api", fingerprint: fingerprint(STRIPE) } })
    assert.deepEqual(await get(admin, "/"), { status: 200, body: { backend: "admin", fingerprint: fingerprint(ADMIN) } })

    await project.write("worker/index.ts", reader("worker", "jobs", "JOBS_KEY"))
    await project.write("layeron.config.ts", config(`${TWO}, worker: "./worker/index.ts"`))
    await until("the restart notice", async () => (/the backends in layeron\.config\.ts changed \(added worker\): restart `layer dev` to serve the new set; still serving api, admin/.test(dev.stderr()) ? true : undefined), dev)
    assert.equal((await get(admin, "/")).body.fingerprint, fingerprint(ADMIN))

    await project.write("layeron.config.ts", config("api: "))
    await until("the config error", async () => (/rebuild failed, still serving the previous build: .*layeron\.config\.ts/.test(dev.stderr()) ? true : undefined), dev)
    assert.equal((await get(api, "/")).body.fingerprint, fingerprint(STRIPE))
    await stopAndCheck(project, dev, [Number(new URL(api).port), Number(new URL(admin).port)])
  })
})

describe("layer dev: bad input", () => {
  test("a store file corrupted while running: named, the values loaded before keep serving", async () => {
    const project = await twoBackends()
    const dev = await startDev(project, 0)
    const api = (await urls(dev, 2)).get("api") ?? ""
    const storeDir = join(project.root, ".layeron", "local", "dev")
    const file = (await readdir(storeDir)).find((name) => name.endsWith(".json") && name.startsWith("STRIPE_SECRET"))
    assert.ok(file, `no store file for STRIPE_SECRET in ${(await readdir(storeDir)).join(", ")}`)
    await writeFile(join(storeDir, file), "{ not json")
    await until("the store error", async () => (/cannot read the local store, still serving the values loaded before: .*STRIPE_SECRET/.test(dev.stderr()) ? true : undefined), dev)
    assert.equal((await get(api, "/")).body.fingerprint, fingerprint(STRIPE))
    await stopAndCheck(project, dev, [Number(new URL(api).port)])
  })

  test("a port in use: the error names the port, its owner and --port; nothing is started", async () => {
    const project = await twoBackends()
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const { port } = blocker.address() as AddressInfo
    try {
      const dev = await startDev(project, port)
      assert.equal(await dev.exited, 1)
      assert.match(dev.stderr(), new RegExp(`error: port ${port} on 127\\.0\\.0\\.1 is already in use by node \\(pid ${process.pid}\\)`))
      assert.match(dev.stderr(), /hint: .*`layer dev --port \d+`/)
      assert.deepEqual(await devTempEntries(dev), [])
      assert.deepEqual(await readdir(join(project.home, "dev")).catch(() => []), [])
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })

  test("a backend that does not build at start: nothing served, the reason said, the fix picked up", async () => {
    const project = await twoBackends()
    await project.write("admin/index.ts", `${reader("admin", "admin", "ADMIN_TOKEN")}\nimport "./missing.ts"\n`)
    const dev = await startDev(project, 0)
    await until("the build error", async () => (/backend "admin".*missing\.ts[\s\S]*serving nothing until it builds; watching for changes/.test(dev.stderr()) ? true : undefined), dev)
    assert.doesNotMatch(dev.stderr(), /on http:/)
    await project.write("admin/index.ts", reader("admin", "admin", "ADMIN_TOKEN"))
    const found = await urls(dev, 2)
    assert.equal((await get(found.get("admin") ?? "", "/")).body.fingerprint, fingerprint(ADMIN))
    await stopAndCheck(project, dev, [...found.values()].map((url) => Number(new URL(url).port)))
  })
})
