import { VERSION_ID_PATTERN } from "../limits.js"
import { closestKey, describeType, isPlainObject, keyPath } from "./describe.js"
import { findDuplicateKey } from "./duplicate-keys.js"
import { EnvelopeError } from "./errors.js"
import { hasVersion, isExpired, versionIdsOldestFirst } from "./order.js"
import { parseRfc3339 } from "./rfc3339.js"
import { isSealedFormat } from "./sealed-text.js"
import type { Envelope, EnvelopeVersion, StoredValue } from "./types.js"

/*
 * Envelope rules (docs/design.md#values), decided here:
 * - A stored text is an envelope only when JSON.parse gives an object with both `current`
 *   and `versions` keys. Anything else, including text that starts with `{` but is not
 *   valid JSON, or JSON with only one of the two keys, is a plain value, stored as is.
 * - An envelope is strict: unknown keys are rejected at the top level and in every version,
 *   so a typo such as `expiresat` surfaces instead of silently never expiring. A key given
 *   twice in one object is rejected too (JSON readers disagree on which one wins).
 * - Each version has exactly one of `value` or `sealed` (an ls1 sealed text), and optional
 *   RFC 3339 `createdAt`/`expiresAt`; when both are given, expiresAt is after createdAt.
 * - `current` names an existing version, which must not be expired at `now` when `now` is
 *   given (writes pass it; reads check expiry through select instead, so a current that
 *   expired since it was written reads as `version_expired`, not as a corrupt envelope).
 */

const ENVELOPE_KEYS = ["current", "versions"] as const
const VERSION_KEYS = ["value", "sealed", "createdAt", "expiresAt"] as const
const TIME_EXAMPLE = "2026-06-01T00:00:00.000Z"

/** The parsed object when `text` is an envelope candidate, else undefined. */
function parseCandidate(text: string): Record<string, unknown> | undefined {
  // Cheap pre-check: most plain values (tokens, base64url) never reach JSON.parse.
  if (!/^[ \t\n\r]*\{/.test(text)) return undefined
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isPlainObject(data) || !Object.hasOwn(data, "current") || !Object.hasOwn(data, "versions")) return undefined
  return data
}

/** Whether `text` parses as a JSON object with both `current` and `versions` keys. */
export function looksLikeEnvelope(text: string): boolean {
  return parseCandidate(text) !== undefined
}

/** The envelope a plain value stands for: one version, `v1`, with no times. */
export function plainEnvelope(text: string): Envelope {
  return { current: "v1", versions: { v1: { value: text } } }
}

/**
 * Reads a stored secret text. Plain text becomes a one-version envelope; an envelope is
 * validated and throws `EnvelopeError` when it breaks a rule (see the rules above).
 */
export function parseStoredValue(text: string, now?: Date): StoredValue {
  if (typeof text !== "string") throw new TypeError(`parseStoredValue: expected a string, got ${describeType(text)}.`)
  const data = parseCandidate(text)
  if (data === undefined) return { kind: "plain", envelope: plainEnvelope(text) }
  const duplicate = findDuplicateKey(text, data)
  if (duplicate) {
    throw new EnvelopeError(
      duplicate.path,
      "duplicate_key",
      `${describeKeyName(duplicate.key, duplicate.role)} appears twice in the same object; JSON readers disagree on which one wins, so write it once.`,
    )
  }
  return { kind: "envelope", envelope: validateEnvelope(data, now) }
}

/** Checks already-parsed data against the envelope rules and returns a clean copy. */
export function validateEnvelope(data: unknown, now?: Date): Envelope {
  if (!isPlainObject(data)) {
    throw new EnvelopeError("", "not_an_object", `expected a JSON object with "current" and "versions", got ${describeType(data)}.`)
  }
  rejectUnknownKeys(data, "", ENVELOPE_KEYS)
  for (const key of ENVELOPE_KEYS) {
    if (!Object.hasOwn(data, key)) throw new EnvelopeError(key, "missing_key", `"${key}" is required.`)
  }

  const current = data.current
  if (typeof current !== "string") {
    throw new EnvelopeError("current", "wrong_type", `must be a string naming a version, got ${describeType(current)}.`)
  }
  if (!VERSION_ID_PATTERN.test(current)) {
    throw new EnvelopeError("current", "invalid_version_id", `must be a version id matching ${VERSION_ID_PATTERN.source}, got ${describeType(current)} that does not match.`)
  }

  const rawVersions = data.versions
  if (!isPlainObject(rawVersions)) {
    throw new EnvelopeError("versions", "wrong_type", `must be an object mapping version ids to versions, got ${describeType(rawVersions)}.`)
  }
  const ids = Object.keys(rawVersions)
  if (ids.length === 0) throw new EnvelopeError("versions", "no_versions", `must hold at least the current version.`)
  // Object.fromEntries defines own properties, so an id such as "__proto__" stays data.
  const envelope: Envelope = {
    current,
    versions: Object.fromEntries(ids.map((id, index) => [id, validateVersion(id, index, rawVersions[id])])),
  }

  if (!hasVersion(envelope, current)) {
    throw new EnvelopeError(
      "current",
      "current_unknown",
      `names a version that is not in "versions" (which has ${listIds(envelope)}). Set "current" to one of those ids.`,
    )
  }
  if (now !== undefined && isExpired(envelope.versions[current]!, now)) {
    throw new EnvelopeError(
      `${keyPath("versions", current, "version")}.expiresAt`,
      "current_expired",
      `the current version "${current}" expired at ${envelope.versions[current]!.expiresAt}; the current version must be readable. Point "current" at a live version or remove its expiresAt.`,
    )
  }
  return envelope
}

