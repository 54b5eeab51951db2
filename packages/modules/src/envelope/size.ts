import { Limits, utf8ByteLength } from "../limits.js"
import { serializeEnvelope } from "./parse.js"
import type { Envelope, SizeCheck } from "./types.js"

/** The exact number of UTF-8 bytes `serializeEnvelope(envelope)` takes: what Cloudflare counts. */
export function serializedByteLength(envelope: Envelope): number {
  return utf8ByteLength(serializeEnvelope(envelope))
}

/**
 * Compares a stored value's size with Cloudflare's 65,536-byte limit: `warn` above 80 %,
 * `too_large` above the limit (docs/design.md#values).
 */
export function checkSize(bytes: number): SizeCheck {
  if (!Number.isInteger(bytes) || bytes < 0) {
    throw new RangeError(`checkSize: bytes must be a non-negative integer (got ${String(bytes)}).`)
  }
  const limit = Limits.maxValueBytes
  const ratio = bytes / limit
  const status = bytes > limit ? "too_large" : ratio > Limits.warnRatio ? "warn" : "ok"
  return { bytes, limit, ratio, status }
}
