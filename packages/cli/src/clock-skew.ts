/**
 * Times from the future. A state or record written by a machine whose clock ran ahead (or
 * read on one whose clock is behind) holds times later than now; rotation counts its schedule
 * from them, so it would wait that much longer without a word. Beyond a few minutes (ordinary
 * clock drift), every reader that finds such a time says which file, by how much, and what it
 * means (docs/design.md#rotation).
 */

/** Differences below this are clock drift between machines, not worth a warning. */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000

/**
 * The warning for `file` whose latest recorded time is `latest`, or undefined within the
 * tolerance. `consequence` says what the future time changes (rotation waiting, for a state).
 */
export function futureTimeWarning(file: string, times: readonly (string | undefined)[], now: Date, consequence: string): string | undefined {
  let latest = Number.NEGATIVE_INFINITY
  for (const time of times) {
    const ms = time === undefined ? Number.NaN : Date.parse(time)
    if (!Number.isNaN(ms) && ms > latest) latest = ms
  }
  const skew = latest - now.getTime()
  if (!(skew > CLOCK_SKEW_TOLERANCE_MS)) return undefined
  return (
    `${file} holds a time ${describeDuration(skew)} ahead of this machine's clock (${new Date(latest).toISOString()}; now ${now.toISOString()}): ` +
    `it was written by a machine whose clock ran ahead, or this clock is behind; ${consequence}. Check both clocks (date -u)`
  )
}

/** "40 days 2 h", "3 h 10 min", "7 min": the two largest units. */
export function describeDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000)
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  const rest = minutes % 60
  if (days > 0) return `${days} day${days === 1 ? "" : "s"}${hours ? ` ${hours} h` : ""}`
  if (hours > 0) return `${hours} h${rest ? ` ${rest} min` : ""}`
  return `${rest} min`
}
