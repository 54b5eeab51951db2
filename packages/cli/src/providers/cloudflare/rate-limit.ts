/**
 * Client-side pacing under Cloudflare's global API limit: 1,200 requests per 5 minutes per
 * user (the dashboard, API keys and all of that user's tokens together), after which every
 * call is refused for 5 minutes (HTTP 429, code 971). This client can only count its own.
 * Backing off after a 429 is too late for that limit, so the client counts its own requests
 * in a sliding window and waits before the one that would cross it.
 *
 * The default leaves headroom (1,000 per 5 minutes) because the dashboard, wrangler and
 * other tools spend from the same budget. LAYERON_API_RATE_LIMIT=<requests>/<seconds>
 * changes it (tests use small numbers; a token shared with busy tools may want less).
 */
import { setTimeout as sleep } from "node:timers/promises"

export interface RateLimit {
  requests: number
  windowMs: number
}

export const CLOUDFLARE_GLOBAL_LIMIT: RateLimit = { requests: 1_200, windowMs: 300_000 }
export const DEFAULT_RATE_LIMIT: RateLimit = { requests: 1_000, windowMs: 300_000 }

/** LAYERON_API_RATE_LIMIT as `<requests>/<seconds>`, else the default; a malformed value is an error, not ignored. */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv): RateLimit {
  const raw = env.LAYERON_API_RATE_LIMIT
  if (raw === undefined || raw === "") return DEFAULT_RATE_LIMIT
  const match = /^(\d{1,6})\/(\d{1,6})$/.exec(raw.trim())
  const requests = Number(match?.[1])
  const seconds = Number(match?.[2])
  if (!match || requests < 1 || seconds < 1) {
    throw new RangeError(`LAYERON_API_RATE_LIMIT must be <requests>/<seconds> with both at least 1, such as 1000/300; got ${JSON.stringify(raw)}`)
  }
  return { requests, windowMs: seconds * 1000 }
}

/**
 * A sliding window log. A request counts from when it is sent until `windowMs` after its
 * answer came back: Cloudflare counts it on arrival, somewhere in between, so stamping the
 * answer keeps the client's window ending after Cloudflare's, never before, whatever the
 * latency. A request may go when fewer than `requests` are in flight or answered within the
 * window; otherwise it waits for the oldest answer to leave it. Checking and reserving
 * happen with no await between them, so concurrent callers never overbook a slot.
 */
export class RequestPacer {
  readonly limit: RateLimit
  /** Answer times of the requests still in the window, oldest first. */
  readonly #answered: number[] = []
  #inFlight = 0
  readonly #now: () => number

  constructor(limit: RateLimit, now: () => number = Date.now) {
    this.limit = limit
    this.#now = now
  }

  /** How long the next request must wait, in ms (0: it may go now). */
  delayMs(now = this.#now()): number {
    while (this.#answered.length > 0 && this.#answered[0]! <= now - this.limit.windowMs) this.#answered.shift()
    if (this.#answered.length + this.#inFlight < this.limit.requests) return 0
    // Every slot is taken by a request still in flight: look again shortly.
    if (this.#answered.length === 0) return IN_FLIGHT_POLL_MS
    return this.#answered[0]! + this.limit.windowMs - now
  }

  /**
   * Wait for a slot and take it; call the returned function when the answer (or the
   * failure) arrives. `onWait` hears about each wait (for a debug line).
   */
  async acquire(onWait?: (ms: number) => void): Promise<() => void> {
    for (;;) {
      const delay = this.delayMs()
      if (delay <= 0) {
        this.#inFlight++
        let released = false
        return () => {
          if (released) return
          released = true
          this.#inFlight--
          this.#answered.push(this.#now())
        }
      }
      onWait?.(delay)
      await sleep(delay)
    }
  }
}

const IN_FLIGHT_POLL_MS = 25
