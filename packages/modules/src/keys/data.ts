/** Caller data as bytes: a string is its UTF-8, a Uint8Array is copied (so WebCrypto gets an ArrayBuffer-backed view). */
const encoder = new TextEncoder()

export type KeyData = string | Uint8Array

/** `what` names the argument in the TypeError, e.g. `"hmac(): data"`. */
export function bytesOf(data: unknown, what: string): Uint8Array<ArrayBuffer> {
  if (typeof data === "string") return encoder.encode(data)
  if (data instanceof Uint8Array) return new Uint8Array(data)
  throw new TypeError(`${what} must be a string or a Uint8Array`)
}
