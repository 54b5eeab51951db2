/** Reading request bodies and writing responses on plain node:http. */
import type { IncomingMessage, ServerResponse } from "node:http"
import { CfErrors } from "./cf-errors.js"

/** Uploads of a few Workers fit easily; anything beyond this is refused rather than buffered. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    total += buffer.byteLength
    if (total > MAX_BODY_BYTES) throw CfErrors.bodyTooLarge(MAX_BODY_BYTES)
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  })
  res.end(text)
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, "content-type": contentType, "content-length": String(Buffer.byteLength(text)) })
  res.end(text)
}
