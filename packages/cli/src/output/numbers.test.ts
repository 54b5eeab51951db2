import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { groupThousands } from "./numbers.js"

describe("groupThousands", () => {
  it("writes whole numbers as en-US does", () => {
    for (const n of [0, 7, 999, 1000, 52_429, 65_536, 1_000_000, 123_456_789, -1, -1234, -65_536, Number.MAX_SAFE_INTEGER]) {
      assert.equal(groupThousands(n), n.toLocaleString("en-US"), String(n))
    }
  })
  it("leaves anything but a safe integer to String()", () => {
    assert.equal(groupThousands(1.5), "1.5")
    assert.equal(groupThousands(Number.NaN), "NaN")
  })
})
