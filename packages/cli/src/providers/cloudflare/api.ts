/**
 * The Cloudflare REST client: base URL, auth, the response envelope, retries and error
 * mapping, for every endpoint in secrets.ts and tokens.ts. Endpoint functions never retry
 * or parse an error body themselves.
 *
 * Plain `fetch` rather than the `cloudflare` SDK: the SDK costs ~400 ms to import on every
 * command, reads credentials from CLOUDFLARE_API_KEY/CLOUDFLARE_EMAIL behind our back and
 * pages one request too far; its response types are still used (`import type`, no runtime
 * cost). docs/cloudflare.md has the measurement.
 */
import { setTimeout as sleep } from "node:timers/promises"
import { LayerError } from "../../errors.js"
import {
  type CloudflareMessage,
  type RequestLabel,
  errorFromResponse,
  malformedResponseError,
  notSentAfterTimeoutError,
  rateLimitPersistsError,
  rateLimitedError,
  scrub,
  timeoutError,
  unexpectedAnswerError,
  unreachableError,
} from "./errors.js"
import { BACKOFF_BASE_MS, DEADLINES_PER_CALL, MAX_ATTEMPTS, RetryBudget, backoffDelay, parseRetryAfter, retrySettingsFromEnv } from "./retry.js"
import { RequestPacer, rateLimitFromEnv } from "./rate-limit.js"
import type { RateLimit } from "./rate-limit.js"
import { quoteInput } from "../../output/quote.js"
import type { ResultShape } from "./shapes.js"

export const DEFAULT_API_BASE_URL = "https://api.cloudflare.com/client/v4"
/** A 429 with `retry-after: 0` over and over must still end. */
const MAX_RATE_LIMITED_ATTEMPTS = 10

export interface CloudflareApiOptions {
  apiToken: string
  /** Default: CLOUDFLARE_API_BASE_URL, else https://api.cloudflare.com/client/v4 (as in wrangler). */
  baseUrl?: string
  /** Where CLOUDFLARE_API_BASE_URL and LAYERON_* settings are read; default process.env. */
  env?: NodeJS.ProcessEnv
  /** One line per request: method, path, status, time. Never a header or a body. */
  debug?: (message: string) => void
  /** Total time this client may spend waiting between attempts (default 90 s). */
  maxRetryWaitMs?: number
  /** The deadline of one attempt, headers and body (default LAYERON_HTTP_TIMEOUT_S, else 30 s); a call stops retrying once it has spent three. */
  requestTimeoutMs?: number
  /** First backoff ceiling (default 500 ms, doubling to 8 s); tests shorten it. */
  backoffBaseMs?: number
  /** Requests per sliding window this client sends at most (default LAYERON_API_RATE_LIMIT, else 1,000 per 5 minutes). */
  rateLimit?: RateLimit
}

/** The envelope's `result_info` on list endpoints. */
export interface ResultInfo {
  page?: number
  per_page?: number
  count?: number
  total_count?: number
  total_pages?: number
}

export interface ApiResult<T> {
  result: T
  resultInfo: ResultInfo | undefined
}

export interface ApiRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE"
  /** Path under the base URL, starting with `/`. */
  path: string
  query?: Record<string, string | number | undefined>
  body?: unknown
  /**
   * A multipart/form-data body (Workers script upload), sent instead of `body`; fetch writes
   * the boundary into the content type. A FormData can be sent again on a retry.
   */
  form?: FormData
  /** Strings the body carries that must never reach an error or a log (secret values). */
  sensitive?: readonly string[]
  /**
   * The `result` a success must carry. A success without it is `cloudflare_unexpected_answer`,
   * never read as "empty" (a `result: null` list once looked like a store with nothing in it).
   */
  expect?: ResultShape
}

/** What one attempt ended in, before deciding whether to retry. */
type Attempt =
  | { kind: "ok"; status: number; result: unknown; hasResult: boolean; resultInfo: ResultInfo | undefined }
  | { kind: "http"; status: number; errors: CloudflareMessage[]; retryAfterMs: number | undefined }
  | { kind: "network"; reason: string }
  | { kind: "timeout" }

