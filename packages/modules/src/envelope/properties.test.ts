/**
 * Property-based tests over generated envelopes: the invariants of parsing, selection,
 * transitions and size that example tests cannot cover exhaustively.
 */
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import fc from "fast-check"
import {
  describeTransition,
  nextVersionId,
  parseRfc3339,
  parseStoredValue,
  selectActive,
  selectAt,
  selectCurrent,
  serializedByteLength,
  serializeEnvelope,
  transition,
  type Envelope,
  type EnvelopeVersion,
  type RetainOptions,
} from "./index.js"

const SEALED = `ls1.${"B" + "A".repeat(86)}.${"A".repeat(16)}.${"A".repeat(22)}`
const FROM = Date.UTC(2026, 0, 1)
const TO = Date.UTC(2027, 0, 1)
const DAY = 86_400_000

/** RFC 3339 text for an instant, in UTC or with an offset, to exercise instant comparison. */
function formatAt(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString()
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23)
  const sign = offsetMinutes < 0 ? "-" : "+"
  const abs = Math.abs(offsetMinutes)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`
}

const instant = fc.integer({ min: FROM, max: TO })
const offset = fc.constantFrom(0, 0, 120, -270, 345)
const versionId = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((n) => `v${n}`),
  fc.constantFrom("main", "beta", "1", "10", "v1.5", "__proto__", "constructor", "V2"),
)
const valueText = fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("", "é€🚀", '{"current":"v1","versions":{}}'))

const version: fc.Arbitrary<EnvelopeVersion> = fc
  .record({
    data: fc.oneof(valueText.map((value): EnvelopeVersion => ({ value })), fc.constant<EnvelopeVersion>({ sealed: SEALED })),
    createdAt: fc.option(fc.tuple(instant, offset), { nil: undefined }),
    lifetime: fc.option(fc.tuple(fc.integer({ min: 1, max: 120 * DAY }), offset), { nil: undefined }),
  })
  .map(({ data, createdAt, lifetime }) => {
    const v: EnvelopeVersion = { ...data }
    const created = createdAt?.[0] ?? FROM - 30 * DAY
    if (createdAt) v.createdAt = formatAt(createdAt[0], createdAt[1])
    if (lifetime) v.expiresAt = formatAt(created + lifetime[0], lifetime[1])
    return v
  })

/** A valid envelope (its current may have expired by some later instant). */
const envelope: fc.Arbitrary<Envelope> = fc
  .uniqueArray(fc.tuple(versionId, version), { minLength: 1, maxLength: 6, selector: ([id]) => id })
  .chain((entries) =>
    fc.nat({ max: entries.length - 1 }).map((index) => ({
      current: entries[index]![0],
      versions: Object.fromEntries(entries),
    })),
  )

const retain: fc.Arbitrary<RetainOptions> = fc.oneof(
  fc.constant({ mode: "none" as const }),
  fc.constant({ mode: "retain_forever" as const }),
  fc.integer({ min: 1, max: 60 }).map((days) => ({ mode: "retain_for" as const, days })),
)

const ms = (text: string | undefined) => (text === undefined ? undefined : parseRfc3339(text)!)
const created = (v: EnvelopeVersion) => ms(v.createdAt) ?? Number.NEGATIVE_INFINITY
/** The oracle for expiry, written out rather than taken from the code under test. */
const isExpired = (v: EnvelopeVersion, now: Date) => v.expiresAt !== undefined && ms(v.expiresAt)! <= now.getTime()

/** An instant near one of the envelope's own times (where off-by-one bugs live), or any. */
function instantNear(e: Envelope): fc.Arbitrary<number> {
  const times = Object.values(e.versions).flatMap((v) => [ms(v.createdAt), ms(v.expiresAt)]).filter((t) => t !== undefined)
  if (times.length === 0) return instant
  return fc.oneof(
    instant,
    fc.tuple(fc.constantFrom(...times), fc.constantFrom(-DAY, -1, 0, 1, DAY)).map(([t, delta]) => t + delta),
  )
}
/** An envelope with two instants chosen near its times. */
const envelopeAndInstants = envelope.chain((e) => fc.tuple(fc.constant(e), instantNear(e), instantNear(e)))

/** A rotation instant no earlier than any createdAt, as transition requires. */
const rotationAt = (e: Envelope, delay: number) => new Date(Math.max(FROM, ...Object.values(e.versions).map(created)) + delay)

describe("envelope properties", () => {
  it("serialize then parse gives back the same envelope, and serializing is stable", () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const text = serializeEnvelope(e)
        const read = parseStoredValue(text)
        assert.equal(read.kind, "envelope")
        assert.deepEqual(read.envelope, e)
        assert.equal(serializeEnvelope(read.envelope), text)
      }),
    )
  })

  it("any text that is not an envelope reads back as itself", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const read = parseStoredValue(text)
        assert.equal(read.kind, "plain")
        assert.equal(read.envelope.versions.v1?.value, text)
      }),
    )
  })

  it("selectAt never returns an expired version, and returns the latest created at or before the time", () => {
    fc.assert(
      fc.property(envelopeAndInstants, ([e, time, now]) => {
        const result = selectAt(e, new Date(time), new Date(now))
        const candidates = Object.entries(e.versions).filter(([, v]) => created(v) <= time)
        if (!result.ok) {
          if (result.code === "no_version_at") assert.equal(candidates.length, 0)
          else assert.equal(result.code, "version_expired")
          return
        }
        assert.equal(isExpired(result.version, new Date(now)), false)
        assert.ok(created(result.version) <= time)
        for (const [, v] of candidates) assert.ok(created(v) <= created(result.version))
      }),
    )
  })

  it("selectActive starts with the current version and holds every live version, and no expired one", () => {
    fc.assert(
      fc.property(envelopeAndInstants, ([e, now]) => {
        const at = new Date(now)
        const active = selectActive(e, at)
        const ids = active.map((item) => item.id)
        const live = Object.keys(e.versions).filter((id) => !isExpired(e.versions[id]!, at))
        assert.deepEqual([...ids].sort(), [...live].sort())
        if (selectCurrent(e, at).ok) assert.equal(ids[0], e.current)
        else assert.ok(!ids.includes(e.current))
        const others = active.filter((item) => item.id !== e.current).map((item) => created(item.version))
        for (let i = 1; i < others.length; i++) assert.ok(others[i - 1]! >= others[i]!, "others are newest first")
      }),
    )
  })

  it("transition keeps every live non-current version unchanged, applies retention to the current, drops the expired", () => {
    fc.assert(
      fc.property(envelope, fc.integer({ min: 0, max: 90 * DAY }), retain, valueText, (e, delay, policy, value) => {
        const at = rotationAt(e, delay)
        const newVersionId = nextVersionId(e)
        const after = transition(e, { newVersionId, newEntry: { value }, at, retain: policy })
        assert.equal(after.current, newVersionId)
        assert.deepEqual(after.versions[newVersionId], { value, createdAt: at.toISOString() })
        for (const [id, v] of Object.entries(e.versions)) {
          const kept = Object.hasOwn(after.versions, id)
          if (isExpired(v, at)) assert.ok(!kept, `${id} expired at the rotation and must be dropped`)
          else if (id !== e.current) assert.deepEqual(after.versions[id], v, `${id} must be kept unchanged`)
          else if (policy.mode === "none") assert.ok(!kept)
          else if (policy.mode === "retain_forever") assert.deepEqual(after.versions[id], v)
          else {
            const { expiresAt, ...rest } = after.versions[id]!
            const { expiresAt: _, ...restBefore } = v
            assert.deepEqual(rest, restBefore)
            assert.equal(ms(expiresAt), Math.min(ms(v.expiresAt) ?? Infinity, at.getTime() + policy.days * DAY))
          }
        }
        const summary = describeTransition(e, after)
        assert.deepEqual(summary.added, [newVersionId])
        assert.equal(summary.kept.length + summary.dropped.length, Object.keys(e.versions).length)
      }),
    )
  })

  it("a chain of transitions never brings back a dropped version and never loses a retained one", () => {
    fc.assert(
      fc.property(envelope, fc.array(fc.tuple(fc.integer({ min: 0, max: 40 * DAY }), retain), { minLength: 1, maxLength: 8 }), (start, steps) => {
        let e = start
        let clock = rotationAt(start, 0).getTime()
        const dropped = new Set<string>()
        for (const [delay, policy] of steps) {
          clock += delay
          const at = new Date(clock)
          const after = transition(e, { newVersionId: nextVersionId(e), newEntry: { value: "x" }, at, retain: policy })
          for (const id of Object.keys(after.versions)) assert.ok(!dropped.has(id), `${id} came back`)
          for (const [id, v] of Object.entries(e.versions)) {
            const retained = !isExpired(v, at) && (id !== e.current || policy.mode !== "none")
            if (retained) assert.ok(Object.hasOwn(after.versions, id), `${id} was lost`)
            else dropped.add(id)
          }
          e = after
        }
      }),
    )
  })

  it("nextVersionId is always new and above every numbered id", () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const next = nextVersionId(e)
        assert.ok(!Object.hasOwn(e.versions, next))
        const n = Number(next.slice(1))
        for (const id of Object.keys(e.versions)) {
          const m = /^v(\d+)$/.exec(id)
          if (m) assert.ok(Number(m[1]) < n)
        }
      }),
    )
  })

  it("serializedByteLength is the exact UTF-8 length of the serialized text", () => {
    fc.assert(
      fc.property(envelope, (e) => {
        assert.equal(serializedByteLength(e), new TextEncoder().encode(serializeEnvelope(e)).length)
      }),
    )
  })

  it("serializedByteLength counts multi-byte characters exactly", () => {
    const char = fc.constantFrom(["a", 1], ["é", 2], ["€", 3], ["🚀", 4], ["😀", 4], ["中", 3])
    fc.assert(
      fc.property(fc.array(char, { maxLength: 200 }), (chars) => {
        const value = chars.map(([c]) => c).join("")
        const expected = chars.reduce((sum, [, bytes]) => sum + bytes, 0)
        const empty = serializedByteLength({ current: "v1", versions: { v1: { value: "" } } })
        assert.equal(serializedByteLength({ current: "v1", versions: { v1: { value } } }), empty + expected)
      }),
    )
  })
})
