/**
 * The emulator's clock: real time plus an offset that tests may advance, so that pending
 * secrets, rate-limit windows and blocks can be exercised without sleeping.
 */
export class Clock {
  #offsetMs = 0
  #lastMicros = 0

  now(): number {
    return Date.now() + this.#offsetMs
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advanceClock: ms must be a non-negative number, got ${ms}`)
    this.#offsetMs += ms
  }

  /**
   * An RFC 3339 time with microseconds, like Cloudflare's `2023-09-21T18:56:32.624632Z`.
   * Successive calls are strictly increasing, so every write changes a secret's `modified`
   * even within one millisecond (clients detect foreign writes by comparing it).
   */
  timestamp(): string {
    const preciseMs = performance.timeOrigin + performance.now() + this.#offsetMs
    const micros = Math.max(Math.floor(preciseMs * 1000), this.#lastMicros + 1)
    this.#lastMicros = micros
    const seconds = new Date(Math.floor(micros / 1_000_000) * 1000).toISOString().slice(0, 19)
    const fraction = String(micros % 1_000_000).padStart(6, "0")
    return `${seconds}.${fraction}Z`
  }

  /** ISO 8601 with milliseconds, for the request log and account records. */
  iso(): string {
    return new Date(this.now()).toISOString()
  }
}
