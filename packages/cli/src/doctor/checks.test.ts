import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { bindingsCheck, envelopeCheck, orphanCheck, quotaCheck } from "./checks.js"

describe("doctor checks", () => {
  it("quota: ok, nearly full (warning), full (action: the next new secret is refused)", () => {
    assert.equal(quotaCheck({ quota: 100, usage: 50 }, "production").status, "ok")
    assert.equal(quotaCheck({ quota: 100, usage: 95 }, "production").status, "warning")
    const full = quotaCheck({ quota: 100, usage: 100 }, "production")
    assert.equal(full.status, "action")
    assert.match(full.hint ?? "", /layer secret delete NAME --env production/)
    assert.equal(quotaCheck(undefined, "dev").status, "not_checked")
  })

  it("envelope sizes: the dashboard's 1,024 characters is a note, 80 % of 65,536 a warning, over it an action", () => {
    const check = envelopeCheck([
      { id: "a/small", physicalName: "lo_a", bytes: 200 },
      { id: "a/editor", physicalName: "lo_b", bytes: 1_025 },
      { id: "a/large", physicalName: "lo_c", bytes: 52_429 },
      { id: "a/unknown", physicalName: "S", bytes: undefined },
    ])
    const [small, editor, large, unknown] = check.items!
    assert.deepEqual([small!.status, editor!.status, large!.status, unknown!.status], ["ok", "ok", "warning", "ok"])
    assert.match(editor!.detail, /over the dashboard editor's 1,024 characters: edit it with `layer secret set`/)
    assert.equal(check.status, "warning")
    assert.equal(envelopeCheck([{ id: "a/over", physicalName: "lo_d", bytes: 65_537 }]).status, "action")
    assert.equal(check.summary, "3 of 4 envelopes measured (not measured, no value recorded by layer: a/unknown); the largest is 52,429 of 65,536 bytes (a/large)")
  })

  it("orphans: only lo_ names no declaration names; adopted names are never orphans", () => {
    const check = orphanCheck(["lo_1", "lo_2", "STRIPE_SECRET"], new Set(["lo_1"]), "production")
    assert.deepEqual(check.figures?.orphans, ["lo_2"])
    assert.equal(check.status, "warning")
  })

  it("bindings: missing is action, pending a warning, not deployed not checked", () => {
    const deployed = [
      { binding: "S_lo_1", secretName: "lo_1", id: "a/one" },
      { binding: "S_lo_2", secretName: "lo_2" },
      { binding: "S_lo_3", secretName: "lo_3" },
    ]
    const check = bindingsCheck(deployed, new Map([["lo_1", "active"], ["lo_2", "pending"]]), "production")
    assert.deepEqual(check.items!.map((item) => item.status), ["ok", "warning", "action"])
    assert.equal(check.status, "action")
    assert.equal(bindingsCheck(undefined, new Map(), "production").status, "not_checked")
  })
})
