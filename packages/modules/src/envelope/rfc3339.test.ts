import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { formatRfc3339, isRfc3339, parseRfc3339 } from "./index.js"

describe("parseRfc3339", () => {
  it("reads UTC and offset forms to the same instant", () => {
    const midnight = Date.UTC(2026, 5, 1)
    assert.equal(parseRfc3339("2026-06-01T00:00:00Z"), midnight)
    assert.equal(parseRfc3339("2026-06-01T00:00:00.000Z"), midnight)
    assert.equal(parseRfc3339("2026-06-01t00:00:00z"), midnight)
    assert.equal(parseRfc3339("2026-06-01T02:00:00+02:00"), midnight)
    assert.equal(parseRfc3339("2026-05-31T19:30:00-04:30"), midnight)
    assert.equal(parseRfc3339("2026-06-01T00:00:00-00:00"), midnight)
  })

  it("keeps milliseconds and truncates longer fractions", () => {
    assert.equal(parseRfc3339("2026-06-01T00:00:00.5Z"), Date.UTC(2026, 5, 1, 0, 0, 0, 500))
    assert.equal(parseRfc3339("2026-06-01T00:00:00.123456789Z"), Date.UTC(2026, 5, 1, 0, 0, 0, 123))
  })

  it("handles leap years and the years before 100", () => {
    assert.equal(parseRfc3339("2024-02-29T00:00:00Z"), Date.UTC(2024, 1, 29))
    assert.equal(parseRfc3339("2000-02-29T00:00:00Z"), Date.UTC(2000, 1, 29))
    assert.equal(parseRfc3339("0001-01-01T00:00:00Z"), new Date("0001-01-01T00:00:00Z").getTime())
  })

  it("rejects everything that is not a full RFC 3339 date-time", () => {
    const bad = [
      "2026-06-01", // date only
      "2026-06-01T00:00:00", // no offset: Date.parse would read local time
      "2026-06-01 00:00:00Z", // space separator
      "2026-6-1T00:00:00Z",
      "2026-06-01T24:00:00Z",
      "2026-06-01T00:60:00Z",
      "2026-06-01T00:00:60Z", // leap second
      "2026-06-31T00:00:00Z",
      "2025-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2026-00-10T00:00:00Z",
      "2026-06-01T00:00:00+24:00",
      "2026-06-01T00:00:00+0200",
      "2026-06-01T00:00:00.Z",
      "+002026-06-01T00:00:00Z",
      "Mon, 01 Jun 2026 00:00:00 GMT",
      " 2026-06-01T00:00:00Z",
      "2026-06-01T00:00:00Z ",
      "２０２６-06-01T00:00:00Z", // full-width digits
      "",
    ]
    for (const text of bad) {
      assert.equal(parseRfc3339(text), undefined, text)
      assert.equal(isRfc3339(text), false, text)
    }
    assert.equal(parseRfc3339(20260601 as unknown as string), undefined)
  })
})

describe("formatRfc3339", () => {
  it("writes UTC with milliseconds", () => {
    assert.equal(formatRfc3339(new Date(Date.UTC(2026, 5, 1, 12))), "2026-06-01T12:00:00.000Z")
  })

  it("refuses invalid dates and years RFC 3339 cannot hold", () => {
    assert.throws(() => formatRfc3339(new Date(Number.NaN)), /valid Date/)
    assert.throws(() => formatRfc3339(new Date(Date.UTC(10000, 0, 1))), /0000-9999/)
  })
})
