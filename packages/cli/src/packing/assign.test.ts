import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { assignMembers } from "./assign.js"
import type { MemberNeed } from "./assign.js"

const need = (secret: string, bytes: number, reserve = 0): MemberNeed => ({ secret, physicalName: `lo_${secret.replace(/\W/g, "")}`, bytes, reserve })

describe("assignMembers (first-fit with a rotation reserve)", () => {
  it("places members in declaration-id order, whatever order they come in", () => {
    const result = assignMembers([], [need("b/two", 10), need("a/one", 10), need("c/three", 10)], 100)
    assert.ok(result.ok)
    assert.deepEqual(result.packs, [{ index: 0, members: ["lo_aone", "lo_btwo", "lo_cthree"] }])
  })

  it("counts each member's reserve and opens the next pack when one would overflow", () => {
    // 30 + 30 reserve = 60 each: two do not fit in 100.
    const result = assignMembers([], [need("a/one", 30, 30), need("b/two", 30, 30), need("c/three", 10, 10)], 100)
    assert.ok(result.ok)
    assert.deepEqual(result.packs, [
      { index: 0, members: ["lo_aone", "lo_cthree"] },
      { index: 1, members: ["lo_btwo"] },
    ])
  })

  it("never moves a member already placed: a new one joins the first pack with room", () => {
    const existing = [{ index: 0, members: ["lo_cthree"] }, { index: 1, members: ["lo_aone"] }]
    const result = assignMembers(existing, [need("a/one", 50), need("c/three", 90), need("b/two", 40)], 100)
    assert.ok(result.ok)
    assert.deepEqual(result.packs, [
      { index: 0, members: ["lo_cthree"] },
      { index: 1, members: ["lo_aone", "lo_btwo"] },
    ])
    assert.deepEqual(result.placed, [{ physicalName: "lo_btwo", index: 1 }])
  })

  it("refuses a member whose budget alone exceeds a pack's room, naming it and the pack it would open", () => {
    const result = assignMembers([{ index: 0, members: ["lo_aone"] }], [need("a/one", 10), need("b/big", 60, 60)], 100)
    assert.equal(result.ok, false)
    if (result.ok) return
    assert.equal(result.member.secret, "b/big")
    assert.equal(result.index, 1)
    assert.equal(result.budget, 120)
  })
})
