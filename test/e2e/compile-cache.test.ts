/**
 * Where compiled code is kept between runs (bin/layer.cjs, packages/cli/src/compile-cache.ts,
 * config/import.ts). Node's compile cache (22.1+) and tsx's file cache both default to a folder
 * in os.tmpdir(), which another user of a shared machine can create first and fill with
 * compiled code for layer to run with your keys in reach. layer keeps Node's in
 * LAYERON_HOME/cache/compile (0700, used only while it is a real folder closed to others) and
 * turns tsx's off. Runs on every Node of CI's matrix: on Node 20, which has no compile cache,
 * no folder is made at all.
 */
import assert from "node:assert/strict"
import { mkdir, mkdtemp, readdir, rm, chmod, symlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as nodeModule from "node:module"
import { after, before, describe, it } from "node:test"
import { createProject, modeOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"

const NODE_HAS_COMPILE_CACHE = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === "function"

async function entries(path: string): Promise<string[]> {
  return readdir(path, { recursive: true }).catch(() => [])
}

describe(`compile caches (Node ${process.versions.node}: ${NODE_HAS_COMPILE_CACHE ? "has" : "has no"} compile cache)`, () => {
  let project: TestProject
  let temp: string
  const compileDir = () => join(project.home, "cache", "compile")
  const run = async (args: string[]) => {
    // A fresh value, and TMPDIR pointing at a folder of the test's: whatever lands in os.tmpdir() is seen.
    const result = await project.layer(args, { env: { TMPDIR: temp, V: `probe-${Math.random()}` } })
    assert.equal(result.code, 0, result.stderr)
    return result
  }

  before(async () => {
    project = await createProject()
    temp = await mkdtemp(join(tmpdir(), "layeron-compile-cache-tmp-"))
  })
  after(async () => {
    await project.cleanup()
    await rm(temp, { recursive: true, force: true })
  })

  it("nothing lands in os.tmpdir(): no node-compile-cache, no tsx cache, after a project import and a write", async () => {
    await run(["secret", "list", "--json"])
    await run(["secret", "set", "payments/stripe", "--value-env", "V"])
    assert.deepEqual(await entries(temp), [])
  })

  it("LAYERON_HOME/cache/compile is made 0700 after a success and, on a Node with a compile cache, filled by the next command", async () => {
    await run(["secret", "list", "--json"])
    if (!NODE_HAS_COMPILE_CACHE) {
      assert.deepEqual(await entries(compileDir()), [], "Node 20 has no compile cache: layer makes no folder for one")
      return
    }
    assert.equal(await modeOf(compileDir()), 0o700)
    await run(["secret", "list", "--json"])
    assert.ok((await entries(compileDir())).length > 0, "the second command left no compiled code in LAYERON_HOME/cache/compile")
  })

  it("a folder others may enter is not used until layer has closed it (0755: nothing written that run, 0700 after)", { skip: !NODE_HAS_COMPILE_CACHE && "Node 20 has no compile cache to keep" }, async () => {
    await rm(compileDir(), { recursive: true, force: true })
    await mkdir(compileDir(), { mode: 0o755 })
    await chmod(compileDir(), 0o755)
    await run(["secret", "list", "--json"])
    assert.deepEqual(await entries(compileDir()), [], "compiled code was written into a folder group and others can enter")
    assert.equal(await modeOf(compileDir()), 0o700)
  })

  it("a link planted as the folder is never followed: nothing is written where it points, and commands still succeed", { skip: !NODE_HAS_COMPILE_CACHE && "Node 20 has no compile cache to keep" }, async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "layeron-compile-cache-planted-"))
    try {
      await rm(compileDir(), { recursive: true, force: true })
      await symlink(elsewhere, compileDir(), "dir")
      await run(["secret", "list", "--json"])
      await run(["secret", "list", "--json"])
      assert.deepEqual(await entries(elsewhere), [], "compiled code went through the planted link")
    } finally {
      await rm(elsewhere, { recursive: true, force: true })
    }
  })
})
