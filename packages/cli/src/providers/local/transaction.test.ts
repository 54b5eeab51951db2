import assert from "node:assert/strict"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { writeFileAtomic } from "../../fs/atomic.js"
import { allOrNothing, UNDO_PREFIX } from "./transaction.js"

describe("allOrNothing (a local environment's files as one transaction)", () => {
  let base: string
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "layeron-transaction-"))
  })
  after(async () => {
    await rm(base, { recursive: true, force: true })
  })

  async function tree(root: string): Promise<Record<string, string>> {
    const found: Record<string, string> = {}
    for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue
      const path = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)
      found[path.slice(root.length + 1)] = await readFile(path, "utf8")
    }
    return found
  }

  async function seeded(name: string): Promise<string> {
    const root = join(base, name)
    await mkdir(join(root, "rotation"), { recursive: true })
    await writeFile(join(root, "A.json"), "a1")
    await writeFile(join(root, "rotation", "lo_a.json"), "state a1")
    return root
  }

  it("puts every file back when the batch fails part way: replaced, new, and new folders", async () => {
    const root = await seeded("fails")
    const before = await tree(root)
    const failure = new Error("disk full, say")
    await assert.rejects(
      allOrNothing(root, async () => {
        await writeFileAtomic(join(root, "A.json"), "a2")
        await writeFileAtomic(join(root, "B.json"), "b1")
        await mkdir(join(root, "new-folder"))
        await writeFileAtomic(join(root, "new-folder", "x.json"), "x")
        await writeFileAtomic(join(root, "rotation", "lo_a.json"), "state a2")
        throw failure
      }, () => {}),
      (error) => error === failure,
    )
    assert.deepEqual(await tree(root), before)
    assert.deepEqual((await readdir(root)).sort(), ["A.json", "rotation"], "no undo folder and no new folder left")
  })

  it("keeps everything when the batch succeeds, and leaves no undo folder", async () => {
    const root = await seeded("succeeds")
    const result = await allOrNothing(root, async () => {
      await writeFileAtomic(join(root, "A.json"), "a2")
      await writeFileAtomic(join(root, "B.json"), "b1")
      return 42
    }, () => {})
    assert.equal(result, 42)
    assert.deepEqual(await tree(root), { "A.json": "a2", "B.json": "b1", "rotation/lo_a.json": "state a1" })
    assert.ok(!(await readdir(root)).some((name) => name.startsWith(UNDO_PREFIX)))
  })

  it("removes the undo folder a killed batch left, saying so, and does not roll back to it", async () => {
    const root = await seeded("leftover")
    await mkdir(join(root, `${UNDO_PREFIX}999999-dead`))
    await writeFile(join(root, `${UNDO_PREFIX}999999-dead`, "A.json"), "a0")
    const warnings: string[] = []
    await allOrNothing(root, async () => {}, (message) => warnings.push(message))
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /stopped mid-way/)
    assert.equal(await readFile(join(root, "A.json"), "utf8"), "a1")
    assert.ok(!(await readdir(root)).some((name) => name.startsWith(UNDO_PREFIX)))
  })
})
