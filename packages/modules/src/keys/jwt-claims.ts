/**
 * What `jwt().verify()` checks besides the signature, as jose's `jwtVerify` does: the header's
 * `crit` and `b64`, then the claims (`exp`, `nbf`, `iat`, `typ`, `iss`, `sub`, `aud`, required
 * claims, `maxTokenAge`). Pure functions of the token's parts and the options; messages name
 * claims and times, never a claim's value.
 */
import { quoteInput } from "../runtime/errors.js"
import { durationSeconds } from "./duration.js"
import type { Duration } from "./duration.js"
import type { SigningErrorCode } from "./errors.js"

/** What `verify()` checks beyond the signature; given to `jwt()` or to one `verify()` call. */
export interface JwtVerifyOptions {
  /** `aud` must be, or contain, one of these. */
  audience?: string | readonly string[]
  /** `sub` must be exactly this. */
  subject?: string
  /** The header's `typ` must be this (compared as jose does: case-insensitive, `application/` implied). */
  typ?: string
  /** `iat` is required and at most this old: seconds, or "15m", "1h", "7d". */
  maxTokenAge?: Duration
  /** Claims that must be present (any value). */
  requiredClaims?: readonly string[]
}

/** The `crit` names understood here (RFC 7515 §4.1.11): only `b64`, and only as `true`. */
const UNDERSTOOD_CRITICAL = new Set(["b64"])

export interface VerifyChecks {
  audience?: readonly string[]
  subject?: string
  typ?: string
  maxTokenAge?: number
  requiredClaims?: readonly string[]
}

/** The verify options, checked once (a TypeError names a bad one). */
export function readVerifyOptions(options: JwtVerifyOptions, call: string): VerifyChecks {
  const checks: VerifyChecks = {}
  const { audience, subject, typ, maxTokenAge, requiredClaims } = options
  if (audience !== undefined) {
    const list = typeof audience === "string" ? [audience] : audience
    if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === "string" && a !== "")) throw new TypeError(`${call}: audience must be a non-empty string or a non-empty list of them`)
    checks.audience = Object.freeze([...list])
  }
  if (subject !== undefined) {
    if (typeof subject !== "string" || subject === "") throw new TypeError(`${call}: subject must be a non-empty string`)
    checks.subject = subject
  }
  if (typ !== undefined) {
    if (typeof typ !== "string" || typ === "") throw new TypeError(`${call}: typ must be a non-empty string such as "JWT" or "at+jwt"`)
    checks.typ = typ
  }
  if (maxTokenAge !== undefined) checks.maxTokenAge = durationSeconds(maxTokenAge, `${call}: maxTokenAge`)
  if (requiredClaims !== undefined) {
    if (!Array.isArray(requiredClaims) || !requiredClaims.every((c) => typeof c === "string" && c !== "")) throw new TypeError(`${call}: requiredClaims must be a list of claim names`)
    checks.requiredClaims = Object.freeze([...requiredClaims])
  }
  return checks
}

export type Fail = (code: SigningErrorCode, message: string) => never

/**
 * RFC 7515 §4.1.11: `crit` lists extensions the recipient must understand, or refuse. Only
 * `b64` is understood, and only with the default `true`: an unencoded payload (RFC 7797,
 * `b64: false`) is refused wherever it appears, in `crit` or not.
 */
export function checkCritical(header: Record<string, unknown>, fail: Fail): void {
  if (header.b64 !== undefined && header.b64 !== true) fail("invalid_token", `the token's header has b64 other than true; unencoded payloads (RFC 7797) are not supported`)
  const { crit } = header
  if (crit === undefined) return
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((name) => typeof name === "string" && name !== "")) {
    fail("invalid_token", `the token's crit must be a non-empty list of header names (RFC 7515); it is empty or malformed`)
  }
  const names = crit as string[]
  if (new Set(names).size !== names.length) fail("invalid_token", `the token's crit lists a name twice`)
  for (const name of names) {
    if (!UNDERSTOOD_CRITICAL.has(name)) fail("invalid_token", `the token's crit names an extension that is not supported (only "b64" is understood); the token is refused`)
    if (header[name] === undefined) fail("invalid_token", `the token's crit names "${name}", which its header does not carry`)
  }
}

