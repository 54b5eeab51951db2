import { decodeBase64Url, encodeBase64Url } from "./encoding.js"
import type { SealedParts } from "./types.js"

/**
 * The text layout of a `sealed` version (docs/design.md#rotation): `ls1.<ephemeral public key>.<iv>.<ciphertext>`,
 * each part base64url without padding. The envelope owns this grammar so it can validate a
 * `sealed` entry without crypto; seal/ produces and opens it.
 */
export const SEALED_TEXT_PREFIX = "ls1"
const EPHEMERAL_KEY_BYTES = 65
const IV_BYTES = 12
const TAG_BYTES = 16

/** The parts of a sealed text, or undefined when it is not in the ls1 format. */
export function parseSealedText(text: string): SealedParts | undefined {
  if (typeof text !== "string") return undefined
  const parts = text.split(".")
  if (parts.length !== 4 || parts[0] !== SEALED_TEXT_PREFIX) return undefined
  try {
    const ephemeralPublicKey = decodeBase64Url(parts[1]!)
    const iv = decodeBase64Url(parts[2]!)
    const ciphertext = decodeBase64Url(parts[3]!)
    // 0x04: an uncompressed point, the only form WebCrypto's "raw" P-256 export produces.
    if (ephemeralPublicKey.length !== EPHEMERAL_KEY_BYTES || ephemeralPublicKey[0] !== 0x04) return undefined
    if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) return undefined
    return { ephemeralPublicKey, iv, ciphertext }
  } catch {
    return undefined
  }
}

export function formatSealedText(parts: SealedParts): string {
  return [
    SEALED_TEXT_PREFIX,
    encodeBase64Url(parts.ephemeralPublicKey),
    encodeBase64Url(parts.iv),
    encodeBase64Url(parts.ciphertext),
  ].join(".")
}

/** Whether `text` has the ls1 sealed format (shape only: opening it needs the private key). */
export function isSealedFormat(text: string): boolean {
  return parseSealedText(text) !== undefined
}
