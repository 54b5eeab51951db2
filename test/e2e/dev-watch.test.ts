/**
 * `layer dev` sees every save: an in-place write, a rename-save three times in a row (how
 * `sed -i`, vim and JetBrains' safe write save), an editor's temp files, a new imported file
 * in a new folder, a deleted file. Each is exactly one build (run with --debug, a build whose
 * bundles did not change says so, and none may), and the new code answers. An exception in
 * user code names `src/api.ts:LINE`, not the bundle.
 */
import assert from "node:assert/strict"
import { rename, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, describe, test } from "node:test"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { get, startDev, until, urls } from "./dev-process.js"

const api = (build: string, extra = "") => `import { backend } from "@layeron/core"
${extra ? 'import { greeting } from "./lib/words/greeting.ts"\n' : ""}
const app = backend({ name: "api", compatibilityDate: "2026-04-01" })

app.get("/build", (c) => c.json({ build: "${build}"${extra ? ", greeting" : ""} }))
app.get("/boom", () => {
  throw new Error("boom in user code")
})
export default app
`

const projects: TestProject[] = []
after(async () => {
  for (const project of projects) await project.cleanup()
})

describe("layer dev: every save is seen", () => {
  test("in place, by rename (three in a row), through editors' temp files, a new file in a new folder, a deleted file: one build each", async () => {
    const project = await createProject({ "src/api.ts": api("first") })
    projects.push(project)
    const dev = await startDev(project, 0, { args: ["--debug"] })
    const file = join(project.root, "src", "api.ts")
    const rebuilt = () => dev.stderr().match(/^rebuilt api \(/gm)?.length ?? 0
    const failed = () => dev.stderr().match(/rebuild failed, still serving the previous build/g)?.length ?? 0
    const idle = () => dev.stderr().match(/the bundles did not/g)?.length ?? 0
    try {
      const url = (await urls(dev)).get("api") ?? ""
      const serves = async (what: string, expected: Record<string, unknown>, rebuilds: number) => {
        await until(what, async () => (JSON.stringify((await get(url, "/build")).body) === JSON.stringify(expected) && rebuilt() === rebuilds ? true : undefined), dev)
      }
      assert.deepEqual((await get(url, "/build")).body, { build: "first" })

      await writeFile(file, api("in-place"))
      await serves("the in-place write", { build: "in-place" }, 1)

      // sed -i / vim's default: write a temp file beside it, rename it over the original.
      for (const [index, build] of ["rename-1", "rename-2", "rename-3"].entries()) {
        await writeFile(`${file}.tmp${index}`, api(build))
        await rename(`${file}.tmp${index}`, file)
        await serves(`rename-save ${index + 1}`, { build }, 2 + index)
      }

      // JetBrains' safe write: a ___jb_tmp___ file, the original moved to ___jb_old___, the temp renamed in, the old one removed.
      await writeFile(`${file}___jb_tmp___`, api("jetbrains"))
      await rename(file, `${file}___jb_old___`)
      await rename(`${file}___jb_tmp___`, file)
      await rm(`${file}___jb_old___`)
      await serves("the JetBrains safe write", { build: "jetbrains" }, 5)

      // A new file in a new folder, imported by the entry (the folder is created after dev started).
      await project.write("src/lib/words/greeting.ts", 'export const greeting = "hello"\n')
      await writeFile(file, api("imports", "greeting"))
      await serves("the new imported file", { build: "imports", greeting: "hello" }, 6)
      await project.write("src/lib/words/greeting.ts", 'export const greeting = "bonjour"\n')
      await serves("the edit of the new file", { build: "imports", greeting: "bonjour" }, 7)

      // A deleted file that is imported: one failed build naming it, the previous build keeps serving; restored, it builds again.
      await rm(join(project.root, "src/lib/words/greeting.ts"))
      await until("the failed build", async () => (failed() === 1 ? true : undefined), dev)
      assert.match(dev.stderr(), /rebuild failed, still serving the previous build: .*lib\/words\/greeting\.ts/)
      assert.deepEqual((await get(url, "/build")).body, { build: "imports", greeting: "bonjour" })
      await project.write("src/lib/words/greeting.ts", 'export const greeting = "hallo"\n')
      await serves("the restored file", { build: "imports", greeting: "hallo" }, 8)

      assert.equal(failed(), 1, dev.stderr())
      assert.equal(idle(), 0, `a save was built more than once:\n${dev.stderr()}`)
    } finally {
      dev.child.kill("SIGINT")
    }
    assert.equal(await dev.exited, 0, dev.stderr())
  })

  test("an exception in user code names src/api.ts and its line, not the bundle", async () => {
    const project = await createProject({ "src/api.ts": api("first") })
    projects.push(project)
    const dev = await startDev(project, 0)
    try {
      const url = (await urls(dev)).get("api") ?? ""
      assert.equal((await fetch(`${url}/boom`)).status, 500)
      const throwLine = api("first").split("\n").findIndex((line) => line.includes("throw new Error")) + 1
      await until("the mapped stack", async () => (dev.stderr().includes(`src/api.ts:${throwLine}:`) ? true : undefined), dev)
      assert.doesNotMatch(dev.stderr(), /script-\d+:\d+/)
    } finally {
      dev.child.kill("SIGINT")
    }
    assert.equal(await dev.exited, 0, dev.stderr())
  })
})
