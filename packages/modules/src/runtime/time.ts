/**
 * Turns what `at()` accepts into an instant. Strings must carry their time zone (or be a
 * bare date, read as UTC midnight) so a read never depends on the machine's zone.
 */
import { quoteInput } from "./errors.js"
import type { SecretTime } from "./types.js"

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2}))?$/

export function toInstant(secretId: string, time: SecretTime): Date {
  const instant =
    time instanceof Date ? new Date(time.getTime())
    : typeof time === "number" ? new Date(time)
    : typeof time === "string" && ISO_INSTANT.test(time) ? new Date(time.replace(" ", "T"))
    : undefined
  if (instant === undefined || Number.isNaN(instant.getTime())) {
    throw new TypeError(
      `at(time) on secret "${secretId}": ${describe(time)} is not a valid time. Pass a Date, epoch milliseconds, or an RFC 3339 string such as "2026-05-01T00:00:00.000Z".`,
    )
  }
  return instant
}

/** A time is not secret, so it may be quoted, but keep the message short. */
function describe(time: unknown): string {
  if (time instanceof Date) return "an invalid Date"
  if (typeof time === "string") return quoteInput(time, 40)
  if (typeof time === "number") return String(time)
  return time === null ? "null" : typeof time
}
