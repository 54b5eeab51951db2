/**
 * When to try a Cloudflare request again, and how long to wait first. Pure: api.ts owns the
 * clock and the sleeping, this file only decides.
 *
 * Cloudflare blocks every call of a user for five minutes once they pass 1,200 requests per
 * 5 minutes (dashboard, keys and tokens together) (HTTP 429, code 971, `retry-after: 300`). Waiting that out silently would look
 * like a hang, so the total time one client may spend waiting is capped (default 90 s,
 * LAYERON_MAX_RETRY_WAIT_MS); a `retry-after` longer than what is left fails at once with
 * the time to come back.
 */

export const DEFAULT_MAX_RETRY_WAIT_MS = 90_000
/** One deadline covers a whole answer, headers and body (LAYERON_HTTP_TIMEOUT_S). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** A call starts no new attempt once it has spent this many deadlines (so it ends within one more). */
export const DEADLINES_PER_CALL = 3
/** Attempts for one request that keeps failing transiently (5xx, connection, timeout). */
export const MAX_ATTEMPTS = 5
export const BACKOFF_BASE_MS = 500
const BACKOFF_CAP_MS = 8_000

export interface RetrySettings {
  maxRetryWaitMs: number
  requestTimeoutMs: number
}

/** Settings from the environment, with defaults; a malformed number is an error, not ignored. */
export function retrySettingsFromEnv(env: NodeJS.ProcessEnv): RetrySettings {
  return {
    maxRetryWaitMs: readMilliseconds(env, "LAYERON_MAX_RETRY_WAIT_MS", DEFAULT_MAX_RETRY_WAIT_MS),
    requestTimeoutMs: readRequestTimeout(env),
  }
}

/**
 * LAYERON_HTTP_TIMEOUT_S (seconds, fractions allowed: tests use 0.5). The older
 * LAYERON_REQUEST_TIMEOUT_MS is still read; setting both is refused rather than guessed.
 */
function readRequestTimeout(env: NodeJS.ProcessEnv): number {
  const raw = env.LAYERON_HTTP_TIMEOUT_S
  if (raw === undefined || raw === "") return readMilliseconds(env, "LAYERON_REQUEST_TIMEOUT_MS", DEFAULT_REQUEST_TIMEOUT_MS)
  if (env.LAYERON_REQUEST_TIMEOUT_MS !== undefined && env.LAYERON_REQUEST_TIMEOUT_MS !== "") {
    throw new RangeError("LAYERON_HTTP_TIMEOUT_S and LAYERON_REQUEST_TIMEOUT_MS are both set; they are the same deadline: keep LAYERON_HTTP_TIMEOUT_S only")
  }
  const seconds = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN
  if (!(seconds > 0) || seconds > 3600) {
    throw new RangeError(`LAYERON_HTTP_TIMEOUT_S must be a number of seconds above 0 and at most 3600; got ${JSON.stringify(raw)}`)
  }
  return Math.round(seconds * 1000)
}

function readMilliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const parsed = Number(raw)
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new RangeError(`${name} must be a whole number of milliseconds (0 or more); got ${JSON.stringify(raw)}`)
  }
  return parsed
}

/**
 * `retry-after` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * undefined when absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // An HTTP date has a weekday and month name; Date.parse would also take "-5" as a year.
  if (!/^[A-Za-z]{3}, /.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/**
 * Exponential backoff with "full jitter" (a random wait between 0 and the exponential
 * ceiling), so that several clients hit by the same outage do not retry in lockstep.
 * `attempt` is the number of attempts already made (1 after the first failure).
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = BACKOFF_BASE_MS): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** (attempt - 1))
  // Never 0: a retry with no pause at all would hammer a struggling server.
  return Math.max(Math.min(50, baseMs), Math.round(ceiling * random()))
}

/** The time one client may still spend waiting; shared by every request it makes. */
export class RetryBudget {
  #remainingMs: number
  constructor(totalMs: number) {
    this.#remainingMs = totalMs
  }
  get remainingMs(): number {
    return this.#remainingMs
  }
  /** Take `ms` from the budget; false (and nothing taken) if it does not fit. */
  take(ms: number): boolean {
    if (ms > this.#remainingMs) return false
    this.#remainingMs -= ms
    return true
  }
}
