/**
 * Cloudflare's refusals in the words Cloudflare uses (sources: tools/cf-emulator/FACTS.md):
 * the quota refusal `maximum_secrets_exceeded: max 100` must not read as "value too long"
 * (it contains "exceeded"), the size refusal is `secret_value_too_long`, and the rate-limit
 * hint says the budget is per user, not per token.
 */
import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { errorFromResponse, isQuotaRefusal, isValueSizeRefusal, rateLimitedError } from "./errors.js"

describe("Cloudflare's refusal wording", () => {
  test("the quota refusal is recognised by Cloudflare's own token, and is never a size refusal", () => {
    const quota = [{ code: 1003, message: "maximum_secrets_exceeded: max 100" }]
    assert.equal(isQuotaRefusal(quota), true)
    assert.equal(isValueSizeRefusal(quota), false)
    assert.equal(isQuotaRefusal([{ code: 1004, message: "secrets quota reached" }]), true)
    assert.equal(isQuotaRefusal([{ code: 1001, message: "secret_name_invalid" }]), false)
  })

  test("secret_value_too_long (Cloudflare's word) and secret_value_too_large are size refusals", () => {
    assert.equal(isValueSizeRefusal([{ code: 1001, message: "secret_value_too_long" }]), true)
    assert.equal(isValueSizeRefusal([{ code: 1001, message: "secret_value_too_large: X is 2000 bytes" }]), true)
    assert.equal(isValueSizeRefusal([{ code: 1001, message: "secret_value_empty" }]), false)
  })

  test("6003 and 6111 on a 400 mean a malformed token", () => {
    for (const errors of [[{ code: 6003, message: "Invalid request headers" }], [{ code: 6111, message: "Invalid format for Authorization header" }]]) {
      const error = errorFromResponse({ method: "GET", path: "/user/tokens/verify" }, 400, errors)
      assert.equal(error.code, "cloudflare_token_malformed")
    }
  })

  test("the rate-limit hint says the budget is shared by the user's dashboard, keys and tokens", () => {
    const error = rateLimitedError({ method: "GET", path: "/accounts" }, 300_000, 90_000, Date.parse("2026-01-01T00:00:00Z"))
    assert.match(error.hint ?? "", /per 5 minutes per user, counted together across the dashboard, API keys and every API token/)
    assert.doesNotMatch(`${error.message} ${error.hint}`, /per token/)
  })
})
