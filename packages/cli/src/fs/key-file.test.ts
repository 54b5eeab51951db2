import assert from "node:assert/strict"
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { loadOrCreateKeyFile } from "./key-file.js"

describe("loadOrCreateKeyFile", () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "layeron-key-"))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("creates a 0600 key in a 0700 directory on first use, then returns the same key", async () => {
    const home = join(dir, "home", "layeron")
    const path = join(home, "test.key")
    const first = await loadOrCreateKeyFile(path, 32, "the test key")
    assert.equal(first.byteLength, 32)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal((await stat(home)).mode & 0o777, 0o700)
    assert.deepEqual(await loadOrCreateKeyFile(path, 32, "the test key"), first)
  })

  it("narrows an existing key file (and its directory) open to others, with a warning, and keeps the key", async (t) => {
    if (process.platform === "win32") return t.skip("POSIX modes")
    const home = join(dir, "loose")
    const path = join(home, "local-store.key")
    const key = await loadOrCreateKeyFile(path, 32, "the local store key")
    const { chmod } = await import("node:fs/promises")
    await chmod(home, 0o755)
    await chmod(path, 0o644)
    const warnings: string[] = []
    assert.deepEqual(await loadOrCreateKeyFile(path, 32, "the local store key", (message) => warnings.push(message)), key)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal((await stat(home)).mode & 0o777, 0o700)
    assert.equal(warnings.length, 2)
    assert.match(warnings[1]!, /the local store key .+local-store\.key was readable by other users \(mode 0644\); it is now 0600/)
    warnings.length = 0
    await loadOrCreateKeyFile(path, 32, "the local store key", (message) => warnings.push(message))
    assert.deepEqual(warnings, [], "a private key file is not reported")
  })

  it("gives every concurrent first caller the same key", async () => {
    const path = join(dir, "race", "test.key")
    const keys = await Promise.all(Array.from({ length: 10 }, () => loadOrCreateKeyFile(path, 32, "the test key")))
    for (const key of keys) assert.deepEqual(key, keys[0])
  })

  it("refuses a key of the wrong length with a hint instead of replacing it", async () => {
    const path = join(dir, "short", "test.key")
    await mkdir(join(dir, "short"), { mode: 0o700 })
    await writeFile(path, "short")
    await assert.rejects(loadOrCreateKeyFile(path, 32, "the test key"), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "key_corrupt")
      assert.match(error.message, /holds 5 bytes; expected 32/)
      assert.match(error.hint ?? "", /backup/)
      assert.doesNotMatch(error.hint ?? "", /delet/)
      return true
    })
    assert.equal(await readFile(path, "utf8"), "short", "left as it was")
  })

  it("with the recreate policy (a key that only makes fingerprints), replaces an empty or short key, saying so", async () => {
    for (const content of ["", "short"]) {
      const path = join(dir, `recreate-${content.length}`, "test.key")
      await mkdir(join(dir, `recreate-${content.length}`), { mode: 0o700 })
      await writeFile(path, content, { mode: 0o600 })
      const warnings: string[] = []
      const key = await loadOrCreateKeyFile(path, 32, "the test key", (message) => warnings.push(message), "recreate")
      assert.equal(key.byteLength, 32)
      assert.deepEqual(await readFile(path), key)
      assert.equal((await stat(path)).mode & 0o777, 0o600)
      assert.equal(warnings.length, 1)
      assert.match(warnings[0]!, new RegExp(`held ${content.length} bytes instead of 32`))
      assert.deepEqual(await loadOrCreateKeyFile(path, 32, "the test key", () => {}, "recreate"), key, "the new key is kept")
    }
  })
})
