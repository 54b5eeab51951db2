import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { describe, it } from "node:test"
import fc from "fast-check"
import {
  isPhysicalName,
  NamingError,
  physicalName,
  physicalNameInput,
  sealingKeyDeclaration,
  type PhysicalNameParts,
} from "./index.js"

interface Vector {
  description: string
  parts: PhysicalNameParts
  canonical: string
  physicalName: string
}
const { vectors } = JSON.parse(readFileSync(new URL("./vectors.json", import.meta.url), "utf8")) as {
  vectors: Vector[]
}

/** SHA-256 by another implementation: coreutils, fed the exact UTF-8 bytes on stdin. */
function sha256sum(text: string): string {
  const output = execFileSync("sha256sum", { input: Buffer.from(text, "utf8") }).toString("utf8")
  return output.slice(0, 64)
}

describe("physicalName", () => {
  it("has several vectors, including non-ASCII ones", () => {
    assert.ok(vectors.length >= 5)
    assert.ok(vectors.some((v) => /[^\x00-\x7f]/.test(v.canonical)))
    assert.ok(vectors.some((v) => /[\u{10000}-\u{10ffff}]/u.test(v.canonical)))
  })

  for (const vector of vectors) {
    it(`matches the vector: ${vector.description}`, async () => {
      assert.equal(physicalNameInput(vector.parts), vector.canonical)
      assert.equal(await physicalName(vector.parts), vector.physicalName)
    })

    it(`agrees with sha256sum: ${vector.description}`, () => {
      assert.equal("lo_" + sha256sum(vector.canonical).slice(0, 24), vector.physicalName)
    })
  }

  it("gives distinct names to all vectors", () => {
    const names = new Set(vectors.map((v) => v.physicalName))
    assert.equal(names.size, vectors.length)
  })

  it("is always lo_ plus 24 lowercase hex digits, and agrees with sha256sum on random parts", async () => {
    const part = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 })
    await fc.assert(
      fc.asyncProperty(
        fc.record({ workspace: part, project: part, environment: part, namespace: part, name: part }),
        async (parts) => {
          const name = await physicalName(parts)
          assert.ok(isPhysicalName(name), name)
          assert.equal(name.length, 27)
          assert.equal(name, "lo_" + sha256sum(physicalNameInput(parts)).slice(0, 24))
        },
      ),
      { numRuns: 25 },
    )
  })

  it("rejects an empty part, naming the part", async () => {
    const parts = { workspace: "acme", project: "shop", environment: "", namespace: "auth", name: "k" }
    await assert.rejects(physicalName(parts), (error: unknown) => {
      assert.ok(error instanceof NamingError)
      assert.equal(error.code, "invalid_name_part")
      assert.equal(error.part, "environment")
      assert.match(error.message, /"environment" must not be empty/)
      return true
    })
  })

  it("rejects a part that is not a string, naming the part and its type", async () => {
    const parts = { workspace: "acme", project: 42, environment: "dev", namespace: "auth", name: "k" }
    await assert.rejects(physicalName(parts as unknown as PhysicalNameParts), (error: unknown) => {
      assert.ok(error instanceof NamingError)
      assert.equal(error.part, "project")
      assert.match(error.message, /"project" must be a string \(got number\)/)
      return true
    })
    const missing = { workspace: "acme", project: "shop", environment: "dev", namespace: "auth" }
    await assert.rejects(physicalName(missing as unknown as PhysicalNameParts), /"name" must be a string \(got undefined\)/)
  })
})

describe("isPhysicalName", () => {
  it("accepts generated names and rejects look-alikes", () => {
    assert.equal(isPhysicalName("lo_c9916d0a7d4a9474726c0260"), true)
    assert.equal(isPhysicalName("lo_C9916D0A7D4A9474726C0260"), false)
    assert.equal(isPhysicalName("lo_c9916d0a7d4a9474726c026"), false)
    assert.equal(isPhysicalName("STRIPE_SECRET"), false)
  })
})

describe("sealingKeyDeclaration", () => {
  it("is layeron/sealing-key, in the reserved namespace", async () => {
    assert.equal(sealingKeyDeclaration.namespace, "layeron")
    assert.equal(sealingKeyDeclaration.name, "sealing-key")
    assert.equal(sealingKeyDeclaration.id, "layeron/sealing-key")
    const vector = vectors.find((v) => v.parts.namespace === "layeron")
    assert.ok(vector)
    const name = await physicalName({
      workspace: vector.parts.workspace,
      project: vector.parts.project,
      environment: vector.parts.environment,
      namespace: sealingKeyDeclaration.namespace,
      name: sealingKeyDeclaration.name,
    })
    assert.equal(name, vector.physicalName)
  })
})
