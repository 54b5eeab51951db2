/**
 * `hmac(module)`: HMAC-SHA-256 signatures over a random, generated (bytes) or static secret,
 * with the version id as `kid`. Signing uses `current()`; verifying tries the version the
 * caller names, or else every version of `active()`, so signatures made before a rotation keep
 * verifying while their key is retained.
 */
import { decodeBase64Url, encodeBase64Url } from "../envelope/encoding.js"
import { VERSION_ID_PATTERN } from "../limits.js"
import type { SecretDeclaration } from "../declare/types.js"
import type { ValueReaders } from "../runtime/types.js"
import { HMAC_KEY } from "./algorithms.js"
import { SigningError } from "./errors.js"
import { cachedKey } from "./key-cache.js"
import { claimPurpose } from "./purpose.js"
import { readNamedVersion } from "./source.js"
import type { SigningSecret } from "./source.js"

export type SignedData = string | Uint8Array

export interface HmacSignature {
  /** base64url, no padding. */
  signature: string
  /** The version that signed. */
  kid: string
}

export type HmacVerification = { valid: true; kid: string } | { valid: false }

export interface HmacSigner {
  sign(data: SignedData): Promise<HmacSignature>
  verify(data: SignedData, signature: string, kid?: string): Promise<HmacVerification>
}

const encoder = new TextEncoder()

export function hmac(secret: SigningSecret): HmacSigner {
  const { declaration } = secret
  if (declaration.generate !== undefined) {
    throw new SigningError(
      "wrong_key_type",
      declaration.id,
      `hmac() needs a byte secret, but ${declaration.id} holds ${declaration.generate} key pairs; use jwt(${declaration.name}) to sign with it, or declare a secret.random() for HMAC`,
    )
  }
  claimPurpose(declaration, "hmac")
  return {
    async sign(data) {
      const key = await secret.current().resolve()
      const mac = await crypto.subtle.sign("HMAC", await hmacKey(declaration, key), bytesOf(data))
      return { signature: encodeBase64Url(new Uint8Array(mac)), kid: key.version }
    },
    async verify(data, signature, kid) {
      const mac = decodeSignature(signature)
      if (!mac) return { valid: false }
      const message = bytesOf(data)
      let candidates: readonly ({ version: string } & ValueReaders)[]
      if (kid !== undefined) {
        if (typeof kid !== "string" || !VERSION_ID_PATTERN.test(kid)) return { valid: false }
        const named = await readNamedVersion(secret, kid)
        candidates = named ? [named] : []
      } else {
        candidates = await secret.active()
      }
      // crypto.subtle.verify compares in constant time; each candidate is one comparison.
      for (const candidate of candidates) {
        if (await crypto.subtle.verify("HMAC", await hmacKey(declaration, candidate), mac, message)) return { valid: true, kid: candidate.version }
      }
      return { valid: false }
    },
  }
}

/** What the HMAC key of a version depends on besides its text. */
export type HmacKeySource = Pick<SecretDeclaration, "id" | "format">

/**
 * Imports the version's bytes as an HMAC key, memoized by its text *and* the format that
 * turns the text into bytes: the same text as `text` (its UTF-8) and as `base64url` (its
 * decoding) are different keys. `derivedFor` names a purpose whose key is derived from the
 * bytes (HKDF-SHA-256, see jwt.ts) instead of the bytes themselves.
 */
export async function hmacKey(source: HmacKeySource, version: { version: string } & ValueReaders, derivedFor?: string): Promise<CryptoKey> {
  const text = await version.text()
  return cachedKey(`hmac\u0000${derivedFor ?? ""}\u0000${source.format}\u0000${text}`, async () => {
    const bytes = await version.bytes()
    if (bytes.byteLength === 0) throw new SigningError("invalid_key", source.id, `version "${version.version}" of ${source.id} is empty; an HMAC key needs bytes`, version.version)
    if (derivedFor === undefined) return crypto.subtle.importKey("raw", new Uint8Array(bytes), HMAC_KEY, false, ["sign", "verify"])
    const base = await crypto.subtle.importKey("raw", new Uint8Array(bytes), "HKDF", false, ["deriveKey"])
    const info = encoder.encode(derivedFor)
    return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info }, base, { ...HMAC_KEY, length: 256 }, false, ["sign", "verify"])
  })
}

function bytesOf(data: SignedData): Uint8Array<ArrayBuffer> {
  if (typeof data === "string") return encoder.encode(data)
  if (data instanceof Uint8Array) return new Uint8Array(data)
  throw new TypeError("hmac(): data must be a string or a Uint8Array")
}

/** A base64url HMAC-SHA-256 signature (32 bytes), or undefined. */
function decodeSignature(signature: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (typeof signature !== "string" || signature.length !== 43) return undefined
  try {
    return decodeBase64Url(signature)
  } catch {
    return undefined
  }
}
