/**
 * The path of one API request through the emulator, in the order Cloudflare's edge and API
 * would meet it: injected faults, the global rate limit, credentials (9106/6003), routing
 * (7000/7001/7003), then the route's own checks and handler. Every request is logged.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { setTimeout as sleep } from "node:timers/promises"
import { rateLimitKey, readBearerToken } from "../auth/credentials.js"
import type { Clock } from "../clock.js"
import type { FaultBook, TerminalFault } from "../faults/fault-book.js"
import type { RateLimiter } from "../faults/rate-limiter.js"
import { HEX_ID_PATTERN } from "../ids.js"
import type { RequestLog } from "../request-log.js"
import type { EmulatorState } from "../state.js"
import type { RequestLogEntry } from "../types.js"
import { ApiError } from "./api-error.js"
import type { ApiRoute, EmulatorSettings, RequestContext } from "./api-route.js"
import { CfErrors } from "./cf-errors.js"
import { failureEnvelope, successEnvelope, type Envelope } from "./envelope.js"
import { sendSpoiled } from "../faults/answer-faults.js"
import { readBody, sendJson, sendText } from "./io.js"
import { matchRoute } from "./router.js"

export const API_PREFIX = "/client/v4"

export interface ApiParts {
  state: EmulatorState
  clock: Clock
  settings: EmulatorSettings
  faults: FaultBook
  limiter: RateLimiter
  log: RequestLog
  routes: readonly ApiRoute[]
}

export async function handleApiRequest(parts: ApiParts, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase()
  const path = url.pathname.slice(API_PREFIX.length) || "/"
  const entry = parts.log.open({ method, path, query: url.search, time: parts.clock.iso() })
  const outcome = parts.faults.apply({ seq: entry.seq, method, path })
  const respond = (status: number, body: Envelope, headers: Record<string, string> = {}): void => {
    entry.status = status
    if (outcome.answer !== undefined) return sendSpoiled(res, status, body, headers, outcome.answer, parts.settings.schema === "legacy")
    sendJson(res, status, body, headers)
  }

  entry.faults.push(...outcome.labels)
  if (outcome.latencyMs > 0) await sleep(outcome.latencyMs)
  if (outcome.terminal !== undefined) return applyTerminalFault(outcome.terminal, req, res, entry)

  const decision = parts.limiter.check(rateLimitKey(req.headers))
  if (!decision.allowed) {
    entry.faults.push("global_rate_limit")
    const { requests, windowMs } = parts.limiter.options
    const error = CfErrors.globalRateLimited(requests, Math.ceil(windowMs / 1000), decision.retryAfterSeconds)
    return respond(error.status, failureEnvelope(error.errors), { ...decision.headers, ...error.headers })
  }

  try {
    const bearer = readBearerToken(req.headers)
    const match = matchRoute(parts.routes, method, path)
    if (match.kind === "none") throw CfErrors.noRoute()
    if (match.kind === "wrong_method") throw CfErrors.methodNotAllowed(method)
    const accountId = match.params.account_id
    if (accountId !== undefined && !HEX_ID_PATTERN.test(accountId)) throw CfErrors.invalidAccountId(API_PREFIX + path)
    const response = await match.route.run(requestContext(parts, req, method, path, url, match.params, bearer))
    respond(response.status ?? 200, successEnvelope(response.result, response.resultInfo, response.messages), decision.headers)
  } catch (error) {
    if (error instanceof ApiError) return respond(error.status, failureEnvelope(error.errors), { ...decision.headers, ...error.headers })
    // A bug in the emulator: say so on stderr (never with request data) and answer like Cloudflare's 500.
    console.error(`cf-emulator: internal error on ${method} ${path}:`, error instanceof Error ? error.stack : error)
    const internal = CfErrors.internal()
    respond(internal.status, failureEnvelope(internal.errors), decision.headers)
  }
}

function requestContext(
  parts: ApiParts,
  req: IncomingMessage,
  method: string,
  path: string,
  url: URL,
  params: Record<string, string>,
  bearer: string,
): RequestContext {
  let body: Promise<Buffer> | undefined
  const readOnce = (): Promise<Buffer> => (body ??= readBody(req))
  return {
    state: parts.state,
    clock: parts.clock,
    settings: parts.settings,
    method,
    path,
    query: url.searchParams,
    headers: req.headers,
    params,
    bearer,
    body: readOnce,
    json: async () => {
      const text = (await readOnce()).toString("utf8")
      try {
        return JSON.parse(text) as unknown
      } catch {
        throw CfErrors.invalidJsonBody(text.trim() === "" ? "the body is empty" : "the body is not valid JSON")
      }
    },
  }
}

function applyTerminalFault(fault: TerminalFault, req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): void {
  switch (fault.kind) {
    case "drop_connection":
      req.socket.destroy()
      return
    case "rate_limit": {
      const error = CfErrors.rateLimited(fault.retryAfterSeconds)
      entry.status = error.status
      return sendJson(res, error.status, failureEnvelope(error.errors), error.headers)
    }
    case "server_error":
      entry.status = fault.status
      if (fault.status === 500) {
        const error = CfErrors.internal()
        return sendJson(res, 500, failureEnvelope(error.errors))
      }
      // Cloudflare's edge answers 502/503 with an HTML page, not the JSON envelope.
      return sendText(res, fault.status, "text/html; charset=UTF-8", edgeErrorPage(fault.status))
    case "error_answer":
      entry.status = fault.status
      return sendJson(res, fault.status, failureEnvelope([{ code: fault.code, message: fault.message }]))
  }
}

function edgeErrorPage(status: 502 | 503): string {
  const title = status === 502 ? "502 Bad Gateway" : "503 Service Temporarily Unavailable"
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`
}
