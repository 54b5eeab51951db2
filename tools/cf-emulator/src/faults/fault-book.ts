/**
 * The faults in force and which ones a request meets. Latency faults add up and the request
 * carries on; of the terminal ones (rate_limit, server_error, drop_connection) the first one set
 * wins; of the answer faults (drip, stall_after_headers, close_mid_body, malformed_result,
 * endless_pages: the request is carried out, its answer spoiled) the first one set wins.
 * A fault with `next: N` is spent after N applications; one with `requestNumber: K` applies
 * only to the K-th API request after it was set; one with neither lasts until cleared.
 */
import type { Fault, FaultAction } from "../types.js"

export type AnswerFault = Extract<FaultAction, { kind: "drip" | "stall_after_headers" | "close_mid_body" | "malformed_result" | "endless_pages" }>
export type TerminalFault = Exclude<FaultAction, { kind: "latency" } | AnswerFault>

const ANSWER_KINDS: ReadonlySet<string> = new Set(["drip", "stall_after_headers", "close_mid_body", "malformed_result", "endless_pages"])

function isAnswerFault(fault: FaultAction): fault is AnswerFault {
  return ANSWER_KINDS.has(fault.kind)
}

export interface FaultOutcome {
  latencyMs: number
  terminal: TerminalFault | undefined
  answer: AnswerFault | undefined
  /** Labels for the request log, e.g. `latency:200`, `server_error:503`. */
  labels: string[]
}

interface ActiveFault {
  id: string
  fault: Fault
  pathPattern: RegExp | undefined
  remaining: number | undefined
  /** The request sequence number this fault is pinned to, if any. */
  atSeq: number | undefined
}

export class FaultBook {
  #faults: ActiveFault[] = []
  #nextId = 1

  /** `currentSeq` is the sequence number of the last request seen, so requestNumber counts from now. */
  add(fault: Fault, currentSeq: number): string {
    const id = `fault-${this.#nextId++}`
    this.#faults.push({
      id,
      fault,
      pathPattern: fault.path === undefined ? undefined : globToRegExp(fault.path),
      remaining: fault.next,
      atSeq: fault.requestNumber === undefined ? undefined : currentSeq + fault.requestNumber,
    })
    return id
  }

  remove(id: string): boolean {
    const before = this.#faults.length
    this.#faults = this.#faults.filter((active) => active.id !== id)
    return this.#faults.length !== before
  }

  clear(): void {
    this.#faults = []
  }

  list(): { id: string; fault: Fault }[] {
    return this.#faults.map(({ id, fault }) => ({ id, fault }))
  }

  /** Finds the faults request `seq` meets and spends their counts. */
  apply(request: { seq: number; method: string; path: string }): FaultOutcome {
    const outcome: FaultOutcome = { latencyMs: 0, terminal: undefined, answer: undefined, labels: [] }
    for (const active of this.#faults) {
      if (!this.#matches(active, request)) continue
      const { fault } = active
      if (fault.kind === "latency") {
        outcome.latencyMs += fault.ms
        outcome.labels.push(`latency:${fault.ms}`)
      } else if (isAnswerFault(fault)) {
        if (outcome.answer !== undefined) continue
        outcome.answer = fault
        outcome.labels.push(answerLabel(fault))
      } else if (outcome.terminal === undefined) {
        outcome.terminal = fault
        outcome.labels.push(fault.kind === "server_error" ? `server_error:${fault.status}` : fault.kind)
      } else {
        continue
      }
      if (active.remaining !== undefined) active.remaining--
    }
    // Spent counts, and pinned faults whose request has come and gone, are removed.
    this.#faults = this.#faults.filter(
      (active) => active.remaining !== 0 && (active.atSeq === undefined || active.atSeq > request.seq),
    )
    return outcome
  }

  #matches(active: ActiveFault, request: { seq: number; method: string; path: string }): boolean {
    if (active.atSeq !== undefined && active.atSeq !== request.seq) return false
    if (active.fault.method !== undefined && active.fault.method.toUpperCase() !== request.method) return false
    if (active.pathPattern !== undefined && !active.pathPattern.test(request.path)) return false
    return true
  }
}

function answerLabel(fault: AnswerFault): string {
  switch (fault.kind) {
    case "drip":
      return `drip:${fault.intervalMs}`
    case "malformed_result":
      return `malformed_result:${fault.result}`
    case "endless_pages":
      return `endless_pages:${fault.pages}`
    default:
      return fault.kind
  }
}

/** `*` matches one path segment, `**` any run of characters; a leading /client/v4 is ignored. */
export function globToRegExp(pattern: string): RegExp {
  const path = pattern.startsWith("/client/v4/") ? pattern.slice("/client/v4".length) : pattern
  let source = ""
  for (let i = 0; i < path.length; i++) {
    const char = path[i] as string
    if (char === "*" && path[i + 1] === "*") {
      source += ".*"
      i++
    } else if (char === "*") {
      source += "[^/]*"
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    }
  }
  return new RegExp(`^${source}$`)
}
