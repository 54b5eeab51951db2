import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { serializeEnvelope, type Envelope } from "../envelope/index.js"
import {
  emptyPackByteLength,
  PACK_FORMAT,
  PACK_MAX_BYTES,
  packByteLength,
  packMemberByteLength,
  PackError,
  parsePack,
  serializePack,
  type Pack,
  type PackRule,
} from "./index.js"

const PACK = "lo_abb53b9a5ef25e68834a8947"
const OTHER_PACK = "lo_0123456789abcdef01234567"
/** Something that must never show up in an error. */
const SECRET = "sk_live_SUPERSECRET_9f8e7d6c5b4a"
/** A well-formed sealed text (shape only). */
const SEALED = `ls1.${"B" + "A".repeat(86)}.${"A".repeat(16)}.${"A".repeat(22)}`

const session: Envelope = {
  current: "v2",
  versions: { v1: { sealed: SEALED, createdAt: "2026-05-01T00:00:00.000Z", expiresAt: "2026-07-01T00:00:00.000Z" }, v2: { value: SECRET, createdAt: "2026-06-01T00:00:00.000Z" } },
}
const stripe: Envelope = { current: "v1", versions: { v1: { value: "whsec_x" } } }
const pack: Pack = { format: PACK_FORMAT, pack: PACK, members: { "billing/stripe": stripe, "auth/session-key": session } }

function packError(run: () => unknown, rule: PackRule, expect: { member?: string; path?: string } = {}): PackError {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof PackError, `expected a PackError, got ${String(caught)}`)
  assert.equal(caught.code, "invalid_pack")
  assert.equal(caught.rule, rule)
  assert.equal(caught.pack, PACK)
  assert.match(caught.message, new RegExp(`^Pack ${PACK}`))
  if ("member" in expect) {
    assert.equal(caught.member, expect.member)
    if (expect.member !== undefined) assert.match(caught.message, new RegExp(`member "${expect.member}"`))
  }
  if (expect.path !== undefined) assert.equal(caught.path, expect.path)
  assert.ok(!caught.message.includes(SECRET), `the message leaks a value: ${caught.message}`)
  assert.ok(!caught.message.includes(SEALED), `the message leaks a sealed text: ${caught.message}`)
  return caught
}

const parseData = (data: unknown) => () => parsePack(JSON.stringify(data), PACK)

