import { Limits } from "../limits.js"
import type { ValueFormat } from "./types.js"
import { EncodingError } from "./errors.js"

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
/** char code -> 6-bit value, or -1 for characters outside the base64url alphabet. */
const SEXTET = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i

/** RFC 4648 §5 base64url, without padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = ""
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]!
  }
  return out
}

/**
 * Strict base64url decoding: only `A-Z a-z 0-9 - _`, no padding, no whitespace, and the
 * unused low bits of the last character must be zero, so every byte string has exactly one
 * accepted text. Errors give the position of the problem, never the text itself (it is
 * usually a secret).
 */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (typeof text !== "string") throw new EncodingError(`base64url text must be a string (got ${typeof text})`)
  const out = new Uint8Array(Math.floor((text.length * 3) / 4))
  let buffer = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const sextet = code < 128 ? SEXTET[code]! : -1
    if (sextet < 0) {
      throw new EncodingError(
        `character ${i + 1} is not base64url (allowed: A-Z a-z 0-9 - _, without padding or whitespace)`,
      )
    }
    buffer = (buffer << 6) | sextet
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (buffer >>> bits) & 0xff
    }
  }
  if (text.length % 4 === 1) {
    throw new EncodingError(`a base64url text cannot have ${text.length} characters; it looks truncated`)
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new EncodingError("the last base64url character has non-zero unused bits (not canonical base64url)")
  }
  return out
}

/**
 * A fresh random secret value: `bytes` random bytes from `crypto.getRandomValues`, as
 * base64url without padding (the stored format of random and generated secrets, docs/design.md#values).
 * `bytes` follows the declaration rule: an integer from 16 to 1024.
 */
export function randomValue(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < Limits.minBytes || bytes > Limits.maxBytes) {
    throw new RangeError(
      `randomValue: bytes must be an integer from ${Limits.minBytes} to ${Limits.maxBytes} (got ${String(bytes)}).`,
    )
  }
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(bytes)))
}

/**
 * The bytes a stored value stands for (what `.bytes()` returns): `text` values are their
 * UTF-8, `base64url` values are decoded strictly.
 */
export function decodeValue(text: string, format: ValueFormat): Uint8Array<ArrayBuffer> {
  switch (format) {
    case "text":
      return new TextEncoder().encode(text)
    case "base64url":
      return decodeBase64Url(text)
    default:
      throw new EncodingError(`the value format must be "text" or "base64url" (got ${JSON.stringify(String(format))})`)
  }
}
