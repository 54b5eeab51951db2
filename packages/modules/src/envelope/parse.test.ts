import assert from "node:assert/strict"
import { describe, it } from "node:test"
import {
  EnvelopeError,
  looksLikeEnvelope,
  parseStoredValue,
  serializeEnvelope,
  validateEnvelope,
  type EnvelopeRule,
} from "./index.js"

/** A well-formed sealed text (shape only; the envelope never opens it). */
const SEALED = `ls1.${"B" + "A".repeat(86)}.${"A".repeat(16)}.${"A".repeat(22)}`
const T1 = "2026-05-01T00:00:00.000Z"
const T2 = "2026-06-01T00:00:00.000Z"
const T3 = "2026-05-31T00:00:00.000Z"
/** Something that must never show up in an error. */
const SECRET = "sk_live_SUPERSECRET_9f8e7d6c5b4a"

/** Asserts that `run` throws an EnvelopeError with this path and rule, and returns its message. */
function envelopeError(run: () => unknown, path: string, rule: EnvelopeRule): string {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof EnvelopeError, `expected an EnvelopeError, got ${String(caught)}`)
  assert.equal(caught.code, "invalid_envelope")
  assert.equal(caught.path, path)
  assert.equal(caught.rule, rule)
  assert.ok(!caught.message.includes(SECRET), `the message leaks a value: ${caught.message}`)
  return caught.message
}

const parseJson = (data: unknown) => () => parseStoredValue(JSON.stringify(data))

describe("what counts as an envelope", () => {
  it("treats ordinary text as a plain value: one version v1, no times", () => {
    for (const text of ["hello", "", "  spaced  ", SECRET, '"a JSON string"', "42", "null", "[1,2]"]) {
      assert.deepEqual(parseStoredValue(text), { kind: "plain", envelope: { current: "v1", versions: { v1: { value: text } } } })
      assert.equal(looksLikeEnvelope(text), false)
    }
  })

  it("treats a JSON object without both current and versions as plain text", () => {
    for (const text of ['{"current":"v1"}', '{"versions":{}}', '{"value":"x"}', "{}", '{"Current":"v1","Versions":{}}']) {
      assert.equal(parseStoredValue(text).kind, "plain", text)
    }
  })

  it("treats text that starts like an envelope but is not valid JSON as plain text", () => {
    const text = '{"current":"v1","versions":{"v1":{"value":"x"}}' // missing the last brace
    assert.equal(looksLikeEnvelope(text), false)
    assert.deepEqual(parseStoredValue(text).envelope.versions.v1, { value: text })
  })

  it("treats a JSON array holding the key names as plain text", () => {
    assert.equal(parseStoredValue('["current","versions"]').kind, "plain")
  })

  it("reads an envelope with surrounding JSON whitespace", () => {
    const text = '\n  {"current":"v1","versions":{"v1":{"value":"x"}}}\n'
    assert.equal(looksLikeEnvelope(text), true)
    assert.deepEqual(parseStoredValue(text), { kind: "envelope", envelope: { current: "v1", versions: { v1: { value: "x" } } } })
  })

  it("reads the envelope from docs/design.md#values", () => {
    const text = JSON.stringify({
      current: "v3",
      versions: { v2: { value: "old", createdAt: T1, expiresAt: T2 }, v3: { value: "new", createdAt: T3 } },
    })
    assert.deepEqual(parseStoredValue(text), {
      kind: "envelope",
      envelope: { current: "v3", versions: { v2: { value: "old", createdAt: T1, expiresAt: T2 }, v3: { value: "new", createdAt: T3 } } },
    })
  })

  it("reads the documented example without createdAt, and sealed versions", () => {
    const envelope = parseStoredValue(
      JSON.stringify({ current: "v3", versions: { v1: { sealed: SEALED }, v2: { value: "old-secret-value", expiresAt: T2 }, v3: { value: "new-secret-value" } } }),
    ).envelope
    assert.equal(envelope.current, "v3")
    assert.deepEqual(envelope.versions.v1, { sealed: SEALED })
  })

  it("accepts an envelope whose current is expired when no instant is given (reads report it through select)", () => {
    const text = JSON.stringify({ current: "v1", versions: { v1: { value: "x", expiresAt: T1 } } })
    assert.equal(parseStoredValue(text).kind, "envelope")
  })

  it("keeps ids such as __proto__ and constructor as ordinary versions", () => {
    const envelope = parseStoredValue('{"current":"__proto__","versions":{"__proto__":{"value":"a"},"constructor":{"value":"b"}}}').envelope
    assert.deepEqual(Object.keys(envelope.versions).sort(), ["__proto__", "constructor"])
    assert.equal(Object.getPrototypeOf(envelope.versions), Object.prototype)
    assert.deepEqual(Object.getOwnPropertyDescriptor(envelope.versions, "__proto__")?.value, { value: "a" })
  })

  it("rejects a non-string input with a TypeError", () => {
    assert.throws(() => parseStoredValue(42 as unknown as string), TypeError)
  })
})