export class CloudflareApi {
  readonly baseUrl: string
  readonly #token: string
  readonly #debug: (message: string) => void
  readonly #budget: RetryBudget
  readonly #maxRetryWaitMs: number
  readonly #timeoutMs: number
  readonly #backoffBaseMs: number
  /** Every attempt, retries included, counts against Cloudflare's 1,200 per 5 minutes. */
  readonly #pacer: RequestPacer
  /** The call that ran out of deadlines; set once, so the rest of the command does not wait again. */
  #stalledOn: RequestLabel | undefined

  constructor(options: CloudflareApiOptions) {
    const env = options.env ?? process.env
    assertSendableToken(options.apiToken)
    this.#token = options.apiToken
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? (env.CLOUDFLARE_API_BASE_URL || DEFAULT_API_BASE_URL))
    this.#debug = options.debug ?? (() => {})
    const fromEnv = readSettings(env)
    this.#maxRetryWaitMs = options.maxRetryWaitMs ?? fromEnv.maxRetryWaitMs
    this.#timeoutMs = options.requestTimeoutMs ?? fromEnv.requestTimeoutMs
    this.#backoffBaseMs = options.backoffBaseMs ?? BACKOFF_BASE_MS
    this.#budget = new RetryBudget(this.#maxRetryWaitMs)
    this.#pacer = new RequestPacer(options.rateLimit ?? readRateLimit(env))
  }

  /** `cfat_` for account-owned tokens (the only part of a token anyone may see). */
  get tokenPrefix(): string | undefined {
    return this.#token.startsWith("cfat_") ? "cfat_" : undefined
  }

  /** The base URL without any user:password part, for messages. */
  get displayBaseUrl(): string {
    return displayUrl(this.baseUrl)
  }

  async call<T>(request: ApiRequest): Promise<ApiResult<T>> {
    const label: RequestLabel = { method: request.method, path: request.path }
    const url = this.#url(request)
    const sensitive = [this.#token, ...(request.sensitive ?? [])]
    const shown = `${request.method} ${request.path}${url.search}`
    if (this.#stalledOn !== undefined) throw notSentAfterTimeoutError(label, this.displayBaseUrl, this.#stalledOn)
    /** Time this call has spent in attempts and backoff (rate-limit waits have their own budget). */
    let spentMs = 0
    for (let attempt = 1; ; attempt++) {
      const answered = await this.#pacer.acquire((ms) => this.#debug(`cloudflare ${shown}: pacing under the API rate limit (${this.#pacer.limit.requests} per ${seconds(this.#pacer.limit.windowMs)}); waiting ${seconds(ms)}`))
      const started = Date.now()
      const outcome = await this.#attempt(request, url).finally(answered)
      const elapsed = Date.now() - started
      spentMs += elapsed
      if (outcome.kind === "ok") {
        this.#debug(`cloudflare ${shown} -> ${outcome.status} (${elapsed} ms)`)
        const problem = request.expect?.problem(outcome.result, outcome.hasResult)
        if (problem !== undefined) throw unexpectedAnswerError(label, this.displayBaseUrl, outcome.status, problem, request.expect!.what)
        return { result: outcome.result as T, resultInfo: outcome.resultInfo }
      }
      if (outcome.kind === "http") {
        this.#debug(`cloudflare ${shown} -> ${outcome.status} (${elapsed} ms)`)
        const errors = outcome.errors.map((error) => ({ code: error.code, message: scrub(error.message, sensitive) }))
        if (outcome.status === 429) {
          if (outcome.retryAfterMs !== undefined) {
            if (!this.#budget.take(outcome.retryAfterMs)) {
              throw rateLimitedError(label, outcome.retryAfterMs, this.#maxRetryWaitMs, Date.now())
            }
            if (attempt >= MAX_RATE_LIMITED_ATTEMPTS) throw rateLimitPersistsError(label, attempt)
            this.#debug(`cloudflare ${shown}: rate limited; waiting ${seconds(outcome.retryAfterMs)} as retry-after asks`)
            await sleep(outcome.retryAfterMs)
            continue
          }
          const waited = await this.#backOff(shown, attempt, spentMs)
          if (waited === undefined) throw rateLimitPersistsError(label, attempt)
          spentMs += waited
          continue
        }
        if (outcome.status >= 500 || outcome.status === 408) {
          const waited = await this.#backOff(shown, attempt, spentMs)
          if (waited === undefined) throw errorFromResponse(label, outcome.status, errors)
          spentMs += waited
          continue
        }
        throw errorFromResponse(label, outcome.status, errors)
      }
      if (outcome.kind === "network") {
        this.#debug(`cloudflare ${shown} -> no answer: ${outcome.reason} (${elapsed} ms)`)
        const waited = await this.#backOff(shown, attempt, spentMs)
        if (waited === undefined) throw unreachableError(label, this.displayBaseUrl, outcome.reason, attempt)
        spentMs += waited
        continue
      }
      this.#debug(`cloudflare ${shown} -> timed out after ${this.#timeoutMs} ms`)
      const waited = await this.#backOff(shown, attempt, spentMs)
      if (waited === undefined) {
        // The API stopped answering: later calls of this command fail at once instead of each waiting out its own deadlines.
        this.#stalledOn = label
        throw timeoutError(label, this.displayBaseUrl, this.#timeoutMs, attempt, spentMs)
      }
      spentMs += waited
    }
  }

  /**
   * Wait before the next attempt of a transient failure and return the wait; undefined when out
   * of attempts, out of wait budget, or when the call has spent DEADLINES_PER_CALL deadlines
   * (attempts and waits): no attempt starts after that, so a call ends within one deadline more.
   */
  async #backOff(shown: string, attempt: number, spentMs: number): Promise<number | undefined> {
    if (attempt >= MAX_ATTEMPTS) return undefined
    const delay = Math.min(backoffDelay(attempt, Math.random, this.#backoffBaseMs), this.#budget.remainingMs)
    if (spentMs + delay >= DEADLINES_PER_CALL * this.#timeoutMs) return undefined
    if (delay <= 0 || !this.#budget.take(delay)) return undefined
    this.#debug(`cloudflare ${shown}: retrying in ${seconds(delay)} (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`)
    await sleep(delay)
    return delay
  }

  async #attempt(request: ApiRequest, url: URL): Promise<Attempt> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: "application/json",
      "user-agent": "layeron-cli",
    }
    if (request.body !== undefined && request.form === undefined) headers["content-type"] = "application/json"
    // One deadline for the whole answer, headers and body, on a timer this client holds.
    // (AbortSignal.timeout alone let a body dripped one byte a second run past it: the race
    // below ends the attempt whatever fetch does with the abort.)
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => {
        resolve("timeout")
        controller.abort(new DOMException("the request deadline passed", "TimeoutError"))
      }, this.#timeoutMs)
    })
    const exchange = (async () => {
      const response = await fetch(url, {
        method: request.method,
        headers,
        body: request.form ?? (request.body === undefined ? undefined : JSON.stringify(request.body)),
        signal: controller.signal,
        redirect: "error",
      })
      return { response, text: await response.text() }
    })()
    // The loser of the race must not surface as an unhandled rejection.
    exchange.catch(() => {})
    let response: Response
    let text: string
    try {
      const answer = await Promise.race([exchange, deadline])
      if (answer === "timeout") return { kind: "timeout" }
      ;({ response, text } = answer)
    } catch (error) {
      if (controller.signal.aborted || isTimeout(error)) return { kind: "timeout" }
      return { kind: "network", reason: scrub(networkReason(error), [this.#token]) }
    } finally {
      clearTimeout(timer)
    }
    const envelope = parseEnvelope(text)
    if (response.ok && envelope?.success === true) {
      const hasResult = Object.hasOwn(envelope, "result")
      return { kind: "ok", status: response.status, result: envelope.result ?? null, hasResult, resultInfo: readResultInfo(envelope.result_info) }
    }
    if (response.ok) {
      if (envelope === undefined) throw malformedResponseError(request, this.displayBaseUrl, response.status, "not with Cloudflare's JSON envelope")
      // 2xx with success:false: Cloudflare's way of saying the call failed anyway.
      return { kind: "http", status: 400, errors: envelope.errors ?? [], retryAfterMs: undefined }
    }
    return {
      kind: "http",
      status: response.status,
      errors: envelope?.errors ?? [],
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), Date.now()),
    }
  }

  #url(request: ApiRequest): URL {
    const url = new URL(this.baseUrl + request.path)
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    return url
  }
}

interface Envelope {
  success?: unknown
  errors?: CloudflareMessage[]
  result?: unknown
  result_info?: unknown
}

function parseEnvelope(text: string): Envelope | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined
  const envelope = parsed as Envelope
  const errors = Array.isArray(envelope.errors)
    ? envelope.errors
        .filter((error): error is CloudflareMessage => typeof error === "object" && error !== null)
        .map((error) => ({ code: Number(error.code), message: String(error.message ?? "") }))
    : undefined
  return { ...envelope, errors }
}

/** Only the numeric fields, so a page count never comes from a string or an object. */
function readResultInfo(raw: unknown): ResultInfo | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined
  const info: ResultInfo = {}
  for (const key of ["page", "per_page", "count", "total_count", "total_pages"] as const) {
    const value = (raw as Record<string, unknown>)[key]
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) info[key] = value
  }
  return info
}

