/**
 * The pure planner: every status and reason, on states holding real sealed copies, with
 * the sizes checked against the envelope a rotation would really write.
 */
import assert from "node:assert/strict"
import { before, describe, test } from "node:test"
import { secret } from "@layeron/modules"
import { serializeEnvelope, transition } from "@layeron/modules/envelope"
import { generateSealingKeyPair, seal } from "@layeron/modules/seal"
import type { SecretDeclaration } from "@layeron/modules/declare"
import type { SecretMetadata } from "../providers/provider.js"
import { planRotation } from "./plan.js"
import type { PlanRow, RotationCandidate } from "./plan.js"
import { STATE_FORMAT } from "./types.js"
import type { SecretState } from "./types.js"

const DAY = 86_400_000
const T0 = Date.parse("2026-01-01T00:00:00.000Z")
const iso = (ms: number) => new Date(ms).toISOString()
const at = (days: number) => new Date(T0 + days * DAY)

const retainFor = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }).declaration
const forever = secret.random({ name: "encryption-key", namespace: "storage", bytes: 1024, rotation: { everyDays: 90, retain: { mode: "retain_forever" } } }).declaration
const none = secret.random({ name: "cookie-key", rotation: { everyDays: 7 } }).declaration
const generated = secret.generated({ name: "signing-key", namespace: "auth", bytes: 16, rotation: { everyDays: 7, retain: { mode: "retain_for", days: 3 } } }).declaration
const adopted = secret.generated({ name: "partner-key", namespace: "partner", secretName: "PARTNER_KEY", rotation: { everyDays: 30 } }).declaration
const plain = secret.static({ name: "stripe", namespace: "payments" }).declaration

let publicKey: JsonWebKey
before(async () => {
  publicKey = (await generateSealingKeyPair()).publicKey
})

const metadata = (name: string, modified: string): SecretMetadata => ({ name, id: "id-" + name, created: modified, modified })

/** A state whose versions were written at the given days (the last one current), as rotation leaves it. */
async function stateOf(declaration: SecretDeclaration, name: string, versions: Array<{ id: string; day: number; expiresDay?: number; bytes?: number }>, modified = "m1"): Promise<SecretState> {
  const sealed: SecretState["versions"] = {}
  for (const version of versions) {
    sealed[version.id] = {
      sealed: await seal(publicKey, "A".repeat(Math.ceil(((version.bytes ?? declaration.bytes ?? 32) * 4) / 3)), { physicalName: name, versionId: version.id }),
      createdAt: iso(T0 + version.day * DAY),
      ...(version.expiresDay === undefined ? {} : { expiresAt: iso(T0 + version.expiresDay * DAY) }),
    }
  }
  return {
    format: STATE_FORMAT,
    secret: declaration.id,
    physicalName: name,
    kind: declaration.kind,
    policy: declaration.rotation!,
    provider: { kind: "cloudflare", secretId: "id-" + name, modified },
    current: versions.at(-1)!.id,
    versions: sealed,
    log: [],
  }
}

const candidate = (declaration: SecretDeclaration, name: string, state: SecretState | undefined, meta: SecretMetadata | undefined): RotationCandidate => ({ declaration, physicalName: name, state, metadata: meta })
const planOne = (c: RotationCandidate, now: Date, flags: { discardHistory?: boolean; acceptPolicyChange?: boolean } = {}): PlanRow => {
  const rows = planRotation([c], { now, ...flags }).rows
  assert.equal(rows.length, 1)
  return rows[0]!
}

