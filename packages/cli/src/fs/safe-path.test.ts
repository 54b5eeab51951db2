import assert from "node:assert/strict"
import { chown, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { layeronHome, projectStateDir } from "../paths.js"
import { writeFileAtomic } from "./atomic.js"
import { createExclusive } from "./create-exclusive.js"
import { loadOrCreateKeyFile } from "./key-file.js"
import { withFileLock } from "./lock.js"
import { readTextIfExists } from "./read-if-exists.js"
import { assertSafePath, makeDirectory, removeTree } from "./safe-path.js"

const refusedAs = (code: string, path: string) => (error: unknown) => {
  assert.ok(isLayerError(error), String(error))
  assert.equal(error.code, code)
  assert.ok(error.message.includes(path), `names ${path}: ${error.message}`)
  return true
}

describe("safe paths under .layeron and LAYERON_HOME", () => {
  let base: string
  let root: string
  let outside: string
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "layeron-safe-path-"))
    root = join(base, "project")
    outside = join(base, "outside")
    await mkdir(join(root, ".layeron"), { recursive: true })
    await mkdir(outside)
    await writeFile(join(outside, "private.pem"), "-----BEGIN PRIVATE KEY-----\n")
    projectStateDir(root)
  })
  after(() => rm(base, { recursive: true, force: true }))

  it("lets real directories and files through, and paths that do not exist yet", async () => {
    await makeDirectory(join(root, ".layeron", "deploy", "dev", "api"))
    await writeFileAtomic(join(root, ".layeron", "deploy", "dev", "api", "index.js"), "x")
    assert.equal(await readTextIfExists(join(root, ".layeron", "deploy", "dev", "api", "index.js")), "x")
    await assertSafePath(join(root, ".layeron", "not", "there", "yet.json"))
  })

  it("refuses a linked directory at any depth, for every operation, writing nothing outside", async () => {
    const link = join(root, ".layeron", "secret-rotation")
    await symlink(outside, link)
    try {
      const target = join(link, "staging", "state.json")
      await assert.rejects(makeDirectory(join(link, "staging")), refusedAs("path_is_symlink", link))
      await assert.rejects(writeFileAtomic(target, "{}"), refusedAs("path_is_symlink", link))
      await assert.rejects(readTextIfExists(join(link, "private.pem")), refusedAs("path_is_symlink", link))
      await assert.rejects(createExclusive(target, "{}", 0o600), refusedAs("path_is_symlink", link))
      await assert.rejects(withFileLock(join(link, "dev.lock"), async () => "ran", { describe: "x" }), refusedAs("path_is_symlink", link))
      await assert.rejects(removeTree(join(link, "staging")), refusedAs("path_is_symlink", link))
      assert.deepEqual(await readdir(outside), ["private.pem"], "nothing was created outside")
    } finally {
      await rm(link)
    }
  })

  it("refuses .layeron itself as a link, and a linked file at the end", async () => {
    const file = join(root, ".layeron", "public-key.json")
    await symlink(join(outside, "private.pem"), file)
    await assert.rejects(readTextIfExists(file), refusedAs("path_is_symlink", file))
    await assert.rejects(writeFileAtomic(file, "{}"), refusedAs("path_is_symlink", file))
    await rm(file)
    const other = join(base, "other")
    await mkdir(join(other, "x"), { recursive: true })
    await symlink(outside, join(other, ".layeron"))
    // Not registered through paths.ts: a `.layeron` folder is still a project's.
    await assert.rejects(makeDirectory(join(other, ".layeron", "deploy")), refusedAs("path_is_symlink", join(other, ".layeron")))
    assert.deepEqual(await readdir(outside), ["private.pem"])
  })

  it("under LAYERON_HOME: a linked key file is refused, the home itself may be a link to a folder of one's own", async () => {
    const realHome = join(base, "real-home")
    await mkdir(realHome, { mode: 0o700 })
    const linkedHome = join(base, "linked-home")
    await symlink(realHome, linkedHome)
    const home = layeronHome({ env: { LAYERON_HOME: linkedHome } })
    const key = await loadOrCreateKeyFile(join(home, "test.key"), 32, "the test key")
    assert.equal(key.byteLength, 32)
    await symlink(join(outside, "private.pem"), join(home, "local-store.key"))
    await assert.rejects(loadOrCreateKeyFile(join(home, "local-store.key"), 32, "the local store key"), refusedAs("path_is_symlink", join(home, "local-store.key")))
    assert.equal(await readFile(join(outside, "private.pem"), "utf8"), "-----BEGIN PRIVATE KEY-----\n")
  })

  it("refuses a LAYERON_HOME, or a key file in it, that belongs to another user, naming the owner", async (t) => {
    if (process.getuid?.() !== 0) return t.skip("needs root to give a folder to another user")
    const home = layeronHome({ env: { LAYERON_HOME: join(base, "foreign-home") } })
    await mkdir(home, { mode: 0o700 })
    await writeFile(join(home, "local-store.key"), Buffer.alloc(32, 7), { mode: 0o600 })
    await chown(join(home, "local-store.key"), 65534, 65534)
    await assert.rejects(loadOrCreateKeyFile(join(home, "local-store.key"), 32, "the local store key"), (error) => {
      assert.ok(refusedAs("path_not_owned", join(home, "local-store.key"))(error))
      assert.match((error as Error).message, /uid 65534/)
      return true
    })
    await chown(join(home, "local-store.key"), 0, 0)
    await chown(home, 65534, 65534)
    await assert.rejects(writeFileAtomic(join(home, "credentials.json"), "{}", 0o600), refusedAs("path_not_owned", home))
    assert.deepEqual(await readdir(home), ["local-store.key"], "nothing was written")
  })

  it("does not look at paths outside every guarded tree", async () => {
    const link = join(base, "plain-link")
    await symlink(outside, link)
    await assertSafePath(join(link, "private.pem"))
  })
})
