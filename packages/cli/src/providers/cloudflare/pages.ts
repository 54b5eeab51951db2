/**
 * Walking a paged list safely. A list answer is input like any other: a server (or a proxy)
 * that repeats a page, sends ever-new pages, or sends more items than it counts would keep a
 * command paging for ever or show secrets that do not exist. A walk stops with
 * `cloudflare_unexpected_answer` on a page that repeats an earlier one, on more items than
 * `total_count`, and past MAX_PAGES.
 *
 * MAX_PAGES fits the platform: an account holds at most 100 secrets during the Secrets Store
 * beta (FACTS.md 2.6) and one store (2.1), so a list is one page of 100; ten pages leave room
 * for a raised quota or a server that pages smaller than asked.
 */
import type { RequestLabel } from "./errors.js"
import { unexpectedAnswerError } from "./errors.js"
import type { ResultInfo } from "./api.js"

export const MAX_PAGES = 10

export interface PageOf<T> {
  items: T[]
  resultInfo: ResultInfo | undefined
}

/** The pages a result_info announces (total_pages, else total_count over per_page), if it says. */
export function announcedPages(info: ResultInfo | undefined, perPage: number): number | undefined {
  if (info?.total_pages !== undefined) return info.total_pages
  const size = info?.per_page || perPage
  if (info?.total_count !== undefined) return Math.ceil(info.total_count / size)
  return undefined
}

/** True when `info` says there is a page after `page` holding `received` items of `perPage`. */
export function hasNextPage(info: ResultInfo | undefined, page: number, perPage: number, received: number): boolean {
  // An empty page ends a walk whatever the totals say (the SDK's own paging stops there too).
  if (received === 0) return false
  if (info?.total_pages !== undefined) return page < info.total_pages
  // The server may have used a smaller page than asked for.
  const size = info?.per_page || perPage
  if (info?.total_count !== undefined) return page * size < info.total_count
  // No totals: only a full page may have a successor.
  return received >= size
}

export class PageWalk<T extends { id: string }> {
  readonly #pages: string[][] = []
  readonly #seen = new Map<string, T>()
  readonly #label: (page: number) => RequestLabel
  readonly #baseUrl: string
  readonly #what: string

  /** `label(page)` names the request of a page in errors; `what` is the items, plural ("secrets"). */
  constructor(what: string, baseUrl: string, label: (page: number) => RequestLabel) {
    this.#what = what
    this.#baseUrl = baseUrl
    this.#label = label
  }

  /** Refuse a page number past the limit before it is requested. */
  checkPageNumber(page: number): void {
    if (page > MAX_PAGES) throw this.#error(page, `it would take more than ${MAX_PAGES} pages, past the limit layer reads (${MAX_PAGES} pages; the Secrets Store holds at most 100 secrets per account)`)
  }

  /** Record page `page`; throws when it repeats an earlier page or overruns total_count. */
  add(page: number, { items, resultInfo }: PageOf<T>): void {
    const ids = items.map((item) => item.id)
    if (ids.length > 0) {
      const repeated = this.#pages.findIndex((earlier) => earlier.length === ids.length && earlier.every((id, index) => id === ids[index]))
      if (repeated >= 0) throw this.#error(page, `page ${page} repeats page ${repeated + 1} (the same ${ids.length} ${this.#what}), so the list would never end`)
    }
    this.#pages.push(ids)
    for (const item of items) this.#seen.set(item.id, item)
    const total = resultInfo?.total_count
    if (total !== undefined && this.#seen.size > total) {
      throw this.#error(page, `it has sent ${this.#seen.size} different ${this.#what} by page ${page}, more than the ${total} its total_count announces`)
    }
  }

  /** Every item, each once (a page boundary may shift while paging), in the order first met. */
  get items(): T[] {
    return [...this.#seen.values()]
  }

  #error(page: number, problem: string) {
    return unexpectedAnswerError(this.#label(page), this.#baseUrl, 200, problem, `a list of ${this.#what} that ends`)
  }
}