describe("planRotation: statuses", () => {
  test("only declarations with rotation.everyDays are planned", () => {
    assert.deepEqual(planRotation([candidate(plain, "p", undefined, undefined)], { now: at(0) }).rows, [])
  })

  test("missing random secret; generated without a value is due for its first value; an adopted operator name waits for its value", () => {
    assert.equal(planOne(candidate(retainFor, "lo_a", undefined, undefined), at(0)).status, "missing")
    const first = planOne(candidate(generated, "lo_g", undefined, undefined), at(0))
    assert.ok(first.status === "due")
    assert.deepEqual([first.reason, first.newVersion, first.before], ["first_value", "v1", undefined])
    assert.deepEqual(first.versions, { kept: [], expiring: [], dropped: [], added: ["v1"] })
    const external = planOne(candidate(adopted, "PARTNER_KEY", undefined, undefined), at(0))
    assert.equal(external.status, "external_value_required")
    assert.match(external.status === "external_value_required" ? external.hint : "", /layer secret set partner\/partner-key/)
  })

  test("not due: last rotation, next due, the versions as they stand and the stored size", async () => {
    const state = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0, expiresDay: 44 }, { id: "v2", day: 30 }])
    const row = planOne(candidate(retainFor, "lo_a", state, metadata("lo_a", "m1")), at(59.9))
    assert.ok(row.status === "not_due")
    assert.deepEqual([row.lastRotation, row.nextDue], [iso(T0 + 30 * DAY), iso(T0 + 60 * DAY)])
    assert.deepEqual(row.versions, { kept: ["v1", "v2"], expiring: [{ id: "v1", expiresAt: iso(T0 + 44 * DAY) }], dropped: [], added: [] })
    // The store holds v2 plain (43 base64url characters) and v1 sealed: exactly that size.
    const stored = { current: "v2", versions: { v1: state.versions.v1!, v2: { value: "B".repeat(43), createdAt: state.versions.v2!.createdAt! } } }
    assert.equal(row.size?.bytes, Buffer.byteLength(serializeEnvelope(stored)))
  })

  test("due by schedule under each retain mode: what is kept, expires and is dropped", async () => {
    const forFor = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0, expiresDay: 44 }, { id: "v2", day: 30 }])
    const a = planOne(candidate(retainFor, "lo_a", forFor, metadata("lo_a", "m1")), at(60))
    assert.ok(a.status === "due")
    assert.deepEqual([a.reason, a.newVersion], ["schedule", "v3"])
    assert.deepEqual(a.versions, { kept: ["v2"], expiring: [{ id: "v2", expiresAt: iso(T0 + 74 * DAY) }], dropped: ["v1"], added: ["v3"] })

    const forForever = await stateOf(forever, "lo_f", [{ id: "v1", day: 0 }, { id: "v2", day: 90 }])
    const f = planOne(candidate(forever, "lo_f", forForever, metadata("lo_f", "m1")), at(180))
    assert.ok(f.status === "due")
    assert.deepEqual(f.versions, { kept: ["v1", "v2"], expiring: [], dropped: [], added: ["v3"] })

    const forNone = await stateOf(none, "lo_n", [{ id: "v4", day: 0 }])
    const n = planOne(candidate(none, "lo_n", forNone, metadata("lo_n", "m1")), at(7))
    assert.ok(n.status === "due")
    assert.deepEqual(n.versions, { kept: [], expiring: [], dropped: ["v4"], added: ["v5"] })
  })

  test("the due row's size is the size of the envelope the rotation writes", async () => {
    const state = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0, expiresDay: 44 }, { id: "v2", day: 30 }])
    const row = planOne(candidate(retainFor, "lo_a", state, metadata("lo_a", "m1")), at(60))
    assert.ok(row.status === "due")
    const written = transition({ current: "v2", versions: state.versions }, { newVersionId: "v3", newEntry: { value: "x".repeat(43) }, at: at(60), retain: retainFor.rotation!.retain })
    assert.equal(row.size.bytes, Buffer.byteLength(serializeEnvelope(written)))
  })

  test("sizes warn above 80 % of 65,536 bytes and refuse above it", async () => {
    // retain_forever with 1,024-byte values: each sealed version takes about 1.5 KB.
    const versions = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `v${i + 1}`, day: i * 90 }))
    const warn = planOne(candidate(forever, "lo_f", await stateOf(forever, "lo_f", versions(30)), metadata("lo_f", "m1")), at(30 * 90))
    assert.ok(warn.status === "due")
    assert.equal(warn.size.status, "warn", `${warn.size.bytes} bytes`)
    const tooLarge = planOne(candidate(forever, "lo_f", await stateOf(forever, "lo_f", versions(38)), metadata("lo_f", "m1")), at(38 * 90))
    assert.ok(tooLarge.status === "due")
    assert.equal(tooLarge.size.status, "too_large", `${tooLarge.size.bytes} bytes`)
  })

  test("a version created after the plan's time (a clock ahead, or --at in the past) keeps the row not due", async () => {
    const state = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0 }, { id: "v2", day: 30 }])
    const past = planOne(candidate(retainFor, "lo_a", state, metadata("lo_a", "m1")), at(10))
    assert.ok(past.status === "not_due")
    assert.equal(past.nextDue, iso(T0 + 60 * DAY))
  })
})

