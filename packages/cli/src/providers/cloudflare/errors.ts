/**
 * Cloudflare failures as LayerErrors. Every error a Cloudflare request can end in is built
 * here, so the wording, the codes and the hints (what to change to fix it) stay consistent.
 * Cloudflare's own messages are kept (they name the rule that failed) but pass through
 * `scrub` first, which removes the token and every value the request carried, in case the
 * API ever echoes its input.
 */
import { LayerError } from "../../errors.js"
import { escapeControls } from "../../output/escape.js"
import { redact } from "../../output/redact.js"

/** One entry of the envelope's `errors` array. */
export interface CloudflareMessage {
  code: number
  message: string
}

export const TOKEN_PERMISSION = "Account Secrets Store Edit"
export const TOKEN_PERMISSION_HINT =
  `edit the token at https://dash.cloudflare.com/profile/api-tokens and add the permission ` +
  `"${TOKEN_PERMISSION}" (Account › Secrets Store › Edit) for this account`

/** What a request was, for messages: method and path only (never a body or header). */
export interface RequestLabel {
  method: string
  path: string
}

/** A Cloudflare API call that failed after any retries. `errors` are the envelope's, scrubbed. */
export class CloudflareApiError extends LayerError {
  readonly status: number
  readonly errors: readonly CloudflareMessage[]

  constructor(code: string, message: string, status: number, errors: readonly CloudflareMessage[], hint?: string, details?: Record<string, unknown>) {
    super(code, message, { hint, details: { httpStatus: status, cloudflareErrors: errors, ...details } })
    this.status = status
    this.errors = errors
  }

  /** True when Cloudflare reported `code`, optionally with a message starting with `token`. */
  has(code: number, token?: string): boolean {
    return this.errors.some((error) => error.code === code && (token === undefined || error.message.startsWith(token)))
  }

  /** True when any reported message starts with `token` (codes are shared between messages). */
  mentions(token: string): boolean {
    return this.errors.some((error) => error.message.startsWith(token))
  }
}

/**
 * Text from the API made safe to show: every sensitive string (token, values sent) redacted in
 * any form it could be echoed in (prefixes, case, base64, base64url, hex: output/redact.ts),
 * and control characters written out, line feeds included, so an answer can neither act on
 * the terminal nor forge a line of output.
 */
export function scrub(text: string, sensitive: readonly string[]): string {
  return escapeControls(redact(text, sensitive), { singleLine: true })
}

function describe(errors: readonly CloudflareMessage[]): string {
  if (errors.length === 0) return "no error detail"
  return errors.map((error) => `${error.message} [code: ${error.code}]`).join("; ")
}

/**
 * Cloudflare's quota refusal. Its words are `maximum_secrets_exceeded: max 100` (no "quota"
 * in them); a message that says "quota" counts too, since the code is undocumented.
 */
export function isQuotaRefusal(errors: readonly CloudflareMessage[]): boolean {
  return errors.some((error) => /^maximum_secrets_exceeded\b|quota/i.test(error.message))
}

/** Cloudflare's size refusal, `secret_value_too_long` (and `…_too_large`, in case it is ever spelled so). Never a quota refusal. */
export function isValueSizeRefusal(errors: readonly CloudflareMessage[]): boolean {
  return !isQuotaRefusal(errors) && errors.some((error) => /secret_value_too_(long|large)\b/i.test(error.message))
}

/** Cloudflare's "rule" for the global API limit, as its docs word it, for every rate-limit hint. */
export const RATE_LIMIT_RULE =
  "Cloudflare allows 1,200 API requests per 5 minutes per user, counted together across the dashboard, API keys and every API token of that user"