describe("pack text", () => {
  it("round-trips: parse(serialize(pack)) is the pack, and serialize is stable", () => {
    const text = serializePack(pack)
    assert.deepEqual(parsePack(text, PACK), pack)
    assert.equal(serializePack(parsePack(text, PACK)), text)
    // Members in id order, each envelope as serializeEnvelope writes it.
    assert.equal(text, `{"format":"layeron.pack/v1","pack":"${PACK}","members":{"auth/session-key":${serializeEnvelope(session)},"billing/stripe":${serializeEnvelope(stripe)}}}`)
  })

  it("reads a pack with whitespace and any key order, as a dashboard edit that kept the format would", () => {
    const text = `\n { "members": { "billing/stripe": ${JSON.stringify(stripe, null, 2)} }, "pack": "${PACK}", "format": "layeron.pack/v1" }\n`
    assert.deepEqual(parsePack(text, PACK).members, { "billing/stripe": stripe })
  })

  it("reads an empty pack", () => {
    assert.deepEqual(parsePack(`{"format":"layeron.pack/v1","pack":"${PACK}","members":{}}`, PACK).members, {})
  })

  it("measures sizes exactly: empty + Σ members − 1 is the text's length", () => {
    const text = serializePack(pack)
    assert.equal(packByteLength(pack), new TextEncoder().encode(text).byteLength)
    const sum = emptyPackByteLength(PACK) + packMemberByteLength("auth/session-key", session) + packMemberByteLength("billing/stripe", stripe) - 1
    assert.equal(sum, packByteLength(pack))
    // Non-ASCII counts in UTF-8 bytes, as Cloudflare counts.
    const euro: Envelope = { current: "v1", versions: { v1: { value: "€" } } }
    assert.equal(packMemberByteLength("a/b", euro), packMemberByteLength("a/b", { current: "v1", versions: { v1: { value: "e" } } }) + 2)
  })

  it("refuses to serialize a pack above 65,536 bytes, naming the pack and its largest member", () => {
    const big = (n: number): Envelope => ({ current: "v1", versions: { v1: { value: "x".repeat(n) } } })
    const members: Record<string, Envelope> = { "a/one": big(30_000), "a/two": big(36_000) }
    const error = packError(() => serializePack({ format: PACK_FORMAT, pack: PACK, members }), "too_large")
    assert.match(error.message, /2 members take \d+ bytes, above Cloudflare's 65536-byte limit \(the largest, "a\/two", takes 36\d{3}\)/)
    // Exactly at the limit is fine.
    const room = PACK_MAX_BYTES - emptyPackByteLength(PACK) - packMemberByteLength("a/one", big(0)) + 1
    assert.equal(packByteLength({ format: PACK_FORMAT, pack: PACK, members: { "a/one": big(room) } }), PACK_MAX_BYTES)
    serializePack({ format: PACK_FORMAT, pack: PACK, members: { "a/one": big(room) } })
    packError(() => serializePack({ format: PACK_FORMAT, pack: PACK, members: { "a/one": big(room + 1) } }), "too_large")
  })

  it("refuses to serialize what a read would refuse", () => {
    packError(() => serializePack({ ...pack, members: { "auth/x": { current: "v9", versions: { v1: { value: SECRET } } } } }), "invalid_member", { member: "auth/x" })
    packError(() => serializePack({ ...pack, members: { "layeron/sealing-key": stripe } }), "reserved_member", { member: "layeron/sealing-key" })
    packError(() => serializePack({ ...pack, members: { [SECRET]: stripe } }), "invalid_member_id", { member: undefined })
    packError(() => serializePack({ ...pack, format: "layeron.pack/v2" as typeof PACK_FORMAT }), "wrong_format")
    assert.throws(() => serializePack({ ...pack, pack: "not-a-pack" }), (error: unknown) => error instanceof PackError && error.rule === "wrong_pack")
  })
})

describe("every bad pack text", () => {
  it("is not a string or not JSON: the text is never quoted", () => {
    packError(() => parsePack(42 as unknown as string, PACK), "not_a_string")
    const error = packError(() => parsePack(`{"format":"layeron.pack/v1","pack":"${PACK}","members":{"a/b":{"current":"v1","versions":{"v1":{"value":"${SECRET}"}}}}`, PACK), "not_json")
    assert.match(error.message, /is not valid JSON/)
    packError(() => parsePack(SECRET, PACK), "not_json")
    packError(() => parsePack("", PACK), "not_json")
  })

  it("is not an object, or lacks or adds a top-level key", () => {
    for (const data of [[], null, "x", 1]) packError(parseData(data), "not_an_object", { path: "" })
    packError(parseData({ format: PACK_FORMAT, pack: PACK }), "missing_key", { path: "members" })
    packError(parseData({ pack: PACK, members: {} }), "missing_key", { path: "format" })
    packError(parseData({ format: PACK_FORMAT, members: {} }), "missing_key", { path: "pack" })
    const extra = packError(parseData({ format: PACK_FORMAT, pack: PACK, members: {}, [SECRET]: 1 }), "unknown_key")
    assert.match(extra.message, /a key of 32 characters is not allowed/)
    packError(parseData({ format: PACK_FORMAT, pack: PACK, members: {}, comment: "x" }), "unknown_key")
  })

  it("has another format tag, or is a plain envelope stored under the pack's name", () => {
    packError(parseData({ format: "layeron.pack/v2", pack: PACK, members: {} }), "wrong_format", { path: "format" })
    packError(parseData({ format: 1, pack: PACK, members: {} }), "wrong_format")
    packError(parseData(stripe), "unknown_key")
  })

  it("names another pack (a pack's text copied into another pack's secret)", () => {
    const error = packError(() => parsePack(serializePack({ ...pack, pack: OTHER_PACK }), PACK), "wrong_pack", { path: "pack" })
    assert.match(error.message, new RegExp(`"pack" names "${OTHER_PACK}", not the secret it is stored under`))
    const hidden = packError(parseData({ format: PACK_FORMAT, pack: SECRET, members: {} }), "wrong_pack")
    assert.match(hidden.message, /names a string of 32 characters/)
  })

  it("has members that are not an object", () => {
    for (const members of [[], null, "x"]) packError(parseData({ format: PACK_FORMAT, pack: PACK, members }), "not_an_object", { path: "members" })
  })

  it("has a member id that is not namespace/name (never quoted), or one in the reserved namespace", () => {
    for (const id of [SECRET, "no-slash", "a/b/c", "A/b", ""]) {
      packError(parseData({ format: PACK_FORMAT, pack: PACK, members: { [id]: stripe } }), "invalid_member_id", { path: "members" })
    }
    packError(parseData({ format: PACK_FORMAT, pack: PACK, members: { "layeron/sealing-key": stripe } }), "reserved_member", { member: "layeron/sealing-key" })
  })

  it("has a member that is not a valid envelope: the member, the path and the envelope rule are named", () => {
    const member = (envelope: unknown) => parseData({ format: PACK_FORMAT, pack: PACK, members: { "billing/stripe": stripe, "auth/session-key": envelope } })
    const cases: Array<[unknown, string, string]> = [
      [SECRET, "members.auth/session-key", "not_an_object"],
      [{ current: "v1" }, "members.auth/session-key.versions", "missing_key"],
      [{ current: "v2", versions: { v1: { value: SECRET } } }, "members.auth/session-key.current", "current_unknown"],
      [{ current: "v1", versions: { v1: { value: SECRET, sealed: SEALED } } }, "members.auth/session-key.versions.v1", "value_and_sealed"],
      [{ current: "v1", versions: { v1: { sealed: SECRET } } }, "members.auth/session-key.versions.v1.sealed", "invalid_sealed"],
      [{ current: "v1", versions: { v1: { value: SECRET, expiresat: "2026-01-01T00:00:00Z" } } }, "members.auth/session-key.versions.v1.expiresat", "unknown_key"],
      [{ current: "v1", versions: { v1: { value: 1 } } }, "members.auth/session-key.versions.v1.value", "wrong_type"],
    ]
    for (const [envelope, path, rule] of cases) {
      const error = packError(member(envelope), "invalid_member", { member: "auth/session-key", path })
      assert.equal(error.envelopeRule, rule)
    }
  })

  it("repeats a key anywhere: a member, a top-level key, or a key inside a member", () => {
    const body = serializeEnvelope(stripe)
    const twiceMember = `{"format":"layeron.pack/v1","pack":"${PACK}","members":{"billing/stripe":${body},"billing/stripe":${body}}}`
    packError(() => parsePack(twiceMember, PACK), "duplicate_key", { member: "billing/stripe" })
    // A second "pack" would win in JSON.parse: refused, not read as the last one.
    const twicePack = `{"format":"layeron.pack/v1","pack":"${OTHER_PACK}","pack":"${PACK}","members":{}}`
    packError(() => parsePack(twicePack, PACK), "duplicate_key", { member: undefined })
    const twiceValue = `{"format":"layeron.pack/v1","pack":"${PACK}","members":{"billing/stripe":{"current":"v1","versions":{"v1":{"value":"${SECRET}","value":"b"}}}}}`
    const error = packError(() => parsePack(twiceValue, PACK), "duplicate_key", { member: "billing/stripe" })
    assert.match(error.message, /key "value" appears twice in the same object in member "billing\/stripe" \(versions\.v1\)/)
  })
})
