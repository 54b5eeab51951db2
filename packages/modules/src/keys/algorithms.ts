/**
 * The algorithms a key can sign with, as WebCrypto parameters and JWK shapes. WebCrypto only,
 * so the same code runs in workerd and in Node (20+).
 */
import type { SigningAlgorithm } from "../declare/types.js"

/** Every JWS `alg` the helpers produce: HS256 on byte secrets, the rest on generated key pairs. */
export type JwsAlgorithm = "HS256" | SigningAlgorithm

interface AlgorithmSpec {
  /** For generateKey. */
  key: RsaHashedKeyGenParams | EcKeyGenParams | { name: string }
  /** For importKey. */
  import: RsaHashedImportParams | EcKeyImportParams | { name: string }
  /** For sign and verify. */
  sign: AlgorithmIdentifier | EcdsaParams
  /** The JWK members of the private key, in the order they are stored. */
  privateMembers: readonly string[]
  /** The JWK members of its public half. */
  publicMembers: readonly string[]
  kty: string
  crv?: string
}

export const KEY_PAIR_ALGORITHMS: Record<SigningAlgorithm, AlgorithmSpec> = {
  ES256: {
    key: { name: "ECDSA", namedCurve: "P-256" },
    import: { name: "ECDSA", namedCurve: "P-256" },
    sign: { name: "ECDSA", hash: "SHA-256" },
    kty: "EC",
    crv: "P-256",
    privateMembers: ["kty", "crv", "x", "y", "d"],
    publicMembers: ["kty", "crv", "x", "y"],
  },
  EdDSA: {
    key: { name: "Ed25519" },
    import: { name: "Ed25519" },
    sign: { name: "Ed25519" },
    kty: "OKP",
    crv: "Ed25519",
    privateMembers: ["kty", "crv", "x", "d"],
    publicMembers: ["kty", "crv", "x"],
  },
  RS256: {
    key: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    sign: { name: "RSASSA-PKCS1-v1_5" },
    kty: "RSA",
    privateMembers: ["kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"],
    publicMembers: ["kty", "n", "e"],
  },
}

export const HMAC_KEY: HmacImportParams = { name: "HMAC", hash: "SHA-256" }

export function isKeyPairAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === "string" && Object.hasOwn(KEY_PAIR_ALGORITHMS, value)
}
