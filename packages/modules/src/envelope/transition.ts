import { VERSION_ID_PATTERN } from "../limits.js"
import { describeType, isPlainObject } from "./describe.js"
import { TransitionError } from "./errors.js"
import { createdAtMs, hasVersion, isExpired, versionIdsOldestFirst } from "./order.js"
import { validateEnvelope } from "./parse.js"
import { formatRfc3339, parseRfc3339 } from "./rfc3339.js"
import { isSealedFormat } from "./sealed-text.js"
import type { Envelope, EnvelopeVersion, RetainOptions, TransitionInput, TransitionSummary, VersionEntry } from "./types.js"
import { isVersionId } from "./version-id.js"

const DAY_MS = 86_400_000

/**
 * A rotation at `at` (docs/design.md#rotation): the new version, created at `at`, becomes current; the
 * previous current is dropped (`none`), kept without a new expiry (`retain_forever`) or
 * kept until `at + days` (`retain_for`); versions already expired at `at` are dropped;
 * every other version is kept unchanged.
 *
 * Retention never lengthens a life: a previous current that already carries an earlier
 * expiresAt keeps it. The result is validated as a write at `at`.
 */
export function transition(envelope: Envelope, input: TransitionInput): Envelope {
  const before = validateEnvelope(envelope)
  const atMs = checkAt(input.at)
  const createdAt = formatRfc3339(input.at)
  const newVersionId = checkNewVersionId(before, input.newVersionId)
  const entry = checkEntry(input.newEntry)
  const retainUntil = retainedExpiry(input.retain, atMs)

  for (const [id, version] of Object.entries(before.versions)) {
    if (createdAtMs(version) > atMs) {
      throw new TransitionError(
        "at",
        `(${createdAt}) is before the createdAt of version "${id}" (${version.createdAt}); a new version must be the newest. Rotate at a later time.`,
      )
    }
  }

  const kept: [string, EnvelopeVersion][] = []
  for (const id of versionIdsOldestFirst(before)) {
    const version = before.versions[id]!
    if (isExpired(version, input.at)) continue
    if (id !== before.current) {
      kept.push([id, version])
    } else if (retainUntil === "forever") {
      kept.push([id, version])
    } else if (retainUntil !== "drop") {
      const existing = version.expiresAt === undefined ? undefined : parseRfc3339(version.expiresAt)
      kept.push([id, existing !== undefined && existing < retainUntil ? version : { ...version, expiresAt: formatRfc3339(new Date(retainUntil)) }])
    }
  }
  kept.push([newVersionId, { ...entry, createdAt }])

  return validateEnvelope({ current: newVersionId, versions: Object.fromEntries(kept) }, input.at)
}

function checkAt(at: unknown): number {
  const ms = at instanceof Date ? at.getTime() : Number.NaN
  if (Number.isNaN(ms)) throw new TransitionError("at", `must be a valid Date, got ${at instanceof Date ? "an invalid Date" : describeType(at)}.`)
  try {
    formatRfc3339(at as Date)
  } catch {
    throw new TransitionError("at", "must fall within the years 0000-9999.")
  }
  return ms
}

function checkNewVersionId(envelope: Envelope, id: unknown): string {
  if (!isVersionId(id)) {
    throw new TransitionError("newVersionId", `must match ${VERSION_ID_PATTERN.source}, got ${describeType(id)} that does not. Use nextVersionId(envelope).`)
  }
  if (hasVersion(envelope, id)) {
    throw new TransitionError("newVersionId", `"${id}" already exists in the envelope; a rotation creates a new version. Use nextVersionId(envelope).`)
  }
  return id
}

function checkEntry(entry: unknown): VersionEntry {
  if (!isPlainObject(entry)) throw new TransitionError("newEntry", `must be { value } or { sealed }, got ${describeType(entry)}.`)
  const hasValue = Object.hasOwn(entry, "value")
  const hasSealed = Object.hasOwn(entry, "sealed")
  if (hasValue === hasSealed) {
    throw new TransitionError("newEntry", `must have exactly one of "value" or "sealed" (it has ${hasValue ? "both" : "neither"}).`)
  }
  if (hasValue) {
    if (typeof entry.value !== "string") throw new TransitionError("newEntry.value", `must be a string, got ${describeType(entry.value)}.`)
    return { value: entry.value }
  }
  if (typeof entry.sealed !== "string" || !isSealedFormat(entry.sealed)) {
    throw new TransitionError("newEntry.sealed", "must be a sealed text in the ls1 format, as seal() returns.")
  }
  return { sealed: entry.sealed }
}

/** When the previous current expires: "drop", "forever", or an instant in ms. */
function retainedExpiry(retain: RetainOptions, atMs: number): "drop" | "forever" | number {
  const mode: unknown = isPlainObject(retain) ? retain.mode : undefined
  switch (mode) {
    case "none":
      return "drop"
    case "retain_forever":
      return "forever"
    case "retain_for": {
      const days: unknown = (retain as { days?: unknown }).days
      if (typeof days !== "number" || !Number.isInteger(days) || days < 1) {
        throw new TransitionError("retain.days", `must be a positive integer number of days for mode "retain_for", got ${describeType(days)}${typeof days === "number" ? ` (${days})` : ""}.`)
      }
      const until = atMs + days * DAY_MS
      try {
        formatRfc3339(new Date(until))
      } catch {
        throw new TransitionError("retain.days", `(${days}) puts the expiry beyond the year 9999.`)
      }
      return until
    }
    default:
      throw new TransitionError("retain.mode", `must be "none", "retain_for" or "retain_forever", got ${describeType(mode)}.`)
  }
}

/** Which versions a transition keeps, expires, drops and adds, for plans. */
export function describeTransition(before: Envelope, after: Envelope): TransitionSummary {
  const beforeIds = versionIdsOldestFirst(before)
  const afterIds = versionIdsOldestFirst(after)
  return {
    kept: beforeIds.filter((id) => hasVersion(after, id)),
    expiring: afterIds.flatMap((id) => {
      const expiresAt = after.versions[id]!.expiresAt
      return expiresAt === undefined ? [] : [{ id, expiresAt }]
    }),
    dropped: beforeIds.filter((id) => !hasVersion(after, id)),
    added: afterIds.filter((id) => !hasVersion(before, id)),
  }
}
