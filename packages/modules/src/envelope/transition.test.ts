import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { describeTransition, EnvelopeError, nextVersionId, transition, TransitionError, type Envelope, type TransitionInput } from "./index.js"

const SEALED = `ls1.${"B" + "A".repeat(86)}.${"A".repeat(16)}.${"A".repeat(22)}`
const T = new Date("2026-06-15T00:00:00.000Z")
const before: Envelope = {
  current: "v3",
  versions: {
    v1: { sealed: SEALED, createdAt: "2026-03-01T00:00:00.000Z" },
    v2: { sealed: SEALED, createdAt: "2026-05-01T00:00:00.000Z", expiresAt: "2026-06-01T00:00:00.000Z" },
    v3: { value: "current", createdAt: "2026-05-31T00:00:00.000Z" },
  },
}
const rotate = (retain: TransitionInput["retain"], overrides: Partial<TransitionInput> = {}) =>
  transition(before, { newVersionId: "v4", newEntry: { value: "next" }, at: T, retain, ...overrides })

function transitionError(run: () => unknown, field: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TransitionError, String(error))
    assert.equal(error.code, "invalid_transition")
    assert.equal(error.field, field)
    assert.match(error.message, message)
    return true
  })
}

describe("transition", () => {
  it("retain_for: the previous current expires days after the rotation", () => {
    assert.deepEqual(rotate({ mode: "retain_for", days: 14 }), {
      current: "v4",
      versions: {
        v1: before.versions.v1,
        v3: { value: "current", createdAt: "2026-05-31T00:00:00.000Z", expiresAt: "2026-06-29T00:00:00.000Z" },
        v4: { value: "next", createdAt: "2026-06-15T00:00:00.000Z" },
      },
    })
  })

  it("retain_forever: the previous current stays without expiry", () => {
    const after = rotate({ mode: "retain_forever" })
    assert.deepEqual(after.versions.v3, before.versions.v3)
    assert.deepEqual(Object.keys(after.versions).sort(), ["v1", "v3", "v4"])
  })

  it("none: the previous current is dropped", () => {
    assert.deepEqual(Object.keys(rotate({ mode: "none" }).versions).sort(), ["v1", "v4"])
  })

  it("drops versions already expired at the rotation instant, and only those", () => {
    const atExpiry = rotate({ mode: "retain_forever" }, { at: new Date("2026-06-01T00:00:00.000Z") })
    assert.equal(Object.hasOwn(atExpiry.versions, "v2"), false)
    const justBefore = rotate({ mode: "retain_forever" }, { at: new Date("2026-05-31T23:59:59.999Z") })
    assert.deepEqual(justBefore.versions.v2, before.versions.v2)
  })

  it("never lengthens an expiry the previous current already has", () => {
    const pinned: Envelope = { current: "v1", versions: { v1: { value: "a", expiresAt: "2026-06-20T00:00:00.000Z" } } }
    const shorter = transition(pinned, { newVersionId: "v2", newEntry: { value: "b" }, at: T, retain: { mode: "retain_for", days: 30 } })
    assert.equal(shorter.versions.v1?.expiresAt, "2026-06-20T00:00:00.000Z")
    const longer = transition(pinned, { newVersionId: "v2", newEntry: { value: "b" }, at: T, retain: { mode: "retain_for", days: 1 } })
    assert.equal(longer.versions.v1?.expiresAt, "2026-06-16T00:00:00.000Z")
  })

  it("turns a plain value into a versioned envelope", () => {
    const plain: Envelope = { current: "v1", versions: { v1: { value: "operator-set" } } }
    const after = transition(plain, { newVersionId: nextVersionId(plain), newEntry: { sealed: SEALED }, at: T, retain: { mode: "retain_for", days: 7 } })
    assert.deepEqual(after, {
      current: "v2",
      versions: { v1: { value: "operator-set", expiresAt: "2026-06-22T00:00:00.000Z" }, v2: { sealed: SEALED, createdAt: "2026-06-15T00:00:00.000Z" } },
    })
  })

  it("does not change its input", () => {
    const copy = structuredClone(before)
    rotate({ mode: "retain_for", days: 3 })
    assert.deepEqual(before, copy)
  })

  it("rejects a new version id that exists or is not a version id", () => {
    transitionError(() => rotate({ mode: "none" }, { newVersionId: "v3" }), "newVersionId", /"v3" already exists in the envelope; a rotation creates a new version\. Use nextVersionId\(envelope\)/)
    transitionError(() => rotate({ mode: "none" }, { newVersionId: "v 4" }), "newVersionId", /must match .*got a string of 3 characters/)
    transitionError(() => rotate({ mode: "none" }, { newVersionId: 4 as unknown as string }), "newVersionId", /got a number/)
  })

  it("rejects an invalid instant, or one before an existing version", () => {
    transitionError(() => rotate({ mode: "none" }, { at: new Date(Number.NaN) }), "at", /must be a valid Date, got an invalid Date/)
    transitionError(() => rotate({ mode: "none" }, { at: "2026-06-15" as unknown as Date }), "at", /got a string/)
    // A Date RFC 3339 cannot write (found by mutation testing: nothing tried one).
    transitionError(() => rotate({ mode: "none" }, { at: new Date("+010000-01-01T00:00:00.000Z") }), "at", /must fall within the years 0000-9999\./)
    transitionError(
      () => rotate({ mode: "none" }, { at: new Date("2026-05-30T00:00:00.000Z") }),
      "at",
      /\(2026-05-30T00:00:00\.000Z\) is before the createdAt of version "v3" \(2026-05-31T00:00:00\.000Z\); a new version must be the newest/,
    )
  })

  it("rejects a new entry without exactly one of value or sealed", () => {
    transitionError(() => rotate({ mode: "none" }, { newEntry: { value: "a", sealed: SEALED } as never }), "newEntry", /exactly one of "value" or "sealed" \(it has both\)/)
    transitionError(() => rotate({ mode: "none" }, { newEntry: {} as never }), "newEntry", /\(it has neither\)/)
    transitionError(() => rotate({ mode: "none" }, { newEntry: { value: 5 } as never }), "newEntry.value", /must be a string, got a number/)
    transitionError(() => rotate({ mode: "none" }, { newEntry: { sealed: "ls1.nope" } }), "newEntry.sealed", /ls1 format/)
    transitionError(() => rotate({ mode: "none" }, { newEntry: null as never }), "newEntry", /got null/)
  })

  it("rejects a retention that is not one of the three modes, or bad days", () => {
    transitionError(() => rotate({ mode: "keep" } as never), "retain.mode", /must be "none", "retain_for" or "retain_forever", got a string/)
    transitionError(() => rotate(undefined as never), "retain.mode", /got nothing/)
    for (const days of [0, -1, 1.5, Number.NaN]) {
      transitionError(() => rotate({ mode: "retain_for", days }), "retain.days", /must be a positive integer number of days/)
    }
    transitionError(() => rotate({ mode: "retain_for" } as never), "retain.days", /got nothing/)
    transitionError(() => rotate({ mode: "retain_for", days: 5_000_000 }), "retain.days", /beyond the year 9999/)
  })

  it("rejects an invalid envelope with an EnvelopeError", () => {
    assert.throws(() => transition({ current: "v9", versions: { v1: { value: "a" } } }, { newVersionId: "v2", newEntry: { value: "b" }, at: T, retain: { mode: "none" } }), EnvelopeError)
  })
})

