/**
 * A strict RFC 3339 `date-time` reader (section 5.6): `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
 * Stricter than `Date.parse`, which also takes dates without a time, missing offsets (read
 * as local time!) and free-form text:
 * - the date and the time are both required, separated by `T` (or `t`, as RFC 3339 allows);
 * - the offset is required: `Z`/`z` or `±HH:MM`;
 * - every field is range-checked, including the day of the month in leap years;
 * - leap seconds (`:60`) are refused: JavaScript time has none;
 * - fractions of any length are accepted and truncated to milliseconds.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Milliseconds since the epoch, or undefined when `text` is not an RFC 3339 date-time. */
export function parseRfc3339(text: string): number | undefined {
  if (typeof text !== "string") return undefined
  const match = RFC3339.exec(text)
  if (!match) return undefined
  const [, y, mo, d, h, mi, s, fraction, , sign, oh, om] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  let offsetMinutes = 0
  if (sign !== undefined) {
    const offsetHour = Number(oh)
    const offsetMinute = Number(om)
    if (offsetHour > 23 || offsetMinute > 59) return undefined
    offsetMinutes = (sign === "-" ? -1 : 1) * (offsetHour * 60 + offsetMinute)
  }
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"))
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)
  return date.getTime() - offsetMinutes * 60_000
}

export function isRfc3339(text: string): boolean {
  return parseRfc3339(text) !== undefined
}

const MAX_RFC3339_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
const MIN_RFC3339_MS = -62_167_219_200_000 // 0000-01-01T00:00:00.000Z

/**
 * The canonical form the product writes: `toISOString()`, UTC with milliseconds. Throws a
 * RangeError for invalid dates and for years that RFC 3339 cannot express (beyond 0000-9999).
 */
export function formatRfc3339(date: Date): string {
  const ms = date instanceof Date ? date.getTime() : Number.NaN
  if (Number.isNaN(ms)) throw new RangeError("Expected a valid Date, got an invalid one.")
  if (ms < MIN_RFC3339_MS || ms > MAX_RFC3339_MS) {
    throw new RangeError("The date is outside the years 0000-9999 that RFC 3339 can express.")
  }
  return date.toISOString()
}