/** The LayerError for an HTTP error answer that carried a Cloudflare envelope (or none). */
export function errorFromResponse(request: RequestLabel, status: number, errors: readonly CloudflareMessage[]): CloudflareApiError {
  const what = `${request.method} ${request.path}`
  const detail = describe(errors)
  const accountId = /^\/accounts\/([^/]+)/.exec(request.path)?.[1]
  if (status === 401) {
    return new CloudflareApiError(
      "cloudflare_auth_failed",
      `Cloudflare rejected the API token (HTTP 401 on ${what}: ${detail})`,
      status,
      errors,
      "the token is wrong, expired or revoked: run `layer whoami` to see which token is in use, then `layer login` with a valid one (or fix CLOUDFLARE_API_TOKEN)",
    )
  }
  if (status === 400 && errors.some((error) => error.code === 6003 || error.code === 6111)) {
    return new CloudflareApiError(
      "cloudflare_token_malformed",
      `Cloudflare says the API token is not a well-formed token (HTTP 400 on ${what}: ${detail})`,
      status,
      errors,
      "the token was cut short or has extra characters: copy the whole token again from https://dash.cloudflare.com/profile/api-tokens (no quotes, spaces or line breaks) and run `layer login` (or fix CLOUDFLARE_API_TOKEN)",
    )
  }
  if (errors.some((error) => error.code === 7003) || (status === 400 && errors.some((error) => error.code === 7000) && accountId)) {
    return new CloudflareApiError(
      "cloudflare_invalid_account_id",
      `Cloudflare does not know the account id ${accountId ?? "(none)"} (${detail})`,
      status,
      errors,
      "an account id is 32 hexadecimal digits, shown in the Cloudflare dashboard's sidebar: fix accountId in layeron.config.ts or CLOUDFLARE_ACCOUNT_ID",
    )
  }
  if (status === 403 && errors.some((error) => error.code === 9109)) {
    return new CloudflareApiError(
      "cloudflare_account_inaccessible",
      `the API token cannot access Cloudflare account ${accountId ?? "(unknown)"} (${detail})`,
      status,
      errors,
      "check the account id (layeron.config.ts accountId, CLOUDFLARE_ACCOUNT_ID or `layer login --account-id`), or use a token created for that account",
    )
  }
  if (status === 403) {
    return new CloudflareApiError(
      "cloudflare_permission_denied",
      `the API token is not allowed to ${what} (HTTP 403: ${detail})`,
      status,
      errors,
      TOKEN_PERMISSION_HINT,
    )
  }
  if (status >= 500) {
    return new CloudflareApiError(
      "cloudflare_unavailable",
      `Cloudflare kept failing on ${what} (last answer HTTP ${status}: ${detail})`,
      status,
      errors,
      "Cloudflare's API is having trouble; check https://www.cloudflarestatus.com and run the command again later (nothing is half-written: every write replaces a whole value)",
    )
  }
  return new CloudflareApiError("cloudflare_api_error", `Cloudflare refused ${what} (HTTP ${status}: ${detail})`, status, errors)
}

/** A 429 whose `retry-after` is longer than the wait budget left. */
export function rateLimitedError(request: RequestLabel, retryAfterMs: number, budgetMs: number, now: number): CloudflareApiError {
  const seconds = Math.ceil(retryAfterMs / 1000)
  const retryAt = new Date(now + retryAfterMs).toISOString()
  return new CloudflareApiError(
    "cloudflare_rate_limited",
    `Cloudflare's rate limit blocks API requests of this user for ${seconds} s (HTTP 429 on ${request.method} ${request.path}); layer waits at most ${Math.round(budgetMs / 1000)} s, so it stopped here`,
    429,
    [],
    `run the command again after ${retryAt}. ${RATE_LIMIT_RULE}: other tools of the same user spend from the same budget`,
    { retryAfterSeconds: seconds, retryAt },
  )
}

/** A 429 that kept coming back (without a usable retry-after) until the budget ran out. */
export function rateLimitPersistsError(request: RequestLabel, attempts: number): CloudflareApiError {
  return new CloudflareApiError(
    "cloudflare_rate_limited",
    `Cloudflare kept answering HTTP 429 (rate limited) to ${request.method} ${request.path} after ${attempts} attempts`,
    429,
    [],
    `wait a few minutes and run the command again; ${RATE_LIMIT_RULE}`,
  )
}