describe("nextVersionId", () => {
  it("is one above the highest v<N>", () => {
    assert.equal(nextVersionId(before), "v4")
    assert.equal(nextVersionId({ current: "v2", versions: { v2: { value: "a" }, v10: { value: "b" } } }), "v11")
    assert.equal(nextVersionId({ current: "v007", versions: { v007: { value: "a" } } }), "v8")
  })

  it("is v1 when no id is numbered", () => {
    assert.equal(nextVersionId({ current: "main", versions: { main: { value: "a" }, "2": { value: "b" }, V3: { value: "c" } } }), "v1")
  })

  it("counts exactly beyond Number's precision", () => {
    assert.equal(nextVersionId({ current: "v9007199254740993", versions: { v9007199254740993: { value: "a" } } }), "v9007199254740994")
  })

  it("refuses to make an id longer than 64 characters", () => {
    const id = "v" + "9".repeat(63)
    assert.throws(() => nextVersionId({ current: id, versions: { [id]: { value: "a" } } }), /exceed the 64/)
  })
})

describe("describeTransition", () => {
  it("lists kept, expiring, dropped and added versions in version order", () => {
    const after = rotate({ mode: "retain_for", days: 14 })
    assert.deepEqual(describeTransition(before, after), {
      kept: ["v1", "v3"],
      expiring: [{ id: "v3", expiresAt: "2026-06-29T00:00:00.000Z" }],
      dropped: ["v2"],
      added: ["v4"],
    })
  })

  it("shows the previous current as dropped with retain none", () => {
    const summary = describeTransition(before, rotate({ mode: "none" }))
    assert.deepEqual(summary.dropped, ["v2", "v3"])
    assert.deepEqual(summary.kept, ["v1"])
  })
})
