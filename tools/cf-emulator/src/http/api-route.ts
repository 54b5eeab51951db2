/**
 * How API routes are declared. Each helper wraps a handler with the checks its endpoint needs,
 * in Cloudflare's order: token (10000), account access (9109), permission (403/10000).
 * Header format (9106/6003) and routing (7000/7001/7003) are checked by the server before.
 */
import type { IncomingHttpHeaders } from "node:http"
import { accountFor, authenticate, requirePermission, type AccessRule } from "../auth/authorize.js"
import type { Clock } from "../clock.js"
import type { AccountRecord, EmulatorState, TokenRecord } from "../state.js"
import type { CfMessage } from "./api-error.js"
import { CfErrors } from "./cf-errors.js"
import type { ResultInfo } from "./envelope.js"

export interface EmulatorSettings {
  pendingDelayMs: number
  /** Which form of the Secrets Store answers (types.ts `SchemaForm`). */
  schema: "published" | "legacy"
}

export interface RequestContext {
  state: EmulatorState
  clock: Clock
  settings: EmulatorSettings
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  params: Record<string, string>
  /** The bearer token as sent (already checked for format). */
  bearer: string
  body(): Promise<Buffer>
  /** The body parsed as JSON; malformed JSON is Cloudflare's 1001 invalid_json_body. */
  json(): Promise<unknown>
}

export interface TokenContext extends RequestContext {
  token: TokenRecord
}

export interface AccountContext extends TokenContext {
  account: AccountRecord
}

export interface ApiResponse {
  status?: number
  result: unknown
  resultInfo?: ResultInfo
  messages?: CfMessage[]
}

type Handler<C> = (ctx: C) => ApiResponse | Promise<ApiResponse>

export interface ApiRoute {
  method: string
  pattern: string
  run(ctx: RequestContext): Promise<ApiResponse>
}

/** The handler checks the token itself (the verify endpoints answer differently). */
export function openRoute(method: string, pattern: string, handle: Handler<RequestContext>): ApiRoute {
  return { method, pattern, run: async (ctx) => handle(ctx) }
}

/** Any active token. */
export function tokenRoute(method: string, pattern: string, handle: Handler<TokenContext>): ApiRoute {
  return {
    method,
    pattern,
    run: async (ctx) => handle({ ...ctx, token: authenticate(ctx.state, ctx.bearer) }),
  }
}

/** An active token that reaches `:account_id` and holds one of the rule's permissions. */
export function accountRoute(method: string, pattern: string, rule: AccessRule, handle: Handler<AccountContext>): ApiRoute {
  return {
    method,
    pattern,
    run: async (ctx) => {
      const token = authenticate(ctx.state, ctx.bearer)
      const accountId = ctx.params.account_id
      if (accountId === undefined) throw CfErrors.noRoute()
      const account = accountFor(ctx.state, token, accountId)
      requirePermission(token, rule)
      return handle({ ...ctx, token, account })
    },
  }
}
