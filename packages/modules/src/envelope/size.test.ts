import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { checkSize, serializeEnvelope, serializedByteLength } from "./index.js"

describe("checkSize", () => {
  it("is ok up to 80 % of 65,536 bytes, warns above, and is too large above the limit", () => {
    assert.deepEqual(checkSize(0), { bytes: 0, limit: 65_536, ratio: 0, status: "ok" })
    assert.equal(checkSize(52_428).status, "ok") // 79.999 %
    assert.equal(checkSize(52_429).status, "warn")
    assert.deepEqual(checkSize(65_536), { bytes: 65_536, limit: 65_536, ratio: 1, status: "warn" })
    assert.equal(checkSize(65_537).status, "too_large")
    assert.equal(checkSize(32_768).ratio, 0.5)
  })

  it("rejects byte counts that are not non-negative integers", () => {
    for (const bytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => checkSize(bytes), /bytes must be a non-negative integer/)
    }
  })
})

describe("serializedByteLength", () => {
  it("counts UTF-8 bytes, not UTF-16 units", () => {
    const base = { current: "v1", versions: { v1: { value: "" } } }
    const empty = serializedByteLength(base)
    assert.equal(empty, serializeEnvelope(base).length)
    // é is 2 bytes, € 3, 🚀 4 (and 2 UTF-16 units)
    assert.equal(serializedByteLength({ current: "v1", versions: { v1: { value: "é€🚀" } } }), empty + 9)
  })

  it("counts the escapes JSON adds", () => {
    const empty = serializedByteLength({ current: "v1", versions: { v1: { value: "" } } })
    assert.equal(serializedByteLength({ current: "v1", versions: { v1: { value: '"\n' } } }), empty + 4)
  })

  it("finds a value that no longer fits", () => {
    const bytes = serializedByteLength({ current: "v1", versions: { v1: { value: "€".repeat(21_845) } } })
    assert.equal(checkSize(bytes).status, "too_large")
  })
})
