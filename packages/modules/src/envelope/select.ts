import { createdAtMs, hasVersion, isExpired, versionIdsOldestFirst } from "./order.js"
import type { ActiveVersion, Envelope, Selection } from "./types.js"

/*
 * Choosing a version at an instant `now` (docs/design.md#runtime). A version whose expiresAt is at or
 * before `now` is unreadable: selecting it fails with `version_expired` rather than falling
 * back to another version, so a caller never silently reads a different key than it asked
 * for. Nothing here throws for a missing or expired version; the runtime maps the codes to
 * its typed errors. An invalid `now` is a programming error and throws a RangeError.
 */

function checkNow(now: Date): number {
  const ms = now instanceof Date ? now.getTime() : Number.NaN
  if (Number.isNaN(ms)) throw new RangeError("now must be a valid Date.")
  return ms
}

/** The current version, unless it has expired. */
export function selectCurrent(envelope: Envelope, now: Date): Selection {
  return selectVersion(envelope, envelope.current, now)
}

/** The version with this id, if it exists and has not expired. */
export function selectVersion(envelope: Envelope, id: string, now: Date): Selection {
  checkNow(now)
  if (typeof id !== "string" || !hasVersion(envelope, id)) {
    return typeof id === "string" ? { ok: false, code: "unknown_version", versionId: id } : { ok: false, code: "unknown_version" }
  }
  const version = envelope.versions[id]!
  if (isExpired(version, now)) return { ok: false, code: "version_expired", versionId: id }
  return { ok: true, id, version }
}

/**
 * The version that was in force at `time`: the latest createdAt at or before `time`
 * (versions without createdAt count as oldest, ordered by id number). Fails with
 * `no_version_at` when every version was created after `time` (or `time` is an invalid
 * Date), and with `version_expired` when the version in force then has expired by `now`.
 */
export function selectAt(envelope: Envelope, time: Date, now: Date): Selection {
  checkNow(now)
  const at = time instanceof Date ? time.getTime() : Number.NaN
  if (Number.isNaN(at)) return { ok: false, code: "no_version_at" }
  const inForce = versionIdsOldestFirst(envelope)
    .filter((id) => createdAtMs(envelope.versions[id]!) <= at)
    .at(-1)
  if (inForce === undefined) return { ok: false, code: "no_version_at" }
  return selectVersion(envelope, inForce, now)
}

/**
 * Every readable version: the current one first (when it has not expired), then the others
 * without expiresAt or with expiresAt after `now`, newest first.
 */
export function selectActive(envelope: Envelope, now: Date): ActiveVersion[] {
  checkNow(now)
  const readable = (id: string): boolean => !isExpired(envelope.versions[id]!, now)
  const active: ActiveVersion[] = []
  if (hasVersion(envelope, envelope.current) && readable(envelope.current)) {
    active.push({ id: envelope.current, version: envelope.versions[envelope.current]! })
  }
  for (const id of versionIdsOldestFirst(envelope).reverse()) {
    if (id !== envelope.current && readable(id)) active.push({ id, version: envelope.versions[id]! })
  }
  return active
}
