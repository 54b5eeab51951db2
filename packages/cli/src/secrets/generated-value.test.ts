import { test } from "node:test"
import assert from "node:assert/strict"
import { normalize } from "@layeron/modules/declare"
import { decodeBase64Url } from "@layeron/modules/envelope"
import { envelopeAfterWrite, freshValues, freshValuesNeeded, placeholderValues } from "./generated-value.js"

const AT = new Date("2026-06-01T00:00:00.000Z")
const LATER = new Date("2026-07-01T00:00:00.000Z")
const rotation = { everyDays: 30, retain: { mode: "retain_for", days: 2 } }

test("byte secrets: one fresh value of the declared size, the new version current at once", async () => {
  const declaration = normalize("generated", { name: "k", bytes: 48, rotation })
  assert.equal(freshValuesNeeded(declaration, undefined), 1)
  const [value] = await freshValues(declaration, 1)
  assert.equal(decodeBase64Url(value!).byteLength, 48)
  assert.equal(placeholderValues(declaration, 1)[0]!.length, value!.length)
  const first = envelopeAfterWrite(declaration, undefined, "v1", AT, [value!])
  assert.deepEqual(first, { current: "v1", versions: { v1: { value, createdAt: AT.toISOString() } } })
  const second = envelopeAfterWrite(declaration, first, "v2", LATER, ["B".repeat(64)])
  assert.equal(second.current, "v2")
})

for (const alg of ["ES256", "EdDSA", "RS256"] as const) {
  test(`${alg} key pairs: fresh private JWKs, a next key published at the first write, promoted at the next`, async () => {
    const declaration = normalize("generated", { name: "k", generate: alg, rotation })
    assert.equal(freshValuesNeeded(declaration, undefined), 2)
    const values = await freshValues(declaration, 2)
    assert.notEqual(values[0], values[1])
    for (const text of values) {
      const jwk = JSON.parse(text)
      assert.equal(jwk.alg, alg)
      assert.ok(typeof jwk.d === "string" && jwk.d.length > 0, "a private JWK")
      // The plan's stand-in is never shorter than a real key, so its size check never under-counts.
      assert.ok(placeholderValues(declaration, 1)[0]!.length >= text.length, `placeholder shorter than a real ${alg} JWK`)
    }
    const first = envelopeAfterWrite(declaration, undefined, "v1", AT, values)
    assert.deepEqual(Object.keys(first.versions), ["v1", "v2"])
    assert.equal(first.current, "v1")
    assert.equal(first.versions.v2!.createdAt, undefined)
    assert.equal(freshValuesNeeded(declaration, first), 1)
    const second = envelopeAfterWrite(declaration, first, "v3", LATER, await freshValues(declaration, 1))
    assert.equal(second.current, "v2")
    assert.equal(second.versions.v2!.createdAt, LATER.toISOString())
  })
}

test("a key pair without rotation is one version: it has no next key to publish", async () => {
  const declaration = normalize("generated", { name: "k", generate: "ES256" })
  assert.equal(freshValuesNeeded(declaration, undefined), 1)
  const stored = envelopeAfterWrite(declaration, undefined, "v1", AT, await freshValues(declaration, 1))
  assert.deepEqual(Object.keys(stored.versions), ["v1"])
})
