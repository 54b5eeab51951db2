import assert from "node:assert/strict"
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { writeFileAtomic } from "./atomic.js"

describe("writeFileAtomic", () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "layeron-atomic-"))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("creates the file with the given mode and leaves no temp file behind", async () => {
    const path = join(dir, "new.json")
    await writeFileAtomic(path, '{"a":1}\n', 0o600)
    assert.equal(await readFile(path, "utf8"), '{"a":1}\n')
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith(".tmp")), [])
  })

  it("replaces an existing file whole, bytes included", async () => {
    const path = join(dir, "replace.bin")
    await writeFile(path, "old content that is longer than the new one")
    await writeFileAtomic(path, new Uint8Array([0, 1, 2, 255]))
    assert.deepEqual([...(await readFile(path))], [0, 1, 2, 255])
  })

  it("defaults to 0644, as state files are meant to be committed", async () => {
    const path = join(dir, "state.json")
    await writeFileAtomic(path, "{}")
    assert.equal((await stat(path)).mode & 0o777, 0o644 & ~process.umask())
  })

  it("under many concurrent writers, the file always holds one writer's complete content", async () => {
    const path = join(dir, "race.txt")
    const contents = Array.from({ length: 25 }, (_, i) => `writer ${i} `.repeat(2000))
    const reads: string[] = []
    const reader = (async () => {
      for (let i = 0; i < 50; i++) {
        try {
          reads.push(await readFile(path, "utf8"))
        } catch {
          // not created yet
        }
      }
    })()
    await Promise.all([...contents.map((content) => writeFileAtomic(path, content)), reader])
    const final = await readFile(path, "utf8")
    assert.ok(contents.includes(final))
    for (const seen of reads) assert.ok(contents.includes(seen), "a reader saw a torn file")
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith(".tmp")), [])
  })

  it("fails when the directory does not exist, and creates nothing", async () => {
    await assert.rejects(writeFileAtomic(join(dir, "missing", "x.json"), "{}"), { code: "ENOENT" })
  })

  it("a failed rename removes the temp file and names the target, not the temp file", async () => {
    const target = join(dir, "occupied")
    await mkdir(join(target, "inside"), { recursive: true })
    await assert.rejects(writeFileAtomic(target, "{}"), (error: NodeJS.ErrnoException) => error.path === target && typeof error.code === "string")
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith(".tmp")), [])
  })
})
