import { SealError } from "./errors.js"
import type { SealingKeyPair } from "./types.js"

const ECDH_P256 = { name: "ECDH", namedCurve: "P-256" } as const

/** A fresh sealing key pair, exported as JWKs (docs/design.md#rotation: created once per environment). */
export async function generateSealingKeyPair(): Promise<SealingKeyPair> {
  const pair = (await crypto.subtle.generateKey(ECDH_P256, true, ["deriveBits"])) as CryptoKeyPair
  const [publicKey, privateKey] = await Promise.all([
    crypto.subtle.exportKey("jwk", pair.publicKey),
    crypto.subtle.exportKey("jwk", pair.privateKey),
  ])
  return { publicKey, privateKey }
}

/**
 * Checks a JWK's shape and keeps only the fields that define the key. Dropping `key_ops`,
 * `use` and `ext` matters: WebCrypto refuses a JWK whose `key_ops` disagree with the usages
 * asked for, and exports put `key_ops: []` on public keys but `["deriveBits"]` on private ones.
 */
function cleanJwk(jwk: unknown, role: "public" | "private"): JsonWebKey {
  const what = role === "public" ? "sealing public key" : "sealing private key"
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    throw new SealError("invalid_key", `The ${what} must be a JWK object (ECDH P-256).`)
  }
  const k = jwk as Record<string, unknown>
  if (k.kty !== "EC") throw new SealError("invalid_key", `The ${what} must be a JWK with kty "EC" (an ECDH P-256 key).`)
  if (k.crv !== "P-256") throw new SealError("invalid_key", `The ${what} must be a JWK with crv "P-256".`)
  if (typeof k.x !== "string" || typeof k.y !== "string") {
    throw new SealError("invalid_key", `The ${what} must have the coordinates "x" and "y" as base64url strings.`)
  }
  const clean: JsonWebKey = { kty: "EC", crv: "P-256", x: k.x, y: k.y, ext: true }
  if (role === "private") {
    if (typeof k.d !== "string") {
      throw new SealError("invalid_key", `The ${what} has no private part "d": this looks like the public key. Use the private key stored as layeron/sealing-key.`)
    }
    clean.d = k.d
  }
  return clean
}

/** The recipient key for sealing. A private JWK is accepted too: its public half is used. */
export async function importSealingPublicKey(jwk: unknown): Promise<CryptoKey> {
  const clean = cleanJwk(jwk, "public")
  try {
    return await crypto.subtle.importKey("jwk", clean, ECDH_P256, true, [])
  } catch {
    throw new SealError("invalid_key", "The sealing public key is not a valid P-256 point; the JWK is damaged.")
  }
}

export async function importSealingPrivateKey(jwk: unknown): Promise<CryptoKey> {
  const clean = cleanJwk(jwk, "private")
  try {
    return await crypto.subtle.importKey("jwk", clean, ECDH_P256, false, ["deriveBits"])
  } catch {
    throw new SealError("invalid_key", "The sealing private key is not a valid P-256 key; the JWK is damaged.")
  }
}

/**
 * A short, stable identifier of a sealing key for display (`3f2a9c1d8e7b6a50`): the first
 * 16 hex digits of SHA-256 over the uncompressed public point. A private JWK gives the same
 * fingerprint as its public half, so the CLI can show that the two belong together.
 */
export async function publicKeyFingerprint(jwk: JsonWebKey): Promise<string> {
  const key = await importSealingPublicKey(jwk)
  const raw = await crypto.subtle.exportKey("raw", key)
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw))
  let hex = ""
  for (const byte of digest.subarray(0, 8)) hex += byte.toString(16).padStart(2, "0")
  return hex
}

/** The uncompressed public point, for the sealed text. */
export async function rawPublicKey(key: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.exportKey("raw", key))
}
