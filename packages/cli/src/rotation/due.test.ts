import { test } from "node:test"
import assert from "node:assert/strict"
import { isDue, nextDueAt } from "./due.js"

const t = (iso: string) => new Date(iso)

test("due rule table", () => {
  const rows: Array<{ last: string; everyDays: number; startAt?: string; now: string; due: boolean; next: string; why: string }> = [
    { why: "no startAt, one ms before", last: "2026-05-01T00:00:00.000Z", everyDays: 30, now: "2026-05-30T23:59:59.999Z", due: false, next: "2026-05-31T00:00:00.000Z" },
    { why: "no startAt, exact boundary is due", last: "2026-05-01T00:00:00.000Z", everyDays: 30, now: "2026-05-31T00:00:00.000Z", due: true, next: "2026-05-31T00:00:00.000Z" },
    { why: "everyDays 7", last: "2026-05-01T12:00:00.000Z", everyDays: 7, now: "2026-05-08T12:00:00.000Z", due: true, next: "2026-05-08T12:00:00.000Z" },
    { why: "everyDays 365 across a leap year (2028)", last: "2028-01-01T00:00:00.000Z", everyDays: 365, now: "2028-12-31T00:00:00.000Z", due: true, next: "2028-12-31T00:00:00.000Z" },
    { why: "everyDays 365 not yet", last: "2027-01-01T00:00:00.000Z", everyDays: 365, now: "2027-12-31T23:59:59.999Z", due: false, next: "2028-01-01T00:00:00.000Z" },
    { why: "leap day last rotation", last: "2028-02-29T00:00:00.000Z", everyDays: 7, now: "2028-03-07T00:00:00.000Z", due: true, next: "2028-03-07T00:00:00.000Z" },
    { why: "startAt in the future: due at startAt, not before", last: "2026-05-01T00:00:00.000Z", everyDays: 7, startAt: "2026-06-01T00:00:00.000Z", now: "2026-05-31T23:59:59.000Z", due: false, next: "2026-06-01T00:00:00.000Z" },
    { why: "startAt in the future reached exactly", last: "2026-05-01T00:00:00.000Z", everyDays: 7, startAt: "2026-06-01T00:00:00.000Z", now: "2026-06-01T00:00:00.000Z", due: true, next: "2026-06-01T00:00:00.000Z" },
    { why: "startAt in the past: next slot after last", last: "2026-06-10T00:00:00.000Z", everyDays: 7, startAt: "2026-06-01T00:00:00.000Z", now: "2026-06-14T00:00:00.000Z", due: false, next: "2026-06-15T00:00:00.000Z" },
    { why: "startAt in the past, slot reached", last: "2026-06-10T00:00:00.000Z", everyDays: 7, startAt: "2026-06-01T00:00:00.000Z", now: "2026-06-15T00:00:00.000Z", due: true, next: "2026-06-15T00:00:00.000Z" },
    { why: "last exactly on a slot: the next slot, not the same", last: "2026-06-08T00:00:00.000Z", everyDays: 7, startAt: "2026-06-01T00:00:00.000Z", now: "2026-06-14T23:00:00.000Z", due: false, next: "2026-06-15T00:00:00.000Z" },
    { why: "many missed slots: due once, next slot after last", last: "2026-01-01T00:00:00.000Z", everyDays: 30, startAt: "2025-01-01T00:00:00.000Z", now: "2026-12-01T00:00:00.000Z", due: true, next: "2026-01-26T00:00:00.000Z" },
    { why: "no startAt, one ms after the boundary", last: "2026-05-01T00:00:00.000Z", everyDays: 30, now: "2026-05-31T00:00:00.001Z", due: true, next: "2026-05-31T00:00:00.000Z" },
    { why: "everyDays 7, one ms before", last: "2026-05-01T12:00:00.000Z", everyDays: 7, now: "2026-05-08T11:59:59.999Z", due: false, next: "2026-05-08T12:00:00.000Z" },
    { why: "everyDays 365 from a leap day lands on Feb 28 (days are 86,400 s, not calendar years)", last: "2028-02-29T00:00:00.000Z", everyDays: 365, now: "2029-02-28T00:00:00.000Z", due: true, next: "2029-02-28T00:00:00.000Z" },
    { why: "everyDays 365 over Feb 29 2028 ends a day earlier in the calendar", last: "2027-03-01T00:00:00.000Z", everyDays: 365, now: "2028-02-29T00:00:00.000Z", due: true, next: "2028-02-29T00:00:00.000Z" },
    { why: "everyDays 365, not across a leap day: same date next year", last: "2026-03-01T00:00:00.000Z", everyDays: 365, now: "2027-02-28T23:59:59.999Z", due: false, next: "2027-03-01T00:00:00.000Z" },
    { why: "a leap day startAt, slots every 7 days", last: "2028-03-01T00:00:00.000Z", everyDays: 7, startAt: "2028-02-29T00:00:00.000Z", now: "2028-03-07T00:00:00.000Z", due: true, next: "2028-03-07T00:00:00.000Z" },
    { why: "startAt in the future, many periods ahead: due at startAt exactly, not last + everyDays", last: "2026-01-01T00:00:00.000Z", everyDays: 7, startAt: "2026-09-01T00:00:00.000Z", now: "2026-01-08T00:00:00.000Z", due: false, next: "2026-09-01T00:00:00.000Z" },
    { why: "startAt with an offset is the same instant in UTC", last: "2026-05-01T00:00:00.000Z", everyDays: 7, startAt: "2026-06-01T02:00:00+02:00", now: "2026-06-01T00:00:00.000Z", due: true, next: "2026-06-01T00:00:00.000Z" },
    { why: "last rotation one ms before a slot: that slot", last: "2026-06-07T23:59:59.999Z", everyDays: 7, startAt: "2026-06-01T00:00:00.000Z", now: "2026-06-08T00:00:00.000Z", due: true, next: "2026-06-08T00:00:00.000Z" },
    { why: "startAt exactly at the last rotation: the slot after it", last: "2026-06-01T00:00:00.000Z", everyDays: 7, startAt: "2026-06-01T00:00:00.000Z", now: "2026-06-07T23:59:59.999Z", due: false, next: "2026-06-08T00:00:00.000Z" },
  ]
  for (const row of rows) {
    const schedule = { everyDays: row.everyDays, ...(row.startAt ? { startAt: row.startAt } : {}) }
    assert.equal(nextDueAt(t(row.last), schedule).toISOString(), row.next, row.why)
    assert.equal(isDue(t(row.last), schedule, t(row.now)), row.due, row.why)
  }
})

test("a secret that never had a value is due", () => {
  assert.equal(isDue(undefined, { everyDays: 30 }, new Date()), true)
})