function readSettings(env: NodeJS.ProcessEnv) {
  try {
    return retrySettingsFromEnv(env)
  } catch (error) {
    throw new LayerError("invalid_setting", (error as Error).message, { hint: "unset the variable to use the default" })
  }
}

function readRateLimit(env: NodeJS.ProcessEnv): RateLimit {
  try {
    return rateLimitFromEnv(env)
  } catch (error) {
    throw new LayerError("invalid_setting", (error as Error).message, { hint: "unset the variable to use the default" })
  }
}

/**
 * A token goes into a header; fetch rejects header values with spaces or line breaks and
 * its error message quotes the whole header, token included. Refuse such a token first.
 */
export function assertSendableToken(token: string): void {
  if (token.length === 0) {
    throw new LayerError("invalid_token", "the Cloudflare API token is empty", {
      hint: "create a token at https://dash.cloudflare.com/profile/api-tokens and pass it to `layer login`",
    })
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new LayerError("invalid_token", "the Cloudflare API token contains spaces, line breaks or non-ASCII characters, which no Cloudflare token has", {
      hint: "copy the token again, without surrounding quotes or whitespace",
    })
  }
}

function normalizeBaseUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // Not echoed: a text that is not a URL may be a token pasted into the wrong variable.
    throw new LayerError("invalid_api_base_url", `CLOUDFLARE_API_BASE_URL is not a URL (a text of ${raw.length} characters)`, {
      hint: "use the form https://api.cloudflare.com/client/v4, or unset it",
    })
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new LayerError("invalid_api_base_url", `CLOUDFLARE_API_BASE_URL must be an http(s) URL; got ${quoteInput(displayUrl(raw), 80)}`, {
      hint: "use the form https://api.cloudflare.com/client/v4, or unset it",
    })
  }
  return raw.replace(/\/+$/, "")
}

function displayUrl(raw: string): string {
  try {
    const url = new URL(raw)
    url.username = ""
    url.password = ""
    // A query or fragment may carry a token: never shown.
    url.search = ""
    url.hash = ""
    return url.toString().replace(/\/+$/, "")
  } catch {
    return "(an invalid URL)"
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || (error.name === "AbortError" && String(error.message).includes("timeout")))
}

/** A short, human reason for a request that got no answer. fetch hides it in `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  switch (cause?.code) {
    case "ECONNREFUSED":
      return "connection refused"
    case "ECONNRESET":
      return "connection reset"
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found"
    case "UND_ERR_SOCKET":
      return "connection closed before an answer"
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connection timed out"
    case undefined:
      return error instanceof Error ? error.message : "unknown network error"
    default:
      return cause?.code ?? "unknown network error"
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}