describe("envelope rules and their messages", () => {
  it("rejects a document that is not an object", () => {
    const message = envelopeError(() => validateEnvelope(["current", "versions"]), "", "not_an_object")
    assert.match(message, /expected a JSON object with "current" and "versions", got an array/)
  })

  it("rejects a missing key when validating data directly", () => {
    const message = envelopeError(() => validateEnvelope({ current: "v1" }), "versions", "missing_key")
    assert.match(message, /"versions" is required/)
  })

  it("rejects an unknown top-level key, naming it", () => {
    const message = envelopeError(parseJson({ current: "v1", versions: { v1: { value: SECRET } }, note: "hi" }), "note", "unknown_key")
    assert.match(message, /key "note" is not allowed at the top level\. Allowed keys: current, versions/)
  })

  it("rejects an unknown key in a version and suggests the intended one", () => {
    const message = envelopeError(parseJson({ current: "v1", versions: { v1: { value: SECRET, expiresat: T2 } } }), "versions.v1.expiresat", "unknown_key")
    assert.match(message, /key "expiresat" is not allowed in versions\.v1 \(did you mean "expiresAt"\?\)/)
    assert.match(message, /Allowed keys: value, sealed, createdAt, expiresAt/)
  })

  it("does not repeat an unknown key that could be a pasted secret", () => {
    const message = envelopeError(parseJson({ current: "v1", versions: { v1: { value: "x", [SECRET + SECRET]: true } } }), "versions.v1[a key of 64 characters]", "unknown_key")
    assert.match(message, /a key of 64 characters is not allowed in versions\.v1/)
  })

  it("rejects a current that is not a string", () => {
    const message = envelopeError(parseJson({ current: 3, versions: { v3: { value: "x" } } }), "current", "wrong_type")
    assert.match(message, /must be a string naming a version, got a number/)
  })

  it("rejects a current that is not a version id, without repeating it", () => {
    const message = envelopeError(parseJson({ current: `${SECRET} !`, versions: { v1: { value: "x" } } }), "current", "invalid_version_id")
    assert.match(message, /must be a version id matching \^\[A-Za-z0-9\._-\]\{1,64\}\$, got a string of 34 characters/)
  })

  it("rejects a current naming no version, listing the versions but not repeating current", () => {
    const message = envelopeError(parseJson({ current: SECRET, versions: { v1: { value: "a" }, v2: { value: "b" } } }), "current", "current_unknown")
    assert.match(message, /names a version that is not in "versions" \(which has v1, v2\)/)
  })

  it("does not find versions on the object prototype", () => {
    envelopeError(parseJson({ current: "constructor", versions: { v1: { value: "a" } } }), "current", "current_unknown")
    envelopeError(parseJson({ current: "toString", versions: { v1: { value: "a" } } }), "current", "current_unknown")
  })

  it("rejects an expired current at write time (when now is given)", () => {
    const text = JSON.stringify({ current: "v2", versions: { v1: { value: "a" }, v2: { value: "b", createdAt: T1, expiresAt: T2 } } })
    const message = envelopeError(() => parseStoredValue(text, new Date(T2)), "versions.v2.expiresAt", "current_expired")
    assert.match(message, /the current version "v2" expired at 2026-06-01T00:00:00\.000Z/)
    assert.equal(parseStoredValue(text, new Date(Date.parse(T2) - 1)).kind, "envelope")
  })

  it("rejects versions that are not an object, or empty", () => {
    assert.match(envelopeError(parseJson({ current: "v1", versions: [{ value: "x" }] }), "versions", "wrong_type"), /got an array/)
    assert.match(envelopeError(parseJson({ current: "v1", versions: null }), "versions", "wrong_type"), /got null/)
    assert.match(envelopeError(parseJson({ current: "v1", versions: {} }), "versions", "no_versions"), /at least the current version/)
  })

  it("rejects a bad version id, by position and length rather than by content", () => {
    const message = envelopeError(
      parseJson({ current: "v1", versions: { v1: { value: "a" }, [`${SECRET}!`]: { value: "b" } } }),
      "versions[a key of 33 characters]",
      "invalid_version_id",
    )
    assert.match(message, /version id number 2 \(33 characters\) does not match/)
    envelopeError(parseJson({ current: "v1", versions: { v1: { value: "a" }, ["x".repeat(65)]: { value: "b" } } }), "versions[a key of 65 characters]", "invalid_version_id")
    envelopeError(parseJson({ current: "v1", versions: { v1: { value: "a" }, "": { value: "b" } } }), "versions[a key of 0 characters]", "invalid_version_id")
  })

  it("shows a valid id with dots in brackets", () => {
    envelopeError(parseJson({ current: "v1.2", versions: { "v1.2": { value: 1 } } }), 'versions["v1.2"].value', "wrong_type")
  })

  it("rejects a version that is not an object, without repeating it", () => {
    const message = envelopeError(parseJson({ current: "v1", versions: { v1: SECRET } }), "versions.v1", "wrong_type")
    assert.match(message, /version "v1" must be an object with "value" or "sealed", got a string of 32 characters/)
  })

  it("rejects a version with both value and sealed", () => {
    const message = envelopeError(parseJson({ current: "v1", versions: { v1: { value: SECRET, sealed: SEALED } } }), "versions.v1", "value_and_sealed")
    assert.match(message, /version "v1" has both "value" and "sealed"; a version holds exactly one of them/)
  })

  it("rejects a version with neither value nor sealed", () => {
    const message = envelopeError(parseJson({ current: "v1", versions: { v1: { createdAt: T1 } } }), "versions.v1", "no_value")
    assert.match(message, /version "v1" has neither "value" nor "sealed"/)
  })

  it("rejects a value that is not a string", () => {
    assert.match(envelopeError(parseJson({ current: "v1", versions: { v1: { value: 42 } } }), "versions.v1.value", "wrong_type"), /"value" of version "v1" must be a string, got a number/)
    assert.match(envelopeError(parseJson({ current: "v1", versions: { v1: { value: { key: SECRET } } } }), "versions.v1.value", "wrong_type"), /got an object/)
    assert.match(envelopeError(parseJson({ current: "v1", versions: { v1: { value: null } } }), "versions.v1.value", "wrong_type"), /got null/)
  })

  it("rejects a sealed entry that is not an ls1 sealed text, without repeating it", () => {
    assert.match(envelopeError(parseJson({ current: "v1", versions: { v1: { sealed: SECRET } } }), "versions.v1.sealed", "invalid_sealed"), /is not a sealed text in the ls1 format/)
    envelopeError(parseJson({ current: "v1", versions: { v1: { sealed: SEALED.replace("ls1.", "ls2.") } } }), "versions.v1.sealed", "invalid_sealed")
    envelopeError(parseJson({ current: "v1", versions: { v1: { sealed: SEALED + "=" } } }), "versions.v1.sealed", "invalid_sealed")
    envelopeError(parseJson({ current: "v1", versions: { v1: { sealed: 7 } } }), "versions.v1.sealed", "wrong_type")
  })

  it("rejects times that are not RFC 3339 date-times", () => {
    const bad = ["2026-02-30T00:00:00Z", "2026-05-01", "2026-05-01T00:00:00", "2026-05-01 00:00:00Z", "yesterday", "2026-13-01T00:00:00Z", ""]
    for (const time of bad) {
      const message = envelopeError(parseJson({ current: "v1", versions: { v1: { value: "x", createdAt: time } } }), "versions.v1.createdAt", "invalid_time")
      assert.match(message, /"createdAt" of version "v1" is not an RFC 3339 date-time: write a date, "T", a time and an offset, such as 2026-06-01T00:00:00\.000Z/)
    }
    envelopeError(parseJson({ current: "v1", versions: { v1: { value: "x", expiresAt: "soon" } } }), "versions.v1.expiresAt", "invalid_time")
  })

  it("rejects times that are not strings", () => {
    const message = envelopeError(parseJson({ current: "v1", versions: { v1: { value: "x", createdAt: 1767225600000 } } }), "versions.v1.createdAt", "wrong_type")
    assert.match(message, /must be an RFC 3339 date-time string such as 2026-06-01T00:00:00\.000Z, got a number/)
  })

  it("rejects a version that expires at or before its creation", () => {
    const message = envelopeError(parseJson({ current: "v2", versions: { v1: { value: "x", createdAt: T2, expiresAt: T1 }, v2: { value: "y" } } }), "versions.v1.expiresAt", "expires_before_created")
    assert.match(message, /version "v1" expires at 2026-05-01T00:00:00\.000Z, which is not after its createdAt 2026-06-01T00:00:00\.000Z/)
    envelopeError(parseJson({ current: "v2", versions: { v1: { value: "x", createdAt: T1, expiresAt: T1 }, v2: { value: "y" } } }), "versions.v1.expiresAt", "expires_before_created")
  })

  it("compares times across offsets, not as text", () => {
    // 02:00+02:00 is midnight UTC: the same instant as createdAt, so not after it.
    envelopeError(
      parseJson({ current: "v1", versions: { v1: { value: "x", createdAt: "2026-06-01T00:00:00Z", expiresAt: "2026-06-01T02:00:00+02:00" } } }),
      "versions.v1.expiresAt",
      "expires_before_created",
    )
  })

  it("rejects a key given twice, which JSON.parse would silently resolve", () => {
    const twiceValue = `{"current":"v1","versions":{"v1":{"value":"a","value":"${SECRET}"}}}`
    assert.match(envelopeError(() => parseStoredValue(twiceValue), "versions.v1", "duplicate_key"), /key "value" appears twice in the same object/)
    const twiceVersion = '{"current":"v1","versions":{"v1":{"value":"a"},"v1":{"value":"b"}}}'
    envelopeError(() => parseStoredValue(twiceVersion), "versions", "duplicate_key")
    const escaped = '{"current":"v1","current":"v1","versions":{"v1":{"value":"a"}}}'.replace('"current":"v1","current"', '"current":"v1","\\u0063urrent"')
    envelopeError(() => parseStoredValue(escaped), "", "duplicate_key")
  })

  it("ignores key-like text inside values when looking for duplicates", () => {
    const text = JSON.stringify({ current: "v1", versions: { v1: { value: '{"value":"a","value":"b"} \\" ,{' }, v2: { value: "\"value\"" } } })
    assert.equal(parseStoredValue(text).kind, "envelope")
  })

  it("never puts a value into any message, whatever is wrong", () => {
    const cases: unknown[] = [
      { current: SECRET, versions: { v1: { value: SECRET } } },
      { current: "v1", versions: { v1: { value: SECRET, sealed: SECRET } } },
      { current: "v1", versions: { v1: { sealed: SECRET } } },
      { current: "v1", versions: { v1: { value: SECRET, createdAt: SECRET } } },
      { current: "v1", versions: { v1: { value: SECRET, expiresAt: SECRET } } },
      // Valid version ids are names and do appear in messages; an invalid one is never shown.
      { current: "v1", versions: { [`${SECRET}!`]: { value: SECRET } } },
      { current: "v1", versions: { v1: SECRET } },
      { current: "v1", versions: SECRET },
      { current: "v1", versions: { v1: { value: SECRET, [SECRET]: SECRET } } },
    ]
    for (const data of cases) {
      assert.throws(parseJson(data), (error: unknown) => {
        assert.ok(error instanceof EnvelopeError)
        for (const text of [error.message, error.path, String(error), JSON.stringify(error), error.stack ?? ""]) {
          assert.ok(!text.includes(SECRET), `leaked in: ${text}`)
        }
        return true
      })
    }
  })
})

