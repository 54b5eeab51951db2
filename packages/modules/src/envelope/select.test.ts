import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { selectActive, selectAt, selectCurrent, selectVersion, type Envelope } from "./index.js"

const at = (iso: string) => new Date(iso)

/** docs/design.md#values's example, plus an undated v1 and a retained-forever v0. */
const envelope: Envelope = {
  current: "v3",
  versions: {
    v1: { value: "first" },
    v2: { value: "old", createdAt: "2026-05-01T00:00:00.000Z", expiresAt: "2026-06-01T00:00:00.000Z" },
    v3: { value: "new", createdAt: "2026-05-31T00:00:00.000Z" },
  },
}
const MAY_15 = at("2026-05-15T00:00:00.000Z")

describe("selectCurrent", () => {
  it("gives the current version", () => {
    assert.deepEqual(selectCurrent(envelope, MAY_15), { ok: true, id: "v3", version: envelope.versions.v3 })
  })

  it("reports an expired current instead of falling back", () => {
    const expired: Envelope = { current: "v1", versions: { v1: { value: "x", expiresAt: "2026-06-01T00:00:00Z" }, v0: { value: "y" } } }
    assert.deepEqual(selectCurrent(expired, at("2026-06-01T00:00:00Z")), { ok: false, code: "version_expired", versionId: "v1" })
    assert.equal(selectCurrent(expired, at("2026-05-31T23:59:59.999Z")).ok, true)
  })
})

describe("selectVersion", () => {
  it("gives a version until the instant it expires", () => {
    assert.deepEqual(selectVersion(envelope, "v2", at("2026-05-31T23:59:59.999Z")), { ok: true, id: "v2", version: envelope.versions.v2 })
    assert.deepEqual(selectVersion(envelope, "v2", at("2026-06-01T00:00:00.000Z")), { ok: false, code: "version_expired", versionId: "v2" })
  })

  it("compares expiry as an instant, whatever the offset", () => {
    const withOffset: Envelope = { current: "a", versions: { a: { value: "x" }, b: { value: "y", expiresAt: "2026-06-01T02:00:00+02:00" } } }
    assert.equal(selectVersion(withOffset, "b", at("2026-05-31T23:59:59.999Z")).ok, true)
    assert.equal(selectVersion(withOffset, "b", at("2026-06-01T00:00:00.000Z")).ok, false)
  })

  it("reports an unknown id, including names found on Object.prototype", () => {
    for (const id of ["v9", "constructor", "toString", "__proto__", ""]) {
      assert.deepEqual(selectVersion(envelope, id, MAY_15), { ok: false, code: "unknown_version", versionId: id })
    }
  })

  it("throws on an invalid now, a programming error", () => {
    assert.throws(() => selectVersion(envelope, "v3", new Date(Number.NaN)), RangeError)
    assert.throws(() => selectActive(envelope, "2026-05-01" as unknown as Date), RangeError)
  })
})

describe("selectAt", () => {
  it("gives the version with the latest createdAt at or before the time", () => {
    const exact = selectAt(envelope, at("2026-05-31T00:00:00.000Z"), MAY_15)
    assert.ok(exact.ok)
    assert.equal(exact.id, "v3")
    const before = selectAt(envelope, at("2026-05-30T23:59:59.999Z"), MAY_15)
    assert.ok(before.ok)
    assert.equal(before.id, "v2")
  })

  it("counts undated versions as the oldest", () => {
    const result = selectAt(envelope, at("2026-04-01T00:00:00Z"), MAY_15)
    assert.ok(result.ok)
    assert.equal(result.id, "v1")
  })

  it("orders undated versions by id number, then by id", () => {
    const undated: Envelope = { current: "v10", versions: { v9: { value: "a" }, v10: { value: "b" }, v2: { value: "c" }, beta: { value: "d" } } }
    const result = selectAt(undated, at("2026-01-01T00:00:00Z"), MAY_15)
    assert.ok(result.ok)
    assert.equal(result.id, "beta") // v2 < v9 < v10 < beta: non-numeric ids come after numbered ones
  })

  it("reports no version at a time before every version", () => {
    const dated: Envelope = { current: "v1", versions: { v1: { value: "a", createdAt: "2026-05-01T00:00:00Z" } } }
    assert.deepEqual(selectAt(dated, at("2026-04-30T23:59:59Z"), MAY_15), { ok: false, code: "no_version_at" })
    assert.deepEqual(selectAt(dated, new Date(Number.NaN), MAY_15), { ok: false, code: "no_version_at" })
  })

  it("reports the version in force at that time as expired rather than giving another", () => {
    const result = selectAt(envelope, at("2026-05-10T00:00:00Z"), at("2026-06-02T00:00:00Z"))
    assert.deepEqual(result, { ok: false, code: "version_expired", versionId: "v2" })
  })
})

describe("selectActive", () => {
  it("lists the current version first, then the other live versions newest first", () => {
    const ids = selectActive(envelope, MAY_15).map((item) => item.id)
    assert.deepEqual(ids, ["v3", "v2", "v1"])
  })

  it("leaves out expired versions", () => {
    assert.deepEqual(selectActive(envelope, at("2026-06-01T00:00:00Z")).map((item) => item.id), ["v3", "v1"])
  })

  it("puts current first even when it is not the newest", () => {
    const pinned: Envelope = { current: "v1", versions: { v1: { value: "a", createdAt: "2026-01-01T00:00:00Z" }, v2: { value: "b", createdAt: "2026-02-01T00:00:00Z" } } }
    assert.deepEqual(selectActive(pinned, MAY_15).map((item) => item.id), ["v1", "v2"])
  })

  it("lists only the live others when the current has expired", () => {
    const expired: Envelope = { current: "v2", versions: { v1: { value: "a" }, v2: { value: "b", expiresAt: "2026-05-01T00:00:00Z" } } }
    assert.deepEqual(selectActive(expired, MAY_15).map((item) => item.id), ["v1"])
  })

  it("carries each version's data", () => {
    assert.deepEqual(selectActive(envelope, MAY_15)[1], { id: "v2", version: envelope.versions.v2 })
  })
})
