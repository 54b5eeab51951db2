/**
 * Checks a fault description, from the typed API or the control plane's JSON, and says
 * exactly what is wrong with a bad one.
 */
import type { Fault } from "../types.js"

const KINDS = ["rate_limit", "server_error", "latency", "drop_connection", "error_answer", "drip", "stall_after_headers", "close_mid_body", "malformed_result", "endless_pages"]

export function parseFault(input: unknown): Fault {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new TypeError(`fault must be an object with a kind (${KINDS.join(", ")})`)
  }
  const fault = input as Record<string, unknown>
  switch (fault.kind) {
    case "rate_limit":
      if (fault.retryAfterSeconds !== undefined) nonNegativeInteger(fault.retryAfterSeconds, "retryAfterSeconds")
      break
    case "server_error":
      if (fault.status !== 500 && fault.status !== 502 && fault.status !== 503) {
        throw new TypeError(`fault.status must be 500, 502 or 503, got ${JSON.stringify(fault.status)}`)
      }
      break
    case "latency":
      nonNegativeInteger(fault.ms, "ms")
      break
    case "drop_connection":
    case "stall_after_headers":
    case "close_mid_body":
      break
    case "drip":
      positiveInteger(fault.intervalMs, "intervalMs")
      break
    case "malformed_result":
      if (fault.result !== "null" && fault.result !== "absent") throw new TypeError(`fault.result must be "null" or "absent", got ${JSON.stringify(fault.result)}`)
      break
    case "endless_pages":
      if (fault.pages !== "new" && fault.pages !== "repeated") throw new TypeError(`fault.pages must be "new" or "repeated", got ${JSON.stringify(fault.pages)}`)
      if (fault.totalCount !== undefined) nonNegativeInteger(fault.totalCount, "totalCount")
      break
    case "error_answer":
      if (!Number.isInteger(fault.status) || (fault.status as number) < 400 || (fault.status as number) > 599) throw new TypeError(`fault.status must be an HTTP error status (400..599), got ${JSON.stringify(fault.status)}`)
      nonNegativeInteger(fault.code, "code")
      if (typeof fault.message !== "string") throw new TypeError("fault.message must be a string")
      break
    default:
      throw new TypeError(`fault.kind must be one of ${KINDS.join(", ")}, got ${JSON.stringify(fault.kind)}`)
  }
  if (fault.method !== undefined && (typeof fault.method !== "string" || fault.method === "")) {
    throw new TypeError("fault.method must be an HTTP method such as GET")
  }
  if (fault.path !== undefined && (typeof fault.path !== "string" || !fault.path.startsWith("/"))) {
    throw new TypeError("fault.path must be a path pattern starting with /, e.g. /accounts/*/secrets_store/**")
  }
  if (fault.next !== undefined) positiveInteger(fault.next, "next")
  if (fault.requestNumber !== undefined) positiveInteger(fault.requestNumber, "requestNumber")
  if (fault.next !== undefined && fault.requestNumber !== undefined) {
    throw new TypeError("fault: give next or requestNumber, not both")
  }
  for (const key of Object.keys(fault)) {
    if (!ALLOWED_KEYS.includes(key)) throw new TypeError(`fault: unknown field ${JSON.stringify(key)}; fields are ${ALLOWED_KEYS.join(", ")}`)
  }
  return { ...fault } as unknown as Fault
}

const ALLOWED_KEYS = ["kind", "retryAfterSeconds", "status", "ms", "intervalMs", "result", "pages", "totalCount", "method", "path", "next", "requestNumber", "code", "message"]

function nonNegativeInteger(value: unknown, name: string): void {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new TypeError(`fault.${name} must be a non-negative integer, got ${JSON.stringify(value)}`)
  }
}

function positiveInteger(value: unknown, name: string): void {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new TypeError(`fault.${name} must be a positive integer, got ${JSON.stringify(value)}`)
  }
}
