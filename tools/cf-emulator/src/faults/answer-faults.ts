/**
 * Answer faults: the request was carried out; its answer is spoiled on the way back, in the
 * ways issue #25 met on bad networks and broken proxies. Each one is a way a client could hang
 * or misread, and the client must end in bounded time or refuse the answer.
 */
import type { ServerResponse } from "node:http"
import { randomHexId } from "../ids.js"
import type { Envelope } from "../http/envelope.js"
import type { AnswerFault } from "./fault-book.js"

/** Send `envelope` as `status`, spoiled as `fault` says. */
export function sendSpoiled(res: ServerResponse, status: number, envelope: Envelope, headers: Record<string, string>, fault: AnswerFault, legacyTotals: boolean): void {
  const body = Buffer.from(JSON.stringify(spoilEnvelope(envelope, fault, legacyTotals)), "utf8")
  const head = { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(body.byteLength) }
  switch (fault.kind) {
    case "drip": {
      res.writeHead(status, head)
      res.flushHeaders()
      let sent = 0
      const timer = setInterval(() => {
        if (res.destroyed || sent >= body.byteLength) {
          clearInterval(timer)
          if (!res.destroyed) res.end()
          return
        }
        res.write(body.subarray(sent, sent + 1))
        sent++
      }, fault.intervalMs)
      res.on("close", () => clearInterval(timer))
      return
    }
    case "stall_after_headers":
      // Headers promise a body that never comes; the connection stays open until the client (or close()) ends it.
      res.writeHead(status, head)
      res.flushHeaders()
      return
    case "close_mid_body":
      res.writeHead(status, head)
      res.write(body.subarray(0, Math.floor(body.byteLength / 2)), () => res.socket?.destroy())
      return
    default:
      res.writeHead(status, head)
      res.end(body)
  }
}

function spoilEnvelope(envelope: Envelope, fault: AnswerFault, legacyTotals: boolean): Record<string, unknown> {
  if (!envelope.success) return { ...envelope }
  if (fault.kind === "malformed_result") {
    if (fault.result === "null") return { ...envelope, result: null }
    const { result: _dropped, ...rest } = envelope
    return rest
  }
  if (fault.kind === "endless_pages" && envelope.result_info !== undefined && Array.isArray(envelope.result)) {
    const { page, per_page: perPage } = envelope.result_info
    const items = Array.from({ length: perPage }, (_, index) => inventedItem(fault.pages === "new" ? randomHexId() : repeatedId(index), fault.pages === "new" ? `endless_${page}_${index}` : `endless_${index}`))
    const totalCount = fault.totalCount ?? (page + 1) * perPage
    const resultInfo: Record<string, number> = { page, per_page: perPage, count: items.length, total_count: totalCount }
    if (legacyTotals) resultInfo.total_pages = Math.ceil(totalCount / perPage)
    return { ...envelope, result: items, result_info: resultInfo }
  }
  return { ...envelope }
}

/** The same ids on every page: a server that ignores `page`. */
function repeatedId(index: number): string {
  return `e0${index.toString(16).padStart(30, "0")}`
}

function inventedItem(id: string, name: string): Record<string, unknown> {
  const time = "2026-01-01T00:00:00.000000Z"
  return { id, store_id: "e".repeat(32), name, comment: "", scopes: ["workers"], status: "active", created: time, modified: time }
}
