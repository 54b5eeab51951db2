/**
 * The emulator's public types: what tests pass in (options, specs, faults) and what they get
 * back (accounts, the request log, uploaded scripts). Everything here is plain data so that the
 * HTTP control plane can accept and return the same shapes as JSON.
 */

/** The token permissions the emulator knows; each maps to a Cloudflare permission group. */
export type Permission = "secrets_store_read" | "secrets_store_write" | "workers_scripts_read" | "workers_scripts_write"
export const PERMISSIONS: readonly Permission[] = ["secrets_store_read", "secrets_store_write", "workers_scripts_read", "workers_scripts_write"]

/** `user` tokens verify at /user/tokens/verify; `account` tokens (prefix `cfat_`) at /accounts/{id}/tokens/verify. */
export type TokenKind = "user" | "account"
export type TokenStatus = "active" | "expired" | "disabled"
export const TOKEN_STATUSES: readonly TokenStatus[] = ["active", "expired", "disabled"]

export interface TokenSpec {
  /** Omit to get a fresh random token (40 characters; `cfat_` + 40 for account tokens). */
  value?: string
  kind: TokenKind
  /** Accounts the token may act on. An account token belongs to exactly one account. */
  accountIds: string[]
  permissions: Permission[]
  status?: TokenStatus
  /**
   * Account tokens only: how `GET /accounts` answers it. `lists` (default) returns its one
   * account, as 2026 reports show; `refuses` is the older answer, 400 `1001 List accounts
   * endpoint does not support account owned tokens.` (see FACTS.md).
   */
  accountList?: "lists" | "refuses"
}

export interface AccountSpec {
  /** 32 lowercase hex digits; random when omitted. */
  id?: string
  name?: string
  /**
   * Create the account's one store up front, named `default_secrets_store`, as the Cloudflare
   * dashboard does the first time an admin opens Secrets Store.
   */
  withDefaultStore?: boolean
  /**
   * The account's workers.dev subdomain (`<subdomain>.workers.dev`). Default: `emulated-<first
   * 8 digits of the id>`. `null`: the account never registered one, so
   * `GET /accounts/{id}/workers/subdomain` answers 10007.
   */
  workersSubdomain?: string | null
}

export interface Account {
  id: string
  name: string
}

/** An account as tests inspect it: stores and secret metadata, never a value. */
export interface AccountSummary extends Account {
  quota: number
  stores: {
    id: string
    name: string
    secrets: { id: string; name: string; scopes: string[]; status: "pending" | "active"; modified: string }[]
  }[]
  scripts: string[]
}

/** What a fault does to a request it matches. */
export type FaultAction =
  /** 429 with body code 971; `retry-after` is sent only when retryAfterSeconds is given. */
  | { kind: "rate_limit"; retryAfterSeconds?: number }
  /** A 5xx. 500 answers with a JSON envelope; 502 and 503 with an HTML page, as Cloudflare's edge does. */
  | { kind: "server_error"; status: 500 | 502 | 503 }
  /** Delay the request by `ms`, then handle it normally. Latencies of several faults add up. */
  | { kind: "latency"; ms: number }
  /** Destroy the socket without writing a response. */
  | { kind: "drop_connection" }
  /**
   * A failure envelope holding one error with these words, for tests of how a client shows what
   * an API says (an answer that echoes the request, escape codes in it). Not a Cloudflare fact:
   * an adversarial answer, made on purpose.
   */
  | { kind: "error_answer"; status: number; code: number; message: string }
  /*
   * Answer faults: the request is carried out as usual (a write lands), then its answer is
   * spoiled. Issue #25: the client must end each within its deadline, or refuse the answer.
   */
  /** Send the status and headers, then the body one byte every `intervalMs`. */
  | { kind: "drip"; intervalMs: number }
  /** Send the status and headers (with the full content-length), then nothing until the client gives up. */
  | { kind: "stall_after_headers" }
  /** Send the status, headers and half the body, then close the connection. */
  | { kind: "close_mid_body" }
  /** A success whose `result` is null, or absent from the envelope. */
  | { kind: "malformed_result"; result: "null" | "absent" }
  /**
   * On list answers (GET with `result_info`): full pages of invented items, for ever. `new`:
   * different items on every page; `repeated`: the same items on every page. `totalCount`
   * (default: always one page more than asked) is the `result_info.total_count` sent.
   */
  | { kind: "endless_pages"; pages: "new" | "repeated"; totalCount?: number }

