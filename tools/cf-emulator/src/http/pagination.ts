/**
 * Cloudflare's page/per_page pagination and its `result_info`
 * (`count` on this page, `page`, `per_page`, `total_count`, and `total_pages` where the
 * endpoint's schema has it: not on Secrets Store lists, FACTS.md 2.11).
 */
import { CfErrors } from "./cf-errors.js"
import type { ResultInfo } from "./envelope.js"

export interface PageRequest {
  page: number
  perPage: number
}

export interface PageLimits {
  defaultPerPage: number
  maxPerPage: number
}

/** DECIDED: out-of-range values are refused with a clear error rather than clamped. */
export function parsePageRequest(query: URLSearchParams, limits: PageLimits): PageRequest {
  const page = parsePositiveInteger(query.get("page"), "page", 1, Number.MAX_SAFE_INTEGER)
  const perPage = parsePositiveInteger(query.get("per_page"), "per_page", limits.defaultPerPage, limits.maxPerPage)
  return { page, perPage }
}

function parsePositiveInteger(raw: string | null, name: string, fallback: number, max: number): number {
  if (raw === null || raw === "") return fallback
  if (!/^\d+$/.test(raw)) throw CfErrors.invalidQuery(`${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}`)
  const value = Number(raw)
  if (value < 1 || value > max) throw CfErrors.invalidQuery(`${name} must be an integer from 1 to ${max}, got ${value}`)
  return value
}

export function paginate<T>(items: readonly T[], request: PageRequest, options: { totalPages: boolean } = { totalPages: true }): { items: T[]; resultInfo: ResultInfo } {
  const start = (request.page - 1) * request.perPage
  const pageItems = items.slice(start, start + request.perPage)
  const resultInfo: ResultInfo = { count: pageItems.length, page: request.page, per_page: request.perPage, total_count: items.length }
  if (options.totalPages) resultInfo.total_pages = Math.ceil(items.length / request.perPage)
  return { items: pageItems, resultInfo }
}

export type Direction = "asc" | "desc"

/** Reads `order` (one of `fields`) and `direction`; refuses unknown values. */
export function parseOrder<F extends string>(
  query: URLSearchParams,
  fields: readonly F[],
  fallback: F,
): { field: F; direction: Direction } {
  const order = query.get("order") ?? fallback
  if (!(fields as readonly string[]).includes(order)) {
    throw CfErrors.invalidQuery(`order must be one of ${fields.join(", ")}, got ${JSON.stringify(order)}`)
  }
  const direction = query.get("direction") ?? "asc"
  if (direction !== "asc" && direction !== "desc") {
    throw CfErrors.invalidQuery(`direction must be asc or desc, got ${JSON.stringify(direction)}`)
  }
  return { field: order as F, direction }
}

export function compareBy<T>(key: (item: T) => string, direction: Direction): (a: T, b: T) => number {
  const sign = direction === "asc" ? 1 : -1
  return (a, b) => {
    const x = key(a)
    const y = key(b)
    return x < y ? -sign : x > y ? sign : 0
  }
}