/** Connection refused, reset or dropped, DNS failure: the request got no answer. */
export function unreachableError(request: RequestLabel, baseUrl: string, reason: string, attempts: number): LayerError {
  return new LayerError(
    "cloudflare_unreachable",
    `could not reach the Cloudflare API at ${baseUrl} (${reason}) for ${request.method} ${request.path}, after ${attempts} attempt${attempts === 1 ? "" : "s"}`,
    {
      hint: "check the network connection and any proxy; if CLOUDFLARE_API_BASE_URL is set, check that it points at a running API",
      details: { baseUrl, reason },
    },
  )
}

/** What a failed request means for the store: a read changed nothing; a write may have landed. */
export function writtenByRequest(request: RequestLabel): string {
  return request.method === "GET"
    ? "nothing was written by this request"
    : "Cloudflare may have carried out this write before the answer failed; running the command again is safe (a write replaces a whole value, and a create that landed is found and updated)"
}

const TIMEOUT_HINT = "check the network connection and any proxy; for a slow link raise LAYERON_HTTP_TIMEOUT_S (seconds, default 30). Nothing local needs deleting: run the command again once the API answers"

/** No whole answer (headers and body) within the deadline, on every attempt the call could make. */
export function timeoutError(request: RequestLabel, baseUrl: string, timeoutMs: number, attempts: number, spentMs?: number): LayerError {
  const over = spentMs === undefined ? "" : ` over ${formatSeconds(spentMs)}`
  return new LayerError(
    "cloudflare_timeout",
    `the Cloudflare API at ${baseUrl} did not answer ${request.method} ${request.path} within ${timeoutMs} ms (headers and body), after ${attempt(attempts)}${over}; ${writtenByRequest(request)}`,
    { hint: TIMEOUT_HINT, details: { baseUrl, timeoutMs, endpoint: `${request.method} ${request.path}`, attempts } },
  )
}

/** A call not even sent: an earlier call of the same command ran out of deadlines. */
export function notSentAfterTimeoutError(request: RequestLabel, baseUrl: string, stalled: RequestLabel): LayerError {
  return new LayerError(
    "cloudflare_timeout",
    `${request.method} ${request.path} was not sent: the Cloudflare API at ${baseUrl} stopped answering (${stalled.method} ${stalled.path} timed out earlier in this command)`,
    { hint: TIMEOUT_HINT, details: { baseUrl, endpoint: `${request.method} ${request.path}`, timedOut: `${stalled.method} ${stalled.path}` } },
  )
}

/**
 * A success whose `result` is not what the request returns (absent, null, the wrong type).
 * It is never read as "empty": an empty answer would look like missing secrets, and what a
 * person does about missing secrets (restore, start histories afresh) must not follow from a
 * broken answer.
 */
export function unexpectedAnswerError(request: RequestLabel, baseUrl: string, status: number, problem: string, expected: string): LayerError {
  return new LayerError(
    "cloudflare_unexpected_answer",
    `the Cloudflare API at ${baseUrl} answered ${request.method} ${request.path} with success (HTTP ${status}) but not with ${expected}: ${problem}; ${writtenByRequest(request)}`,
    {
      hint: "this is about the API's answer, not your data: nothing local needs deleting or restoring. Run the command again later; if it persists, check CLOUDFLARE_API_BASE_URL and any proxy in between",
      details: { baseUrl, httpStatus: status, endpoint: `${request.method} ${request.path}` },
    },
  )
}

function attempt(count: number): string {
  return `${count} attempt${count === 1 ? "" : "s"}`
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** An answer that is not Cloudflare's JSON envelope at all (a proxy page, a wrong base URL). */
export function malformedResponseError(request: RequestLabel, baseUrl: string, status: number, reason: string): LayerError {
  return new LayerError(
    "cloudflare_bad_response",
    `the API at ${baseUrl} answered ${request.method} ${request.path} with HTTP ${status} but ${reason}`,
    { hint: "check CLOUDFLARE_API_BASE_URL (default https://api.cloudflare.com/client/v4) and any proxy in between", details: { baseUrl, httpStatus: status } },
  )
}
