/**
 * Key pairs as stored: a version's value is the private JWK (JSON text) with its `alg`. The
 * public JWK is derived from it by keeping the public members, so it is never stored on its
 * own and can never disagree with the private half.
 */
import type { SigningAlgorithm } from "../declare/types.js"
import { KEY_PAIR_ALGORITHMS } from "./algorithms.js"
import { SigningError } from "./errors.js"
import { parseJsonObject } from "./json.js"
import { MIN_RSA_BITS, rsaModulusBits } from "./key-strength.js"

export type Jwk = Record<string, string>

/** A fresh key pair of `alg`, made with WebCrypto; returns the private JWK as stored text. */
export async function generateSigningKey(alg: SigningAlgorithm): Promise<string> {
  const spec = KEY_PAIR_ALGORITHMS[alg]
  const pair = (await crypto.subtle.generateKey(spec.key, true, ["sign", "verify"])) as CryptoKeyPair
  const exported = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as Record<string, unknown>
  const jwk: Jwk = {}
  for (const member of spec.privateMembers) jwk[member] = String(exported[member])
  jwk.alg = alg
  return JSON.stringify(jwk)
}

/**
 * The stored text as a private JWK of `alg`, or undefined when it is not one (wrong JSON,
 * another key type or curve, a missing member). Never throws, so no parser message can quote
 * the text.
 */
export function parsePrivateJwk(text: string, alg: SigningAlgorithm): Jwk | undefined {
  const record = parseJsonObject(text)
  if (!record) return undefined
  const spec = KEY_PAIR_ALGORITHMS[alg]
  if (record.kty !== spec.kty || (spec.crv !== undefined && record.crv !== spec.crv)) return undefined
  if (record.alg !== undefined && record.alg !== alg) return undefined
  const jwk: Jwk = {}
  for (const member of spec.privateMembers) {
    const value = record[member]
    if (typeof value !== "string" || value === "") return undefined
    jwk[member] = value
  }
  return jwk
}

/** The public half, as a JWKS entry: public members plus `kid`, `alg` and `use: "sig"`. */
export function publicJwk(privateJwk: Jwk, alg: SigningAlgorithm, kid: string): Jwk {
  const jwk: Jwk = {}
  for (const member of KEY_PAIR_ALGORITHMS[alg].publicMembers) jwk[member] = privateJwk[member]!
  return { ...jwk, kid, alg, use: "sig" }
}

/** The private JWK as WebCrypto imports it (the stored `alg` is informational there). */
export function importableJwk(jwk: Jwk): JsonWebKey {
  const { alg: _alg, kid: _kid, use: _use, ...members } = jwk
  return members
}

/**
 * The version's private JWK, or `invalid_key` naming the version (never the text); an RSA
 * key under 2048 bits is `weak_key`, so it neither signs, verifies nor is published.
 */
export function privateJwkOf(secretId: string, alg: SigningAlgorithm, versionId: string, text: string): Jwk {
  const jwk = parsePrivateJwk(text, alg)
  if (!jwk) {
    throw new SigningError("invalid_key", secretId, `version "${versionId}" of ${secretId} is not a ${alg} private JWK; rotate it (\`layer secret rotate --apply\`) so that Layeron generates the key`, versionId)
  }
  if (KEY_PAIR_ALGORITHMS[alg].kty === "RSA") {
    const bits = rsaModulusBits(jwk.n) ?? 0
    if (bits < MIN_RSA_BITS) {
      throw new SigningError("weak_key", secretId, `version "${versionId}" of ${secretId} is an RSA key of ${bits} bits; ${alg} needs at least ${MIN_RSA_BITS}. Rotate it (\`layer secret rotate --apply\`) so that Layeron generates a 2048-bit key`, versionId)
    }
  }
  return jwk
}