describe("planRotation: conflicts and the flags past them", () => {
  test("written outside the state: a conflict for retain modes, the flag named in the hint", async () => {
    const state = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0 }], "m1")
    const row = planOne(candidate(retainFor, "lo_a", state, metadata("lo_a", "m2")), at(60))
    assert.ok(row.status === "conflict")
    assert.deepEqual(row.reasons, ["modified_elsewhere"])
    assert.equal(row.detail, "it was written outside this state (the store says modified m2, the state m1)")
    assert.match(row.hint, /--discard-history/)
  })

  test("in the store without any state: no_state; deleted from the store while the state has versions: modified_elsewhere", async () => {
    const orphan = planOne(candidate(retainFor, "lo_a", undefined, metadata("lo_a", "m1")), at(0))
    assert.ok(orphan.status === "conflict")
    assert.deepEqual(orphan.reasons, ["no_state"])
    const deleted = planOne(candidate(forever, "lo_f", await stateOf(forever, "lo_f", [{ id: "v1", day: 0 }]), undefined), at(1))
    assert.ok(deleted.status === "conflict")
    assert.match(deleted.detail, /deleted from the store outside this state/)
  })

  test("--discard-history: due now, a fresh envelope, ids continue after the ones the state knew", async () => {
    const state = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0, expiresDay: 44 }, { id: "v2", day: 30 }], "m1")
    const row = planOne(candidate(retainFor, "lo_a", state, metadata("lo_a", "m2")), at(31), { discardHistory: true })
    assert.ok(row.status === "due")
    assert.deepEqual([row.reason, row.newVersion, row.before], ["history_discarded", "v3", undefined])
    assert.deepEqual(row.versions, { kept: [], expiring: [], dropped: ["v1", "v2"], added: ["v3"] })
  })

  test("retain none: a foreign write is the latest value, dated by the provider's modified; no conflict", async () => {
    const state = await stateOf(none, "lo_n", [{ id: "v1", day: 0 }], "m1")
    const row = planOne(candidate(none, "lo_n", state, metadata("lo_n", iso(T0 + 5 * DAY))), at(8))
    assert.ok(row.status === "not_due")
    assert.deepEqual([row.lastRotation, row.nextDue], [iso(T0 + 5 * DAY), iso(T0 + 12 * DAY)])
    const later = planOne(candidate(none, "lo_n", state, metadata("lo_n", iso(T0 + 5 * DAY))), at(12))
    assert.ok(later.status === "due")
    assert.deepEqual([later.newVersion, later.before, later.versions.dropped], ["v2", undefined, []])
  })

  test("a changed policy is a conflict; accepted, the row plans under the new policy and says what changed", async () => {
    const state = { ...(await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0 }])), policy: { everyDays: 60, retain: { mode: "none" as const } } }
    const row = planOne(candidate(retainFor, "lo_a", state, metadata("lo_a", "m1")), at(31))
    assert.ok(row.status === "conflict")
    assert.deepEqual(row.reasons, ["policy_changed"])
    assert.equal(row.detail, "its rotation policy changed since the last write (every 60d, none → every 30d, retain_for 14d)")
    assert.equal(row.hint, "check that the change is intended, then run again with --accept-policy-change")
    const accepted = planOne(candidate(retainFor, "lo_a", state, metadata("lo_a", "m1")), at(31), { acceptPolicyChange: true })
    assert.ok(accepted.status === "due")
    assert.deepEqual(accepted.policyChange, { from: { everyDays: 60, retain: { mode: "none" } }, to: retainFor.rotation })
  })

  test("both at once: both reasons, both flags; a startAt written differently is the same policy", async () => {
    const moved = { ...(await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0 }], "m1")), policy: { everyDays: 7, retain: { mode: "retain_forever" as const } } }
    const row = planOne(candidate(retainFor, "lo_a", moved, metadata("lo_a", "m2")), at(31))
    assert.ok(row.status === "conflict")
    assert.deepEqual(row.reasons, ["policy_changed", "modified_elsewhere"])
    assert.match(row.hint, /--accept-policy-change and --discard-history/)

    const anchored = secret.random({ name: "anchored", rotation: { everyDays: 7, startAt: "2026-01-05T00:00:00Z" } }).declaration
    const state = { ...(await stateOf(anchored, "lo_s", [{ id: "v1", day: 0 }])), policy: { everyDays: 7, startAt: "2026-01-05T01:00:00+01:00", retain: { mode: "none" as const } } }
    assert.equal(planOne(candidate(anchored, "lo_s", state, metadata("lo_s", "m1")), at(1)).status, "not_due")
  })
})

