import assert from "node:assert/strict"
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { packsFilePath, readPacksFile, writePacksFile } from "./packs-file.js"
import { PACKS_FORMAT } from "./types.js"

const PACK = "lo_0123456789abcdef01234567"
const MEMBER = "lo_89abcdef0123456789abcdef"
const valid = { format: PACKS_FORMAT, environment: "production", packs: [{ index: 0, physicalName: PACK, members: [{ secret: "app/key", physicalName: MEMBER }] }] }

describe("packs.json (committed input): read and validated", () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "layeron-packs-"))
    await mkdir(join(root, ".layeron", "secret-rotation", "production"), { recursive: true })
  })
  after(() => rm(root, { recursive: true, force: true }))

  it("round-trips what it writes; absent is undefined", async () => {
    await rm(packsFilePath(root, "production"), { force: true })
    assert.equal(await readPacksFile(root, "production"), undefined)
    await writePacksFile(root, valid as never)
    assert.deepEqual(await readPacksFile(root, "production"), valid)
  })

  const cases: Array<[string, unknown, RegExp]> = [
    ["text that is not JSON", "{not json", /not a JSON object/],
    ["another format", { ...valid, format: "x" }, /"format" must be "layeron\.secret-packs\/v1"/],
    ["another environment's file", { ...valid, environment: "staging" }, /"environment" must be "production"/],
    ["an index out of order", { ...valid, packs: [{ ...valid.packs[0], index: 1 }] }, /packs\[0\]\.index must be 0/],
    ["a pack name that is not lo_", { ...valid, packs: [{ ...valid.packs[0], physicalName: "../../x" }] }, /packs\[0\]\.physicalName is not an lo_ name/],
    ["a member in two packs", { ...valid, packs: [valid.packs[0], { ...valid.packs[0], index: 1, physicalName: "lo_fedcba9876543210fedcba98" }] }, /app\/key is in two packs/],
    ["an anchor that is not a string", { ...valid, packs: [{ ...valid.packs[0], anchor: 7 }] }, /packs\[0\]\.anchor must be a string/],
    ["a malformed intent", { ...valid, pending: { pack: PACK } }, /"pending" must hold pack, written, anchor, startedAt and members/],
  ]
  for (const [what, content, message] of cases) {
    it(`refuses ${what}, naming the file`, async () => {
      const path = packsFilePath(root, "production")
      await writeFile(path, typeof content === "string" ? content : JSON.stringify(content))
      await assert.rejects(readPacksFile(root, "production"), (error: unknown) => {
        assert.ok(isLayerError(error))
        assert.equal(error.code, "invalid_state")
        assert.match(error.message, message)
        assert.ok(error.message.includes(path))
        return true
      })
    })
  }
})
