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

export function timeoutError(request: RequestLabel, baseUrl: string, timeoutMs: number, attempts: number): LayerError {
  return new LayerError(
    "cloudflare_timeout",
    `the Cloudflare API at ${baseUrl} did not answer ${request.method} ${request.path} within ${timeoutMs} ms, after ${attempts} attempt${attempts === 1 ? "" : "s"}`,
    {
      hint: "check the network connection; raise LAYERON_REQUEST_TIMEOUT_MS (milliseconds) for a slow link",
      details: { baseUrl, timeoutMs },
    },
  )
}

/** An answer that is not Cloudflare's JSON envelope at all (a proxy page, a wrong base URL). */
export function malformedResponseError(request: RequestLabel, baseUrl: string, status: number, reason: string): LayerError {
  return new LayerError(
    "cloudflare_bad_response",
    `the API at ${baseUrl} answered ${request.method} ${request.path} with HTTP ${status} but ${reason}`,
    { hint: "check CLOUDFLARE_API_BASE_URL (default https://api.cloudflare.com/client/v4) and any proxy in between", details: { baseUrl, httpStatus: status } },
  )
}
