/**
 * AES-256-GCM over key bytes, in the `la1` format (aead-format.ts). Takes the bytes of one
 * version and nothing else, so it runs wherever the bytes are: in the app Worker for
 * `aead()`, or inside the Secret Product Worker for keys the app may only use.
 *
 * The AES key is not the stored bytes themselves but HKDF-SHA-256 of them (empty salt, info
 * `AEAD_KEY_INFO`), as jwt() derives its HS256 key: a secret that `hmac()` uses in another
 * Worker, against the one-purpose rule, still never shares a key with AES.
 */
import { encodeBase64Url } from "../envelope/encoding.js"
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, boundAssociatedData, formatCiphertext } from "./aead-format.js"
import type { AeadCiphertext } from "./aead-format.js"
import { SigningError } from "./errors.js"
import { cachedKey } from "./key-cache.js"

export const AEAD_KEY_INFO = "layeron/keys aead AES-256-GCM la1"

/** Which key encrypts: the secret and version ids are bound into the associated data. */
export interface AeadKeyContext {
  secretId: string
  versionId: string
}

/** Encrypts to an `la1` ciphertext. `nonce` is for test vectors only; by default a fresh random one. */
export async function encryptWithKey(
  keyBytes: Uint8Array,
  context: AeadKeyContext,
  plaintext: Uint8Array<ArrayBuffer>,
  associatedData: Uint8Array,
  nonce: Uint8Array<ArrayBuffer> = crypto.getRandomValues(new Uint8Array(AEAD_NONCE_BYTES)),
): Promise<string> {
  if (nonce.byteLength !== AEAD_NONCE_BYTES) throw new TypeError(`aead: a nonce is ${AEAD_NONCE_BYTES} bytes`)
  const key = await aesKey(keyBytes, context)
  const additionalData = boundAssociatedData(context.secretId, context.versionId, associatedData)
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData, tagLength: AEAD_TAG_BYTES * 8 }, key, plaintext))
  return formatCiphertext({ versionId: context.versionId, nonce, sealed })
}

/**
 * Decrypts a parsed ciphertext with the bytes of the version it names. Any authentication
 * failure is `decryption_failed`, and GCM returns nothing until the tag has checked, so no
 * partial plaintext exists to leak.
 */
export async function decryptWithKey(keyBytes: Uint8Array, secretId: string, ciphertext: AeadCiphertext, associatedData: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const context = { secretId, versionId: ciphertext.versionId }
  const key = await aesKey(keyBytes, context)
  const additionalData = boundAssociatedData(secretId, ciphertext.versionId, associatedData)
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: ciphertext.nonce, additionalData, tagLength: AEAD_TAG_BYTES * 8 }, key, ciphertext.sealed))
  } catch {
    throw new SigningError(
      "decryption_failed",
      secretId,
      `the ciphertext does not decrypt with version "${ciphertext.versionId}" of ${secretId}: it was altered, belongs to another secret, or other associated data was given`,
      ciphertext.versionId,
    )
  }
}

/** The version's AES key, memoized by its bytes (a rotation brings other bytes, so another key). */
async function aesKey(keyBytes: Uint8Array, { secretId, versionId }: AeadKeyContext): Promise<CryptoKey> {
  if (!(keyBytes instanceof Uint8Array) || keyBytes.byteLength !== AEAD_KEY_BYTES) {
    const length = keyBytes instanceof Uint8Array ? keyBytes.byteLength : 0
    throw new SigningError("invalid_key", secretId, `version "${versionId}" of ${secretId} is ${length} bytes; an aead() key is ${AEAD_KEY_BYTES}`, versionId)
  }
  return cachedKey(`aead\u0000${AEAD_KEY_INFO}\u0000${encodeBase64Url(keyBytes)}`, async () => {
    const base = await crypto.subtle.importKey("raw", new Uint8Array(keyBytes), "HKDF", false, ["deriveKey"])
    const info = new TextEncoder().encode(AEAD_KEY_INFO)
    return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info }, base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
  })
}
