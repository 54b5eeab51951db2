import { parseRfc3339 } from "./rfc3339.js"
import { compareVersionIds } from "./version-id.js"
import type { Envelope, EnvelopeVersion } from "./types.js"

/** Whether the version is unreadable at `now`: its expiresAt is at or before now. */
export function isExpired(version: EnvelopeVersion, now: Date): boolean {
  if (version.expiresAt === undefined) return false
  const expiresAt = parseRfc3339(version.expiresAt)
  return expiresAt !== undefined && expiresAt <= now.getTime()
}

/** createdAt in ms; versions without one count as oldest. */
export function createdAtMs(version: EnvelopeVersion): number {
  return version.createdAt === undefined ? Number.NEGATIVE_INFINITY : parseRfc3339(version.createdAt) ?? Number.NEGATIVE_INFINITY
}

/**
 * Age order, oldest first (docs/design.md#runtime): by createdAt, versions without createdAt first; ties
 * and undated versions by id (`v<N>` by N, then other ids by code units).
 */
export function versionIdsOldestFirst(envelope: Envelope): string[] {
  const created = new Map<string, number>()
  for (const [id, version] of Object.entries(envelope.versions)) created.set(id, createdAtMs(version))
  return [...created.keys()].sort((a, b) => {
    const ta = created.get(a)!
    const tb = created.get(b)!
    if (ta !== tb) return ta < tb ? -1 : 1
    return compareVersionIds(a, b)
  })
}

/** `Object.hasOwn`, so that ids like `constructor` or `__proto__` are never found on the prototype. */
export function hasVersion(envelope: Envelope, id: string): boolean {
  return Object.hasOwn(envelope.versions, id)
}
