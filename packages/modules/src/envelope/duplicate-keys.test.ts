import assert from "node:assert/strict"
import { describe, it } from "node:test"
import fc from "fast-check"
import { findDuplicateKey } from "./index.js"

describe("findDuplicateKey with the parse given (the fast path)", () => {
  it("finds a key given twice in compact JSON, whatever the surrounding data", () => {
    const key = fc.string({ minLength: 1, maxLength: 6 })
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null))
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), key, value, value, fc.nat(6), (object, twice, first, second, depth) => {
        // `{…object, twice: first, twice: second}` nested `depth` levels deep, compact as layer writes.
        let inner = JSON.stringify(object).slice(0, -1)
        inner += `${inner.length > 1 ? "," : ""}${JSON.stringify(twice)}:${JSON.stringify(first)},${JSON.stringify(twice)}:${JSON.stringify(second)}}`
        let text = inner
        for (let level = 0; level < depth; level++) text = `{"level${level}":${text}}`
        const found = findDuplicateKey(text, JSON.parse(text))
        assert.ok(found, text)
        assert.equal(found.key, twice)
        assert.equal(found.trail.length, depth)
      }),
      { numRuns: 300 },
    )
  })

  it("finds nothing in a text without duplicates, compact or not", () => {
    for (const text of ['{"a":1,"b":{"a":2}}', '{ "a" : 1 }', '{"2":1,"1":2}', '{"a":"\\u0061","\\u0062":1}', "[]"]) {
      assert.equal(findDuplicateKey(text, JSON.parse(text)), undefined, text)
    }
    // Escapes and integer-like keys miss the fast path and still find what the scan finds.
    assert.equal(findDuplicateKey('{"a":1,"\\u0061":2}', JSON.parse('{"a":1,"\\u0061":2}'))?.key, "a")
    assert.equal(findDuplicateKey('{"2":1,"1":2,"2":3}', JSON.parse('{"2":1,"1":2,"2":3}'))?.key, "2")
  })
})
