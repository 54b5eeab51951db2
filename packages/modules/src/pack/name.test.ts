import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { describe, it } from "node:test"
import { isPhysicalName, NamingError, physicalName } from "../naming/index.js"
import { packPhysicalName, packPhysicalNameInput } from "./index.js"

interface Vector {
  description: string
  parts: { workspace: string; project: string; environment: string; index: number }
  canonical: string
  physicalName: string
}
const { vectors } = JSON.parse(readFileSync(new URL("./vectors.json", import.meta.url), "utf8")) as { vectors: Vector[] }

function sha256sum(text: string): string {
  return execFileSync("sha256sum", { input: Buffer.from(text, "utf8") }).toString("utf8").slice(0, 64)
}

describe("packPhysicalName", () => {
  for (const vector of vectors) {
    it(`matches the vector and sha256sum: ${vector.description}`, async () => {
      const { workspace, project, environment, index } = vector.parts
      assert.equal(packPhysicalNameInput(workspace, project, environment, index), vector.canonical)
      assert.equal(await packPhysicalName(workspace, project, environment, index), vector.physicalName)
      assert.equal("lo_" + sha256sum(vector.canonical).slice(0, 24), vector.physicalName)
      assert.ok(isPhysicalName(vector.physicalName))
    })
  }

  it("gives every pack its own name, never a declaration's", async () => {
    assert.equal(new Set(vectors.map((v) => v.physicalName)).size, vectors.length)
    // A declaration in namespace "0"… cannot hash alike: the domain tags differ.
    const declaration = await physicalName({ workspace: "acme", project: "shop", environment: "production", namespace: "default", name: "0" })
    assert.ok(!vectors.some((v) => v.physicalName === declaration))
  })

  it("refuses an index that is not a non-negative integer, naming it", async () => {
    for (const index of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "0" as unknown as number]) {
      await assert.rejects(packPhysicalName("acme", "shop", "production", index), (error: unknown) => {
        assert.ok(error instanceof NamingError)
        assert.equal(error.part, "index")
        assert.match(error.message, /"index" must be a non-negative integer/)
        return true
      })
    }
  })

  it("refuses an empty ownership part, naming it", async () => {
    await assert.rejects(packPhysicalName("acme", "", "production", 0), /"project" must not be empty/)
  })
})
