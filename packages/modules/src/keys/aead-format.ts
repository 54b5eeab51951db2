/**
 * The text of an `aead()` ciphertext, format `la1` (docs/signing-keys.md, "Ciphertext format"):
 *
 *     la1.<versionId>.<nonce>.<sealed>
 *
 * - `la1`: the format; another format gets another prefix, and this one is never changed.
 * - `versionId`: the secret version whose key encrypted, as the envelope names it
 *   (`^[A-Za-z0-9._-]{1,64}$`). It may hold dots; the last two parts never do (base64url), so
 *   they are split off from the end.
 * - `nonce`: base64url (no padding) of the 12-byte AES-GCM nonce: 16 characters.
 * - `sealed`: base64url of the AES-256-GCM ciphertext followed by its 16-byte tag.
 *
 * The GCM associated data binds the format, the secret id and the version id to the
 * caller's own associated data (`boundAssociatedData`), so a ciphertext moved to another
 * secret, or with its version id rewritten, fails authentication. Text and bytes only: no
 * key, no crypto, so the Secret Product Worker and the app parse it the same way.
 */
import { decodeBase64Url, encodeBase64Url } from "../envelope/encoding.js"
import { VERSION_ID_PATTERN } from "../limits.js"
import { SigningError } from "./errors.js"

export const AEAD_FORMAT = "la1"
export const AEAD_NONCE_BYTES = 12
export const AEAD_TAG_BYTES = 16
/** AES-256: the secret's versions must be exactly this many bytes. */
export const AEAD_KEY_BYTES = 32

export interface AeadCiphertext {
  versionId: string
  nonce: Uint8Array<ArrayBuffer>
  /** The GCM ciphertext with its tag appended. */
  sealed: Uint8Array<ArrayBuffer>
}

const NONCE_CHARS = Math.ceil((AEAD_NONCE_BYTES * 4) / 3)
const encoder = new TextEncoder()

export function formatCiphertext(ciphertext: AeadCiphertext): string {
  return `${AEAD_FORMAT}.${ciphertext.versionId}.${encodeBase64Url(ciphertext.nonce)}.${encodeBase64Url(ciphertext.sealed)}`
}

/** Reads a ciphertext of `secretId`'s `aead()`, or throws `invalid_ciphertext` without quoting any of it. */
export function parseCiphertext(secretId: string, text: unknown): AeadCiphertext {
  const refuse = (why: string) => new SigningError("invalid_ciphertext", secretId, `not an aead() ciphertext of ${secretId}: ${why}`)
  if (typeof text !== "string") throw refuse(`expected a string, got ${text === null ? "null" : typeof text}`)
  const parts = text.split(".")
  if (parts[0] !== AEAD_FORMAT) throw refuse(`it does not start with "${AEAD_FORMAT}."`)
  if (parts.length < 4) throw refuse(`it has ${parts.length} of the 4 dot-separated parts "${AEAD_FORMAT}.<version>.<nonce>.<ciphertext>" (truncated?)`)
  const versionId = parts.slice(1, -2).join(".")
  if (!VERSION_ID_PATTERN.test(versionId)) throw refuse("its version part is not a version id")
  const [nonceText, sealedText] = parts.slice(-2) as [string, string]
  if (nonceText.length !== NONCE_CHARS) throw refuse(`its nonce is not ${AEAD_NONCE_BYTES} bytes`)
  const nonce = decodePart(nonceText, () => refuse("its nonce is not base64url"))
  const sealed = decodePart(sealedText, () => refuse("its ciphertext is not base64url (truncated?)"))
  if (sealed.byteLength < AEAD_TAG_BYTES) throw refuse(`its ciphertext is shorter than the ${AEAD_TAG_BYTES}-byte tag (truncated?)`)
  return { versionId, nonce, sealed }
}

/**
 * The GCM associated data: `la1` NUL secretId NUL versionId NUL, then the caller's associated
 * data (none is the same as empty). Secret ids and version ids cannot contain NUL, so each
 * input has exactly one encoding.
 */
export function boundAssociatedData(secretId: string, versionId: string, associatedData: Uint8Array): Uint8Array<ArrayBuffer> {
  if (secretId.includes("\u0000") || !VERSION_ID_PATTERN.test(versionId)) throw new TypeError("aead: a secret id or version id that cannot be bound")
  const head = encoder.encode(`${AEAD_FORMAT}\u0000${secretId}\u0000${versionId}\u0000`)
  const out = new Uint8Array(head.byteLength + associatedData.byteLength)
  out.set(head)
  out.set(associatedData, head.byteLength)
  return out
}

function decodePart(text: string, refused: () => SigningError): Uint8Array<ArrayBuffer> {
  try {
    return decodeBase64Url(text)
  } catch {
    throw refused()
  }
}