/** Which requests a fault applies to. With none of `next`/`requestNumber`, it applies until cleared. */
export interface FaultScope {
  /** Only requests with this HTTP method. */
  method?: string
  /**
   * Only requests whose API path (after `/client/v4`, no query) matches this pattern: `*` matches
   * one path segment, `**` any run of characters. Example: `/accounts/*\/secrets_store/**`.
   */
  path?: string
  /** Only the next N matching requests. */
  next?: number
  /** Only API request number K counting from when the fault is set (1 = the very next request). */
  requestNumber?: number
}

export type Fault = FaultAction & FaultScope

export interface RequestLogEntry {
  /** 1-based sequence number over API requests (control-plane requests are not logged). */
  seq: number
  method: string
  /** The API path after `/client/v4`, without the query string. */
  path: string
  /** The query string including its leading `?`, or "". */
  query: string
  /** The HTTP status sent, or null when the connection was dropped. */
  status: number | null
  /** When the request arrived (ISO 8601, emulator clock). */
  time: string
  /** Faults applied to this request, e.g. `latency:200`, `rate_limit`, `server_error:503`, `global_rate_limit`. */
  faults: string[]
}

export interface UploadedModule {
  /** The multipart part name, which `main_module` refers to. */
  name: string
  contentType: string
  size: number
}

export interface UploadedScript {
  accountId: string
  name: string
  /** The parsed `metadata` part as uploaded. */
  metadata: Record<string, unknown>
  modules: UploadedModule[]
  /** The bindings in force after the upload: the metadata's plus those `keep_bindings` kept. */
  bindings: Record<string, unknown>[]
  /** The script's workers.dev route (`…/scripts/{name}/subdomain`); off after an API upload. */
  subdomain: { enabled: boolean; previewsEnabled: boolean }
  createdOn: string
  modifiedOn: string
}

export interface RateLimitOptions {
  /** Requests allowed per window and token before everything is blocked. Cloudflare: 1200. */
  requests: number
  /** Cloudflare: 300,000 ms (5 minutes). */
  windowMs: number
  /** How long every request of that token is refused once the limit is passed. Cloudflare: 5 minutes. */
  blockMs: number
}

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** New or re-valued secrets report `pending` for this long, then `active`. Default 50 ms. */
  pendingDelayMs?: number
  /** Secrets per account (Cloudflare's open beta: 100). */
  quota?: number
  rateLimit?: Partial<RateLimitOptions>
  /**
   * `published` (default): Secrets Store answers as Cloudflare's published schema has them
   * (DELETE of a secret: 202 with the deleted secret; lists: no `result_info.total_pages`).
   * `legacy`: the form the emulator used to answer (200 with `result: null`; `total_pages`
   * on lists), so a client can be tested against both. FACTS.md 2.10 and 2.11.
   */
  schema?: "published" | "legacy"
}

/** The running emulator and its typed control API. */
export interface Emulator {
  /** The API base, e.g. `http://127.0.0.1:PORT/client/v4`; clients set CLOUDFLARE_API_BASE_URL to it. */
  readonly url: string
  readonly port: number
  /** The HTTP control plane base, `http://127.0.0.1:PORT/__emulator`. */
  readonly controlUrl: string
  close(): Promise<void>
  addAccount(spec?: AccountSpec): Account
  /** Every account with its stores and secret metadata (no values). */
  readonly accounts: readonly AccountSummary[]
  /** Registers a token and returns its value. */
  addToken(spec: TokenSpec): string
  setTokenStatus(value: string, status: TokenStatus): void
  /** Returns an id that `clearFault` accepts. */
  setFault(fault: Fault): string
  clearFault(id: string): void
  clearFaults(): void
  /** The faults in force, with their ids. */
  readonly faults: readonly { id: string; fault: Fault }[]
  /** A snapshot of the request log, oldest first. */
  readonly requests: readonly RequestLogEntry[]
  resetRequestLog(): void
  /** Sets the secrets quota of one account, or of every account (and future ones) when accountId is omitted. */
  setQuota(quota: number, accountId?: string): void
  /** Test-only backdoor: the stored value of a secret, or undefined. Never reachable over HTTP. */
  getSecretValue(accountId: string, storeId: string, name: string): string | undefined
  /** Uploaded Worker scripts with their metadata, account by account in first-upload order. */
  readonly scripts: readonly UploadedScript[]
  /** Moves the emulator's clock forward (pending secrets, rate-limit windows and blocks, timestamps). */
  advanceClock(ms: number): void
  /** Replaces the rate limit from now on (counts start afresh): a test's setup can run unlimited. */
  setRateLimit(rateLimit: Partial<RateLimitOptions>): void
}