function validateVersion(id: string, index: number, raw: unknown): EnvelopeVersion {
  if (!VERSION_ID_PATTERN.test(id)) {
    throw new EnvelopeError(
      keyPath("versions", id, "version"),
      "invalid_version_id",
      `version id number ${index + 1} (${id.length} characters) does not match ${VERSION_ID_PATTERN.source}. Use ids such as v1, v2.`,
    )
  }
  const path = keyPath("versions", id, "version")
  if (!isPlainObject(raw)) {
    throw new EnvelopeError(path, "wrong_type", `version "${id}" must be an object with "value" or "sealed", got ${describeType(raw)}.`)
  }
  rejectUnknownKeys(raw, path, VERSION_KEYS)

  const hasValue = Object.hasOwn(raw, "value")
  const hasSealed = Object.hasOwn(raw, "sealed")
  if (hasValue && hasSealed) {
    throw new EnvelopeError(path, "value_and_sealed", `version "${id}" has both "value" and "sealed"; a version holds exactly one of them.`)
  }
  if (!hasValue && !hasSealed) {
    throw new EnvelopeError(path, "no_value", `version "${id}" has neither "value" nor "sealed"; a version holds exactly one of them.`)
  }

  let version: EnvelopeVersion
  if (hasValue) {
    if (typeof raw.value !== "string") {
      throw new EnvelopeError(`${path}.value`, "wrong_type", `"value" of version "${id}" must be a string, got ${describeType(raw.value)}. Encode other data as text (for JSON, a string holding JSON).`)
    }
    version = { value: raw.value }
  } else {
    if (typeof raw.sealed !== "string") {
      throw new EnvelopeError(`${path}.sealed`, "wrong_type", `"sealed" of version "${id}" must be a string, got ${describeType(raw.sealed)}.`)
    }
    if (!isSealedFormat(raw.sealed)) {
      throw new EnvelopeError(`${path}.sealed`, "invalid_sealed", `"sealed" of version "${id}" is not a sealed text in the ls1 format (ls1.<key>.<iv>.<ciphertext>). Only the layer CLI writes sealed copies; to store a value in the clear, use "value".`)
    }
    version = { sealed: raw.sealed }
  }

  const createdAt = readTime(raw, "createdAt", id, path)
  const expiresAt = readTime(raw, "expiresAt", id, path)
  if (createdAt !== undefined) version.createdAt = createdAt.text
  if (expiresAt !== undefined) version.expiresAt = expiresAt.text
  if (createdAt !== undefined && expiresAt !== undefined && expiresAt.ms <= createdAt.ms) {
    throw new EnvelopeError(`${path}.expiresAt`, "expires_before_created", `version "${id}" expires at ${expiresAt.text}, which is not after its createdAt ${createdAt.text}.`)
  }
  return version
}

function readTime(raw: Record<string, unknown>, key: "createdAt" | "expiresAt", id: string, path: string): { text: string; ms: number } | undefined {
  if (!Object.hasOwn(raw, key)) return undefined
  const text = raw[key]
  if (typeof text !== "string") {
    throw new EnvelopeError(`${path}.${key}`, "wrong_type", `"${key}" of version "${id}" must be an RFC 3339 date-time string such as ${TIME_EXAMPLE}, got ${describeType(text)}.`)
  }
  const ms = parseRfc3339(text)
  if (ms === undefined) {
    throw new EnvelopeError(`${path}.${key}`, "invalid_time", `"${key}" of version "${id}" is not an RFC 3339 date-time: write a date, "T", a time and an offset, such as ${TIME_EXAMPLE} or 2026-06-01T02:00:00+02:00.`)
  }
  return { text, ms }
}

function rejectUnknownKeys(object: Record<string, unknown>, path: string, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue
    const hint = closestKey(key, known)
    throw new EnvelopeError(
      keyPath(path, key),
      "unknown_key",
      `${describeKeyName(key)} is not allowed${path ? ` in ${path}` : " at the top level"}${hint ? ` (did you mean "${hint}"?)` : ""}. Allowed keys: ${known.join(", ")}.`,
    )
  }
}

function describeKeyName(key: string, role: "field" | "version" = "field"): string {
  const path = keyPath("", key, role)
  return path.startsWith("[a key") ? path.slice(1, -1) : `${role === "version" ? "version id" : "key"} "${key}"`
}

function listIds(envelope: Envelope): string {
  const ids = versionIdsOldestFirst(envelope)
  const shown = ids.slice(0, 10).join(", ")
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown
}

/**
 * The stored text of an envelope: compact JSON with a stable key order (`current`, then
 * `versions` oldest first, each version as value|sealed, createdAt, expiresAt). Written by
 * hand because JavaScript objects put integer-like keys such as "2" first whatever their
 * insertion order. Validates first, so that nothing is written that a read would reject.
 */
export function serializeEnvelope(envelope: Envelope): string {
  const valid = validateEnvelope(envelope)
  const versions = versionIdsOldestFirst(valid).map((id) => `${JSON.stringify(id)}:${serializeVersion(valid.versions[id]!)}`)
  return `{"current":${JSON.stringify(valid.current)},"versions":{${versions.join(",")}}}`
}

function serializeVersion(version: EnvelopeVersion): string {
  const fields =
    version.value !== undefined ? [`"value":${JSON.stringify(version.value)}`] : [`"sealed":${JSON.stringify(version.sealed)}`]
  if (version.createdAt !== undefined) fields.push(`"createdAt":${JSON.stringify(version.createdAt)}`)
  if (version.expiresAt !== undefined) fields.push(`"expiresAt":${JSON.stringify(version.expiresAt)}`)
  return `{${fields.join(",")}}`
}
