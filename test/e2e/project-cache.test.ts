/**
 * The project cache (packages/cli/src/config/cache.ts) as a user meets it: a second command
 * does not import the project again, yet every change to what the project is made of shows
 * up at once; a failing command saves nothing; the cache holds no value and can be turned off.
 */
import assert from "node:assert/strict"
import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, DEFAULT_API, jsonOf, modeOf } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"

const HIT = /project cache: config and declarations from /
const cacheDir = (project: TestProject) => join(project.home, "cache", "projects")

async function cacheFiles(project: TestProject): Promise<string[]> {
  try {
    return await readdir(cacheDir(project))
  } catch {
    return []
  }
}

function declaredIds(run: LayerRun): string[] {
  const document = jsonOf<{ secrets: Array<{ namespace: string | null; name: string; declared?: boolean }> }>(run)
  return document.secrets.filter((s) => s.namespace !== null && s.declared !== false).map((s) => `${s.namespace}/${s.name}`)
}

describe("project cache", () => {
  let project: TestProject
  before(async () => {
    project = await createProject()
  })
  after(async () => {
    await project.cleanup()
  })

  it("is saved after a successful command and used by the next one", async () => {
    const first = await project.layer(["secret", "list", "--json", "--debug"])
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stderr, /project cache: none yet/)
    assert.deepEqual(await cacheFiles(project), [(await cacheFiles(project))[0]])
    const second = await project.layer(["secret", "list", "--json", "--debug"])
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stderr, HIT)
    assert.deepEqual(declaredIds(second), declaredIds(first))
  })

  it("is private (0600 in a 0700 directory) and holds no value", async () => {
    const value = "cache-probe-value-4c1d"
    const set = await project.layer(["secret", "set", "payments/stripe", "--value-env", "V"], { env: { V: value } })
    assert.equal(set.code, 0, set.stderr)
    const [file] = await cacheFiles(project)
    assert.ok(file)
    assert.equal(await modeOf(cacheDir(project)), 0o700)
    assert.equal(await modeOf(join(cacheDir(project), file)), 0o600)
    assert.deepEqual(await project.filesContaining(value), [], "the value is in a file (the local store encrypts it)")
  })

  it("sees an edited backend at once", async () => {
    await project.write("src/api.ts", DEFAULT_API.replace("export default app", `app.use(secret.static({ name: "added-later", namespace: "ops" }))\nexport default app`))
    const run = await project.layer(["secret", "list", "--json", "--debug"])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, /project cache: .*src\/api\.ts changed; importing the project/)
    assert.ok(declaredIds(run).includes("ops/added-later"), declaredIds(run).join(", "))
    await project.write("src/api.ts", DEFAULT_API)
    const back = await project.layer(["secret", "list", "--json"])
    assert.ok(!declaredIds(back).includes("ops/added-later"))
  })

  it("sees a change in a file the backend imports", async () => {
    await project.write("src/shared.ts", `import { secret } from "@layeron/modules"\nexport const shared = secret.static({ name: "one", namespace: "shared" })\n`)
    await project.write("src/api.ts", `import { shared } from "./shared.js"\n${DEFAULT_API.replace("export default app", "app.use(shared)\nexport default app")}`)
    assert.ok(declaredIds(await project.layer(["secret", "list", "--json"])).includes("shared/one"))
    await project.write("src/shared.ts", `import { secret } from "@layeron/modules"\nexport const shared = secret.static({ name: "two", namespace: "shared" })\n`)
    const ids = declaredIds(await project.layer(["secret", "list", "--json"]))
    assert.ok(ids.includes("shared/two") && !ids.includes("shared/one"), ids.join(", "))
    await project.write("src/api.ts", DEFAULT_API)
  })

  it("sees a change in an environment variable the config reads, without storing its value", async () => {
    const config = await readFile(join(project.root, "layeron.config.ts"), "utf8")
    await project.write("layeron.config.ts", config.replace('workspace: "acme"', 'workspace: process.env.SHOP_WORKSPACE ?? "acme"'))
    const physical = async (workspace: string) => {
      const run = await project.layer(["secret", "list", "--json", "--debug"], { env: { SHOP_WORKSPACE: workspace } })
      assert.equal(run.code, 0, run.stderr)
      const row = jsonOf<{ secrets: Array<{ namespace: string | null; name: string; physicalName: string }> }>(run).secrets.find((s) => s.name === "session-key")
      return { name: row?.physicalName, stderr: run.stderr }
    }
    const acme = await physical("acme-env-probe")
    const again = await physical("acme-env-probe")
    assert.match(again.stderr, HIT)
    assert.equal(again.name, acme.name)
    const other = await physical("other-env-probe")
    assert.match(other.stderr, /environment variable SHOP_WORKSPACE changed/)
    assert.notEqual(other.name, acme.name)
    assert.deepEqual(await project.filesContaining("acme-env-probe"), [])
    await project.write("layeron.config.ts", config)
  })

  it("is not saved when the command fails", async () => {
    const fresh = await createProject()
    try {
      const run = await fresh.layer(["secret", "set", "bad name!", "--value-env", "V", "--json"], { env: { V: "v" } })
      assert.equal(run.code, 1, run.stderr)
      assert.deepEqual(await cacheFiles(fresh), [])
    } finally {
      await fresh.cleanup()
    }
  })

  it("ignores a damaged cache file and replaces it", async () => {
    const [file] = await cacheFiles(project)
    assert.ok(file)
    await writeFile(join(cacheDir(project), file), "{ not json")
    const run = await project.layer(["secret", "list", "--json", "--debug"])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, /project cache: unreadable \(not JSON\), ignored/)
    assert.match(run.stderr, /project cache: saved /)
    assert.match((await project.layer(["secret", "list", "--debug"])).stderr, HIT)
  })

  it("is not used or written with LAYERON_PROJECT_CACHE=off", async () => {
    const fresh = await createProject()
    try {
      const run = await fresh.layer(["secret", "list", "--json", "--debug"], { env: { LAYERON_PROJECT_CACHE: "off" } })
      assert.equal(run.code, 0, run.stderr)
      assert.doesNotMatch(run.stderr, /project cache/)
      assert.deepEqual(await cacheFiles(fresh), [])
    } finally {
      await fresh.cleanup()
    }
  })

  it("is not saved for a project that reads the whole environment while loading", async () => {
    const fresh = await createProject({ "src/api.ts": `const seen = Object.keys(process.env).length\n${DEFAULT_API}` })
    try {
      const run = await fresh.layer(["secret", "list", "--json", "--debug"])
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stderr, /project cache: not saved, the project enumerates process\.env while loading/)
      assert.deepEqual(await cacheFiles(fresh), [])
    } finally {
      await fresh.cleanup()
    }
  })
})

