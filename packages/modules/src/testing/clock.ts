/**
 * The test's clock: the `now` the stand-in product reads at, as the real one reads at its
 * own `Date.now()`. Pinned when `now` is given (or after `setNow`), else the real clock.
 */
import { formatRfc3339, parseRfc3339 } from "../envelope/index.js"
import { quoteInput } from "../runtime/errors.js"
import { describeInput, TestSecretsError } from "./errors.js"

/** What `now` and `setNow()` accept. */
export type TestTime = Date | string | number

export interface TestClock {
  now(): Date
  set(time: TestTime, call: string): void
}

export function createClock(initial: TestTime | undefined): TestClock {
  let pinned = initial === undefined ? undefined : toTestInstant(initial, "testSecrets(values, { now })")
  return {
    now: () => new Date(pinned ?? Date.now()),
    set: (time, call) => {
      pinned = toTestInstant(time, call)
    },
  }
}

/** A Date, epoch milliseconds, or a strict RFC 3339 date-time with its zone. */
export function toTestInstant(time: TestTime, call: string): number {
  const ms =
    time instanceof Date ? time.getTime()
    : typeof time === "number" ? time
    : typeof time === "string" ? (parseRfc3339(time) ?? Number.NaN)
    : Number.NaN
  if (Number.isFinite(ms)) {
    try {
      formatRfc3339(new Date(ms))
      return ms
    } catch {
      // outside 0000-9999: reported below like any other bad time
    }
  }
  throw new TestSecretsError(
    "invalid_time",
    `${call}: ${describeTime(time)} is not a valid time. Pass a Date, epoch milliseconds, or an RFC 3339 time with its zone, such as "2026-06-01T00:00:00Z".`,
  )
}

/** A time is not secret, so a short string may be quoted. */
function describeTime(time: unknown): string {
  if (typeof time === "string") return quoteInput(time, 40)
  if (typeof time === "number") return String(time)
  if (time instanceof Date) return "an invalid Date"
  return describeInput(time)
}