describe("planRotation: forceDue (--now)", () => {
  test("a secret not due by its schedule is due now, reason forced, its versions listed newest first", async () => {
    const state = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0, expiresDay: 44 }, { id: "v2", day: 30 }])
    const row = planRotation([candidate(retainFor, "lo_a", state, metadata("lo_a", "m1"))], { now: at(31), forceDue: new Set(["lo_a"]) }).rows[0]!
    assert.ok(row.status === "due")
    assert.deepEqual([row.reason, row.newVersion, row.nextDue], ["forced", "v3", iso(T0 + 60 * DAY)])
    assert.deepEqual(row.versions, { kept: ["v1", "v2"], expiring: [{ id: "v1", expiresAt: iso(T0 + 44 * DAY) }, { id: "v2", expiresAt: iso(T0 + 45 * DAY) }], dropped: [], added: ["v3"] })
    assert.deepEqual(row.versionStates, [
      { id: "v3", state: "current" },
      { id: "v2", state: "retained" },
      { id: "v1", state: "retained" },
    ])
  })

  test("only the named physical names; a due secret keeps its schedule reason; a conflict stays a conflict", async () => {
    const a = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 0 }])
    const n = await stateOf(none, "lo_n", [{ id: "v1", day: 0 }])
    const rows = planRotation([candidate(retainFor, "lo_a", a, metadata("lo_a", "m1")), candidate(none, "lo_n", n, metadata("lo_n", "m1"))], { now: at(8), forceDue: new Set(["lo_a"]) }).rows
    assert.deepEqual(rows.map((row) => [row.physicalName, row.status, row.status === "due" ? row.reason : undefined]), [
      ["lo_a", "due", "forced"],
      ["lo_n", "due", "schedule"],
    ])
    const elsewhere = planRotation([candidate(retainFor, "lo_a", a, metadata("lo_a", "m2"))], { now: at(8), forceDue: new Set(["lo_a"]) }).rows[0]!
    assert.equal(elsewhere.status, "conflict")
  })

  test("not forced when a version is dated after now (a new version must be the newest)", async () => {
    const state = await stateOf(retainFor, "lo_a", [{ id: "v1", day: 10 }])
    const row = planRotation([candidate(retainFor, "lo_a", state, metadata("lo_a", "m1"))], { now: at(5), forceDue: new Set(["lo_a"]) }).rows[0]!
    assert.equal(row.status, "not_due")
  })
})