describe("project cache: paths as imported", () => {
  it("a symlinked source folder switched to another target is a change: secret set never writes the previous declaration's name", async () => {
    const project = await createProject({ "src/api.ts": null })
    try {
      const { rm, symlink } = await import("node:fs/promises")
      await project.write("src-a/api.ts", DEFAULT_API)
      await project.write("src-b/api.ts", DEFAULT_API.replace('name: "session-key", namespace: "auth"', 'name: "session-key", namespace: "billing"'))
      await rm(join(project.root, "src"), { recursive: true, force: true })
      await symlink("src-a", join(project.root, "src"))
      const list = async () => {
        const run = await project.layer(["secret", "list", "--json", "--debug"])
        assert.equal(run.code, 0, run.stderr)
        return { ids: declaredIds(run), stderr: run.stderr }
      }
      assert.ok((await list()).ids.includes("auth/session-key"))
      const hit = await list()
      assert.match(hit.stderr, HIT)
      await rm(join(project.root, "src"))
      await symlink("src-b", join(project.root, "src"))
      const switched = await list()
      assert.match(switched.stderr, /src\/api\.ts now resolves to .+src-b\/api\.ts \(a symlink changed\)/)
      assert.ok(switched.ids.includes("billing/session-key") && !switched.ids.includes("auth/session-key"), switched.ids.join(", "))
      const set = await project.layer(["secret", "set", "billing/session-key", "--value-env", "V", "--json"], { env: { V: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" } })
      assert.equal(set.code, 0, set.stderr)
    } finally {
      await project.cleanup()
    }
  })
})
