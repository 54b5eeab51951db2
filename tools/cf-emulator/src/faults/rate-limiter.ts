/**
 * Cloudflare's global API rate limit (FACTS.md 1.6): 1200 requests per 5 minutes per user;
 * past that, every request of the token is refused with 429 (code 971) for 5 minutes.
 * Every response carries `Ratelimit` and `Ratelimit-Policy`; `retry-after` only a 429.
 */
import type { Clock } from "../clock.js"
import type { RateLimitOptions } from "../types.js"

export const CLOUDFLARE_RATE_LIMIT: RateLimitOptions = { requests: 1200, windowMs: 300_000, blockMs: 300_000 }

export type RateDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; retryAfterSeconds: number; headers: Record<string, string> }

export class RateLimiter {
  readonly options: RateLimitOptions
  readonly #clock: Clock
  readonly #hits = new Map<string, number[]>()
  readonly #blockedUntil = new Map<string, number>()

  constructor(options: RateLimitOptions, clock: Clock) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1) throw new TypeError(`rateLimit.${name} must be a positive integer, got ${value}`)
    }
    this.options = options
    this.#clock = clock
  }

  check(key: string): RateDecision {
    const now = this.#clock.now()
    const blockedUntil = this.#blockedUntil.get(key)
    if (blockedUntil !== undefined && now < blockedUntil) return this.#refuse(blockedUntil - now)
    const hits = (this.#hits.get(key) ?? []).filter((time) => time > now - this.options.windowMs)
    if (hits.length >= this.options.requests) {
      this.#hits.set(key, [])
      this.#blockedUntil.set(key, now + this.options.blockMs)
      return this.#refuse(this.options.blockMs)
    }
    hits.push(now)
    this.#hits.set(key, hits)
    const oldest = hits[0] as number
    const resetSeconds = Math.ceil((oldest + this.options.windowMs - now) / 1000)
    return { allowed: true, headers: this.#headers(this.options.requests - hits.length, resetSeconds) }
  }

  #refuse(remainingMs: number): RateDecision {
    const retryAfterSeconds = Math.max(1, Math.ceil(remainingMs / 1000))
    return { allowed: false, retryAfterSeconds, headers: this.#headers(0, retryAfterSeconds) }
  }

  #headers(remaining: number, resetSeconds: number): Record<string, string> {
    return {
      ratelimit: `"default";r=${remaining};t=${resetSeconds}`,
      "ratelimit-policy": `"default";q=${this.options.requests};w=${Math.ceil(this.options.windowMs / 1000)}`,
    }
  }
}
