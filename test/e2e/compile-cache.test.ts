/**
 * Where compiled code is kept between runs (bin/layer.cjs and run-bundle.cjs, src/compile-cache.ts,
 * config/import.ts). The launcher compiles the bundle from V8's code cache in
 * LAYERON_HOME/cache/compile (0700, used only while it is a real folder closed to others),
 * never in os.tmpdir(), where Node's compile cache and tsx's go by default and another user of a
 * shared machine can create the folder first and fill it with compiled code for layer to run
 * with your keys in reach. Node's compile cache is not turned on (it writes at exit even after a
 * failing command) and tsx's is off. The code cache file is checked (SHA-256) before V8 sees it
 * and written only after a command that exited 0. Runs on every Node of CI's matrix.
 */
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, modeOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"

async function entries(path: string): Promise<string[]> {
  return readdir(path, { recursive: true }).catch(() => [])
}

describe(`compiled code between runs (Node ${process.versions.node})`, () => {
  let project: TestProject
  let temp: string
  const compileDir = () => join(project.home, "cache", "compile")
  /** This Node's code cache files for the bundle. */
  const codeCaches = async () => (await entries(compileDir())).filter((entry) => entry.startsWith(`layer-${process.version}-`) && entry.endsWith(".v8"))
  const run = async (args: string[], expectedCode = 0) => {
    // A fresh value, and TMPDIR pointing at a folder of the test's: whatever lands in os.tmpdir() is seen.
    const result = await project.layer(args, { env: { TMPDIR: temp, V: `probe-${Math.random()}` } })
    assert.equal(result.code, expectedCode, result.stderr)
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
    await run(["secret", "list", "--json"])
    assert.deepEqual(await entries(temp), [])
  })

  it("LAYERON_HOME/cache/compile is 0700 and holds one code cache file for this Node, 0600, its SHA-256 first", async () => {
    assert.equal(await modeOf(compileDir()), 0o700)
    const [file, ...more] = await codeCaches()
    assert.ok(file, "no code cache file after three successful commands")
    assert.deepEqual(more, [])
    assert.equal(await modeOf(join(compileDir(), file)), 0o600)
    const data = await readFile(join(compileDir(), file))
    assert.ok(data.length > 10_000, `a ${data.length}-byte code cache`)
    assert.deepEqual(createHash("sha256").update(data.subarray(32)).digest(), data.subarray(0, 32))
  })

  it("a damaged code cache is never handed to V8: the command works and a good one replaces it", async () => {
    const [file] = await codeCaches()
    assert.ok(file)
    const path = join(compileDir(), file)
    const damaged = Buffer.from(await readFile(path))
    // The last byte: inside V8's payload, which V8 itself does not checksum in a release build.
    damaged[damaged.length - 1] ^= 0xff
    await writeFile(path, damaged)
    await run(["secret", "list", "--json"])
    const after = await readFile(path)
    assert.notDeepEqual(after, damaged, "the damaged cache was kept, so it was used")
    assert.deepEqual(createHash("sha256").update(after.subarray(32)).digest(), after.subarray(0, 32))
  })

  it("a command that fails writes no code cache", async () => {
    for (const file of await codeCaches()) await rm(join(compileDir(), file))
    await run(["secret", "set", "no/such-secret", "--value-env", "V"], 1)
    await run(["secret", "list", "--env", "no-such-env"], 1)
    assert.deepEqual(await codeCaches(), [])
  })

  it("a cache file from an older bundle on this Node is removed when a new one is written; another Node's stays", async () => {
    const stale = `layer-${process.version}-${process.arch}-1-2-3.v8`
    const otherNode = `layer-v0.0.0-${process.arch}-1-2-3.v8`
    await writeFile(join(compileDir(), stale), "stale", { mode: 0o600 })
    await writeFile(join(compileDir(), otherNode), "other", { mode: 0o600 })
    await run(["secret", "list", "--json"])
    const names = await entries(compileDir())
    assert.ok(!names.includes(stale), "the stale cache file is still there")
    assert.ok(names.includes(otherNode), "another Node's cache file was removed")
    assert.equal((await codeCaches()).length, 1)
  })

  it("a folder others may enter is not used until layer has closed it (0755: nothing written that run, 0700 after)", async () => {
    await rm(compileDir(), { recursive: true, force: true })
    await mkdir(compileDir(), { mode: 0o755 })
    await chmod(compileDir(), 0o755)
    await run(["secret", "list", "--json"])
    assert.deepEqual(await entries(compileDir()), [], "compiled code was written into a folder group and others can enter")
    assert.equal(await modeOf(compileDir()), 0o700)
  })

  it("a link planted as the folder is never followed: nothing is written where it points, and commands still succeed", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "layeron-compile-cache-planted-"))
    try {
      await rm(compileDir(), { recursive: true, force: true })
      await symlink(elsewhere, compileDir(), "dir")
      await run(["secret", "list", "--json"])
      await run(["secret", "list", "--json"])
      assert.deepEqual(await entries(elsewhere), [], "compiled code went through the planted link")
      assert.ok((await stat(compileDir()).catch(() => undefined))?.isDirectory())
    } finally {
      await rm(elsewhere, { recursive: true, force: true })
    }
  })
})
