/**
 * The due rule (docs/design.md#rotation), pure. Days are fixed 86,400,000 ms periods in UTC, so leap days
 * and DST never shift a schedule.
 */
export const DAY_MS = 86_400_000

export interface Schedule {
  everyDays: number
  startAt?: string
}

/**
 * When the next rotation falls due after a rotation at `last`.
 * Without startAt: last + everyDays. With startAt: the first startAt + k·everyDays strictly
 * after `last` (k ≥ 0), so never before startAt.
 */
export function nextDueAt(last: Date, schedule: Schedule): Date {
  const period = schedule.everyDays * DAY_MS
  if (schedule.startAt === undefined) return new Date(last.getTime() + period)
  const anchor = Date.parse(schedule.startAt)
  if (last.getTime() < anchor) return new Date(anchor)
  const k = Math.floor((last.getTime() - anchor) / period) + 1
  return new Date(anchor + k * period)
}

export function isDue(last: Date | undefined, schedule: Schedule, now: Date): boolean {
  // A secret that never had a value is due at once (its first value).
  if (last === undefined) return true
  return now.getTime() >= nextDueAt(last, schedule).getTime()
}
