import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { BACKOFF_BASE_MS, DEFAULT_MAX_RETRY_WAIT_MS, RetryBudget, backoffDelay, parseRetryAfter, retrySettingsFromEnv } from "./retry.js"

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-05-24T12:00:00Z")
  test("reads delta-seconds", () => {
    assert.equal(parseRetryAfter("300", now), 300_000)
    assert.equal(parseRetryAfter(" 0 ", now), 0)
  })
  test("reads an HTTP date relative to now, never negative", () => {
    assert.equal(parseRetryAfter("Sun, 24 May 2026 12:00:30 GMT", now), 30_000)
    assert.equal(parseRetryAfter("Sun, 24 May 2026 11:00:00 GMT", now), 0)
  })
  test("absent or unreadable headers fall back to backoff (undefined)", () => {
    assert.equal(parseRetryAfter(null, now), undefined)
    assert.equal(parseRetryAfter("soon", now), undefined)
    assert.equal(parseRetryAfter("-5", now), undefined)
  })
})

describe("backoffDelay", () => {
  test("stays under an exponential ceiling that is capped at 8 s", () => {
    assert.equal(backoffDelay(1, () => 1), BACKOFF_BASE_MS)
    assert.equal(backoffDelay(2, () => 1), BACKOFF_BASE_MS * 2)
    assert.equal(backoffDelay(10, () => 1), 8_000)
  })
  test("is jittered but never zero", () => {
    assert.equal(backoffDelay(3, () => 0), 50)
    assert.equal(backoffDelay(3, () => 0.5), 1_000)
  })
})

describe("RetryBudget", () => {
  test("hands out time until it is spent, refusing what does not fit", () => {
    const budget = new RetryBudget(1_000)
    assert.equal(budget.take(600), true)
    assert.equal(budget.take(600), false)
    assert.equal(budget.remainingMs, 400)
    assert.equal(budget.take(400), true)
    assert.equal(budget.remainingMs, 0)
  })
})

describe("retrySettingsFromEnv", () => {
  test("defaults to a 90 s budget", () => {
    assert.equal(retrySettingsFromEnv({}).maxRetryWaitMs, DEFAULT_MAX_RETRY_WAIT_MS)
    assert.equal(DEFAULT_MAX_RETRY_WAIT_MS, 90_000)
  })
  test("reads LAYERON_MAX_RETRY_WAIT_MS and LAYERON_REQUEST_TIMEOUT_MS", () => {
    assert.deepEqual(retrySettingsFromEnv({ LAYERON_MAX_RETRY_WAIT_MS: "0", LAYERON_REQUEST_TIMEOUT_MS: "250" }), { maxRetryWaitMs: 0, requestTimeoutMs: 250 })
  })
  test("reads LAYERON_HTTP_TIMEOUT_S in seconds, fractions allowed", () => {
    assert.equal(retrySettingsFromEnv({ LAYERON_HTTP_TIMEOUT_S: "0.5" }).requestTimeoutMs, 500)
    assert.equal(retrySettingsFromEnv({ LAYERON_HTTP_TIMEOUT_S: "45" }).requestTimeoutMs, 45_000)
    assert.equal(retrySettingsFromEnv({}).requestTimeoutMs, 30_000)
  })
  test("refuses a LAYERON_HTTP_TIMEOUT_S that is not a positive number of seconds, or set with LAYERON_REQUEST_TIMEOUT_MS", () => {
    for (const raw of ["0", "-1", "30s", "1e3", "abc", "7200"]) assert.throws(() => retrySettingsFromEnv({ LAYERON_HTTP_TIMEOUT_S: raw }), /LAYERON_HTTP_TIMEOUT_S must be a number of seconds above 0/, raw)
    assert.throws(() => retrySettingsFromEnv({ LAYERON_HTTP_TIMEOUT_S: "5", LAYERON_REQUEST_TIMEOUT_MS: "5000" }), /both set/)
  })
  test("refuses a malformed number, naming the variable", () => {
    assert.throws(() => retrySettingsFromEnv({ LAYERON_MAX_RETRY_WAIT_MS: "90s" }), /LAYERON_MAX_RETRY_WAIT_MS must be a whole number of milliseconds.*"90s"/)
    assert.throws(() => retrySettingsFromEnv({ LAYERON_REQUEST_TIMEOUT_MS: "-1" }), /LAYERON_REQUEST_TIMEOUT_MS/)
  })
})
