import { randomBytes } from "node:crypto"

/** Cloudflare account, store, secret and token ids: 32 lowercase hex digits. */
export const HEX_ID_PATTERN = /^[0-9a-f]{32}$/

export function randomHexId(): string {
  return randomBytes(16).toString("hex")
}

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

/** 40 URL-safe characters, the shape of a Cloudflare API token. */
export function randomTokenBody(): string {
  const bytes = randomBytes(40)
  let out = ""
  for (const byte of bytes) out += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length]
  return out
}