describe("serializeEnvelope", () => {
  it("writes compact JSON: current first, versions oldest first, fields in a fixed order", () => {
    const text = serializeEnvelope({
      current: "v10",
      versions: {
        v10: { createdAt: T3, value: "new" } as { value: string; createdAt: string },
        "2": { value: "two" },
        v2: { expiresAt: T2, createdAt: T1, sealed: SEALED } as { sealed: string; createdAt: string; expiresAt: string },
        "10": { value: "ten" },
        v9: { value: "nine" },
      },
    })
    assert.equal(
      text,
      `{"current":"v10","versions":{"v9":{"value":"nine"},"10":{"value":"ten"},"2":{"value":"two"},` +
        `"v2":{"sealed":"${SEALED}","createdAt":"${T1}","expiresAt":"${T2}"},"v10":{"value":"new","createdAt":"${T3}"}}}`,
    )
  })

  it("escapes values so that the text reads back to the same envelope", () => {
    const envelope = { current: "v1", versions: { v1: { value: 'quote " backslash \\ newline \n emoji 🚀 lone \ud800' } } }
    assert.deepEqual(parseStoredValue(serializeEnvelope(envelope)).envelope, envelope)
  })

  it("refuses to serialize an invalid envelope", () => {
    assert.throws(() => serializeEnvelope({ current: "v2", versions: { v1: { value: "x" } } }), EnvelopeError)
  })
})
