/**
 * The smallest keys accepted: RSA moduli of 2048 bits, as jose and NIST SP 800-131A require.
 * Checked where a key is read (every sign, verify and JWKS) and where `layer secret set`
 * writes a key-pair version, so a short key written by hand never signs.
 */
import type { SecretDeclaration } from "../declare/types.js"
import { decodeBase64Url } from "../envelope/encoding.js"
import { parseJsonObject } from "./json.js"

export const MIN_RSA_BITS = 2048

/** The bit length of a JWK's base64url modulus `n`, or undefined when it is not base64url. */
export function rsaModulusBits(n: unknown): number | undefined {
  if (typeof n !== "string") return undefined
  let bytes: Uint8Array
  try {
    bytes = decodeBase64Url(n)
  } catch {
    return undefined
  }
  let first = 0
  while (first < bytes.length && bytes[first] === 0) first++
  if (first === bytes.length) return 0
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!))
}

/**
 * For a writer: why `text` must not be stored as a version of `declaration`, or undefined.
 * Only says something about RS256 key pairs whose text is an RSA JWK with a short modulus;
 * the message names the length and the minimum, never the key.
 */
export function weakKeyProblem(declaration: Pick<SecretDeclaration, "generate">, text: string): string | undefined {
  if (declaration.generate !== "RS256") return undefined
  const jwk = parseJsonObject(text)
  if (!jwk || jwk.kty !== "RSA") return undefined
  const bits = rsaModulusBits(jwk.n)
  if (bits === undefined || bits >= MIN_RSA_BITS) return undefined
  return `an RSA key of ${bits} bits; RS256 keys must have at least ${MIN_RSA_BITS} bits`
}