export interface ClaimChecks extends VerifyChecks {
  issuer: string | undefined
  tolerance: number
  now: number
  secretId: string
}

/**
 * After the signature: `exp` (required), `nbf` and `iat` are finite numbers; then `typ`, the
 * required claims, `iss`, `sub`, `aud`, `nbf`, `exp` and `maxTokenAge`, as jose's
 * `jwtVerify` orders them. Messages name claims and times, never a claim's value.
 */
export function checkClaims(header: Record<string, unknown>, claims: Record<string, unknown>, checks: ClaimChecks, fail: Fail): void {
  const { now, tolerance } = checks
  if (claims.exp === undefined) fail("invalid_token", `the token has no numeric exp; tokens of ${checks.secretId} always expire`)
  for (const claim of ["exp", "nbf", "iat"] as const) {
    const value = claims[claim]
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) fail("invalid_claim", `the token's ${claim} is not a number of seconds (RFC 7519 NumericDate)`)
  }
  if (checks.typ !== undefined && (typeof header.typ !== "string" || normalizeTyp(header.typ) !== normalizeTyp(checks.typ))) {
    fail("invalid_type", `the token's typ is not ${quoteInput(checks.typ)}`)
  }
  const required = new Set(checks.requiredClaims ?? [])
  if (checks.maxTokenAge !== undefined) required.add("iat")
  if (checks.audience !== undefined) required.add("aud")
  if (checks.subject !== undefined) required.add("sub")
  if (checks.issuer !== undefined) required.add("iss")
  for (const claim of required) {
    if (!Object.hasOwn(claims, claim)) fail("missing_claim", `the token has no ${/^[A-Za-z0-9_.:-]{1,32}$/.test(claim) ? `"${claim}"` : "(required)"} claim`)
  }
  if (checks.issuer !== undefined && claims.iss !== checks.issuer) fail("invalid_issuer", `the token's iss is not the expected issuer`)
  if (checks.subject !== undefined && claims.sub !== checks.subject) fail("invalid_subject", `the token's sub is not the expected subject`)
  if (checks.audience !== undefined && !audienceMatches(claims.aud, checks.audience)) fail("invalid_audience", `the token's aud does not include the expected audience`)
  const nbf = claims.nbf as number | undefined
  if (nbf !== undefined && nbf > now + tolerance) fail("token_not_yet_valid", `the token is not valid before ${isoSeconds(nbf)}`)
  const exp = claims.exp as number
  if (exp <= now - tolerance) fail("token_expired", `the token expired at ${isoSeconds(exp)}`)
  if (checks.maxTokenAge !== undefined) {
    const age = now - (claims.iat as number)
    if (age - tolerance > checks.maxTokenAge) fail("token_expired", `the token was issued at ${isoSeconds(claims.iat as number)}, more than maxTokenAge (${checks.maxTokenAge} s) ago`)
    if (age < -tolerance) fail("invalid_claim", `the token's iat (${isoSeconds(claims.iat as number)}) is in the future`)
  }
}

/** As jose: case-insensitive, and a bare name means `application/<name>`. */
function normalizeTyp(value: string): string {
  const lower = value.toLowerCase()
  return value.includes("/") ? lower : `application/${lower}`
}

function audienceMatches(aud: unknown, expected: readonly string[]): boolean {
  if (typeof aud === "string") return expected.includes(aud)
  return Array.isArray(aud) && expected.some((one) => aud.includes(one))
}

function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000)
  return Number.isNaN(date.getTime()) ? "(out of range)" : date.toISOString()
}
