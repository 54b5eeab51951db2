/**
 * The log of API requests, for tests that count calls. Sequence numbers keep counting across
 * resets, because `requestNumber` faults count from them.
 */
import type { RequestLogEntry } from "./types.js"

export class RequestLog {
  #entries: RequestLogEntry[] = []
  #lastSeq = 0

  get lastSeq(): number {
    return this.#lastSeq
  }

  /** Records a request as it arrives; the caller fills in `status` when it answers. */
  open(entry: Omit<RequestLogEntry, "seq" | "status" | "faults">): RequestLogEntry {
    const opened: RequestLogEntry = { seq: ++this.#lastSeq, ...entry, status: null, faults: [] }
    this.#entries.push(opened)
    return opened
  }

  snapshot(): RequestLogEntry[] {
    return this.#entries.map((entry) => ({ ...entry, faults: [...entry.faults] }))
  }

  reset(): void {
    this.#entries = []
  }
}
