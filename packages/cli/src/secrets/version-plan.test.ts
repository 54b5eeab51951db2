import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { secret } from "@layeron/modules"
import type { Envelope } from "@layeron/modules/envelope"
import { isLayerError } from "../errors.js"
import { inspectValue } from "./inspect.js"
import { describeChanges, planVersions } from "./version-plan.js"
import type { StoreBasis } from "./version-plan.js"

const NOW = new Date("2026-06-01T00:00:00.000Z")
const KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
const SEALED = `ls1.${"B" + "A".repeat(86)}.${"A".repeat(16)}.${"A".repeat(22)}`
const rotating = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }).declaration
const forever = secret.random({ name: "forever", rotation: { everyDays: 30, retain: { mode: "retain_forever" } } }).declaration
const none = secret.random({ name: "none", rotation: { everyDays: 30 } }).declaration
const plainStatic = secret.static({ name: "webhook-key" }).declaration

/** After a rotation: v2 current, v1 retained until June 10, v0 expired in May. */
const ROTATED: Envelope = {
  current: "v2",
  versions: {
    v0: { sealed: SEALED, createdAt: "2026-03-01T00:00:00.000Z", expiresAt: "2026-05-01T00:00:00.000Z" },
    v1: { sealed: SEALED, createdAt: "2026-04-01T00:00:00.000Z", expiresAt: "2026-06-10T00:00:00.000Z" },
    v2: { sealed: SEALED, createdAt: "2026-05-01T00:00:00.000Z" },
  },
}
const known: StoreBasis = { kind: "known", envelope: ROTATED }
const plan = (declaration: typeof rotating | undefined, text: string, basis: StoreBasis, replaceAll = false) =>
  planVersions({ declaration, inspected: inspectValue(text, { plain: false, declaration, now: NOW }), basis, now: NOW, replaceAll, label: "X" })
const refusedWith = (code: string, versions: string[]) => (error: unknown) => {
  assert.ok(isLayerError(error))
  assert.equal(error.code, code)
  assert.deepEqual(error.details?.versions, versions)
  return true
}

describe("planVersions", () => {
  it("a plain value for a retaining secret becomes v<N+1>, the previous current kept until now + days, expired versions gone", () => {
    const result = plan(rotating, KEY, known)
    assert.equal(result.mode, "next_version")
    assert.equal(result.asGiven, false)
    assert.equal(result.envelope.current, "v3")
    assert.equal(result.envelope.versions.v3?.value, KEY)
    assert.equal(result.envelope.versions.v3?.createdAt, "2026-06-01T00:00:00.000Z")
    assert.equal(result.envelope.versions.v2?.sealed, SEALED, "carried as its sealed copy")
    assert.deepEqual(result.changes, {
      versions: ["v1", "v2", "v3"],
      current: "v3",
      written: ["v3"],
      kept: ["v1", "v2"],
      expiring: [{ id: "v1", expiresAt: "2026-06-10T00:00:00.000Z" }, { id: "v2", expiresAt: "2026-06-15T00:00:00.000Z" }],
      dropped: [],
      replaced: [],
    })
    assert.equal(describeChanges(result.changes), "v3 new, current · v2 kept until 2026-06-15T00:00:00.000Z · v1 kept until 2026-06-10T00:00:00.000Z")
  })

  it("follows the policy exactly as a rotation: retain_forever keeps, none drops the previous current", () => {
    assert.deepEqual(plan(forever, KEY, known).changes.expiring, [{ id: "v1", expiresAt: "2026-06-10T00:00:00.000Z" }])
    const dropped = plan(none, KEY, known)
    assert.deepEqual([dropped.changes.versions, dropped.changes.dropped], [["v1", "v3"], ["v2"]])
  })

  it("a first value is v1 sent as given; an id the state remembers is never reused", () => {
    const first = plan(rotating, KEY, { kind: "absent", knownIds: [] })
    assert.deepEqual([first.asGiven, first.envelope.current], [true, "v1"])
    const again = plan(rotating, KEY, { kind: "absent", knownIds: ["v1", "v4"] })
    assert.deepEqual([again.asGiven, again.envelope.current], [false, "v5"])
  })

  it("refuses a plain value over versions a retaining secret holds that this checkout cannot see", () => {
    assert.throws(() => plan(rotating, KEY, { kind: "unknown", knownIds: [], modified: "2026-05-02T00:00:00Z" }), refusedWith("versions_would_be_lost", []))
    assert.equal(plan(none, KEY, { kind: "unknown", knownIds: [], modified: "2026-05-02T00:00:00Z" }).envelope.current, "v1")
  })

  it("refuses a plain value without a policy over other readable versions, naming them; replaces a lone current", () => {
    assert.throws(() => plan(plainStatic, "new", known), refusedWith("versions_would_be_lost", ["v1"]))
    const lone: StoreBasis = { kind: "known", envelope: { current: "v1", versions: { v1: { sealed: SEALED } } } }
    const replaced = plan(plainStatic, "new", lone)
    assert.deepEqual([replaced.mode, replaced.changes.written, replaced.changes.dropped, replaced.changes.replaced], ["as_given", ["v1"], [], ["v1"]])
  })

  it("refuses an envelope that leaves out a readable version (the current one too), not an expired one", () => {
    const without = (versions: Record<string, object>, current: string) => JSON.stringify({ current, versions })
    assert.throws(() => plan(plainStatic, without({ v1: { value: "a" }, v3: { value: "c" } }, "v3"), known), refusedWith("versions_would_be_lost", ["v2"]))
    assert.throws(() => plan(plainStatic, without({ v3: { value: "c" } }, "v3"), known), refusedWith("versions_would_be_lost", ["v1", "v2"]))
    const keeps = plan(plainStatic, without({ v1: { value: "a" }, v2: { value: "b" }, v3: { value: "c" } }, "v3"), known)
    assert.deepEqual([keeps.changes.written, keeps.changes.dropped], [["v1", "v2", "v3"], []])
  })

  it("--replace-all stores what was given and lists every readable version it removes", () => {
    const replaced = plan(rotating, KEY, known, true)
    assert.deepEqual([replaced.mode, replaced.asGiven, replaced.changes.versions, replaced.changes.dropped, replaced.changes.replaced], ["replace_all", true, ["v1"], ["v2"], ["v1"]])
    assert.equal(describeChanges(replaced.changes), "v1 new, current · v2 dropped")
  })
})

describe("planVersions: a value the current version already holds", () => {
  it("is unchanged (nothing to write) when the digests match, and the next version otherwise", () => {
    const basis: StoreBasis = { kind: "known", envelope: ROTATED, currentDigest: "a".repeat(64) }
    const inspected = inspectValue(KEY, { plain: false, declaration: rotating, now: NOW })
    const same = planVersions({ declaration: rotating, inspected, basis, now: NOW, replaceAll: false, label: "X", digest: "a".repeat(64) })
    assert.deepEqual([same.mode, same.changes.written, same.changes.current, same.changes.dropped], ["unchanged", [], "v2", []])
    const other = planVersions({ declaration: rotating, inspected, basis, now: NOW, replaceAll: false, label: "X", digest: "b".repeat(64) })
    assert.equal(other.mode, "next_version")
  })
})
