/**
 * Typed failures of the signing helpers. Messages are built from secret ids, version ids and
 * algorithm names only: no constructor takes a key, a signature or a token, so no message,
 * `toJSON()` or stack can show one. A `kid` read from a token is attacker input: it appears
 * in a message only when it is a well-formed version id.
 */
import { VERSION_ID_PATTERN } from "../limits.js"
import { boundedText, MAX_QUOTED_INPUT, MAX_WIRE_MESSAGE } from "../runtime/errors.js"
import type { WireKeyError } from "../worker/protocol.js"

export type SigningErrorCode =
  /**
   * Not a compact JWS, a header or payload that is not a JSON object (or not UTF-8), no `kid`,
   * `alg: none`, no `exp`, a `crit` that is empty or names an extension not supported, `b64` other than true.
   */
  | "invalid_token"
  /** `exp`, `nbf` or `iat` is not a finite number, or `iat` is in the future when `maxTokenAge` is set. */
  | "invalid_claim"
  /** A claim that `requiredClaims` (or `subject`, `maxTokenAge`) requires is absent. */
  | "missing_claim"
  /** The header's `typ` is not the one `typ` asks for. */
  | "invalid_type"
  /** `sub` is not the `subject` asked for. */
  | "invalid_subject"
  /** The token's `kid` is not a readable version of the secret (unknown, expired, or malformed). */
  | "unknown_kid"
  /** The token's `alg` is not the algorithm of the secret's keys. */
  | "alg_mismatch"
  /** The signature does not verify with the key the `kid` names (a tampered header or payload). */
  | "invalid_signature"
  /** `exp` is at or before now, or `iat` is older than `maxTokenAge`. */
  | "token_expired"
  /** `nbf` is in the future. */
  | "token_not_yet_valid"
  | "invalid_issuer"
  | "invalid_audience"
  /** The helper does not fit the secret: HMAC on a key pair, a key pair's JWKS on a byte or static secret. */
  | "wrong_key_type"
  /** A stored version is not a key of the declared algorithm (for example a JWK written by hand). */
  | "invalid_key"
  /** A stored RSA key is shorter than 2048 bits. */
  | "weak_key"
  /** One secret given to both `hmac()` and `jwt()`: each key serves one purpose. */
  | "key_reuse"
  /** `jwt()` on a static secret without `{ algorithm: "HS256" }`, or an algorithm the secret cannot sign with. */
  | "algorithm_required"

/** Every code, so that one coming back from the Secret Product Worker can be checked. */
const CODES: Record<SigningErrorCode, true> = {
  invalid_token: true,
  invalid_claim: true,
  missing_claim: true,
  invalid_type: true,
  invalid_subject: true,
  unknown_kid: true,
  alg_mismatch: true,
  invalid_signature: true,
  token_expired: true,
  token_not_yet_valid: true,
  invalid_issuer: true,
  invalid_audience: true,
  wrong_key_type: true,
  invalid_key: true,
  weak_key: true,
  key_reuse: true,
  algorithm_required: true,
}

const SIGNING_ERROR_BRAND = Symbol.for("layeron.signing.error")

export class SigningError extends Error {
  override name = "SigningError"
  readonly code: SigningErrorCode
  readonly secretId: string
  readonly versionId: string | undefined

  constructor(code: SigningErrorCode, secretId: string, message: string, versionId?: string) {
    super(message)
    this.code = code
    this.secretId = secretId
    this.versionId = versionId
    Object.defineProperty(this, SIGNING_ERROR_BRAND, { value: true })
  }

  toJSON(): { code: SigningErrorCode; secretId: string; versionId?: string; message: string } {
    return { code: this.code, secretId: this.secretId, ...(this.versionId !== undefined ? { versionId: this.versionId } : {}), message: this.message }
  }
}

/**
 * Rebuilds the `SigningError` a `use` key's operation failed with inside the Secret Product
 * Worker. What crossed the binding is bounded and escaped like any answer from it; a code this
 * copy does not know (a newer product) surfaces as `invalid_key`.
 */
export function signingErrorFromWire(wire: WireKeyError): SigningError {
  const code = typeof wire.code === "string" && Object.hasOwn(CODES, wire.code) ? (wire.code as SigningErrorCode) : "invalid_key"
  const versionId = typeof wire.versionId === "string" ? boundedText(wire.versionId, MAX_QUOTED_INPUT) : undefined
  return new SigningError(code, boundedText(wire.secretId, MAX_QUOTED_INPUT * 2), boundedText(wire.message, MAX_WIRE_MESSAGE), versionId)
}

/** True for a `SigningError` from any copy of this package. */
export function isSigningError(value: unknown): value is SigningError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SIGNING_ERROR_BRAND] === true
}

/** A token's kid, quoted when it is a version id; otherwise only said to be malformed. */
export function describeKid(kid: unknown): string {
  return typeof kid === "string" && VERSION_ID_PATTERN.test(kid) ? `"${kid}"` : "(not a version id)"
}
