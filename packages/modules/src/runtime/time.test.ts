import { test } from "node:test"
import assert from "node:assert/strict"
import { toInstant } from "./time.js"

test("at() accepts a Date, epoch milliseconds and zoned RFC 3339 strings", () => {
  const iso = "2026-05-01T12:30:00.000Z"
  assert.equal(toInstant("a/b", new Date(iso)).toISOString(), iso)
  assert.equal(toInstant("a/b", Date.parse(iso)).toISOString(), iso)
  assert.equal(toInstant("a/b", iso).toISOString(), iso)
  assert.equal(toInstant("a/b", "2026-05-01T14:30:00+02:00").toISOString(), iso)
  assert.equal(toInstant("a/b", "2026-05-01T12:30Z").toISOString(), iso)
  assert.equal(toInstant("a/b", "2026-05-01").toISOString(), "2026-05-01T00:00:00.000Z")
})

test("at() rejects times it cannot place, naming the secret and the accepted forms", () => {
  for (const bad of ["yesterday", "2026-05-01T12:30:00", "2026-13-01T00:00:00Z", "", new Date("nope"), Number.NaN, Infinity, null, {}]) {
    assert.throws(
      () => toInstant("auth/session-key", bad as never),
      (error: unknown) => {
        assert.ok(error instanceof TypeError)
        assert.match(error.message, /at\(time\) on secret "auth\/session-key"/)
        assert.match(error.message, /Pass a Date, epoch milliseconds, or an RFC 3339 string/)
        return true
      },
      `expected ${String(bad)} to be rejected`,
    )
  }
})
