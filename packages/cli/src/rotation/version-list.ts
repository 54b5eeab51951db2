/**
 * One order and one set of names for a secret's versions, shared by `layer secret versions`,
 * `layer secret revoke` and the rotate plan's VERSIONS column, so they never disagree.
 *
 * Newest first: the published next key (a key pair's version that has no `createdAt` yet and
 * an id after current's), then the current version, then every other version by `createdAt`,
 * newest first (undated ones last; ties by id, highest first).
 *
 * States: `current`; `next` (published, not signing yet); `expired` (its `expiresAt` is at or
 * before now: readers no longer see it, the next write drops it); `retained` (readable by id
 * and in `active()` until its `expiresAt`, if any).
 */
import { compareVersionIds, parseRfc3339 } from "@layeron/modules/envelope"

export type VersionState = "current" | "next" | "retained" | "expired"

/** What is known of a version without its value: the envelope's times, or the state's. */
export interface VersionTimes {
  createdAt?: string
  expiresAt?: string
}

export interface ListedVersion {
  id: string
  state: VersionState
  createdAt: string | null
  expiresAt: string | null
}

export interface VersionSet {
  current: string
  versions: Readonly<Record<string, VersionTimes>>
}

export interface ListOptions {
  /** A key-pair secret (`generate`): only these publish a next key. */
  keyPair: boolean
}

export function listVersions(envelope: VersionSet, now: Date, options: ListOptions): ListedVersion[] {
  const next = options.keyPair ? nextId(envelope) : undefined
  return versionIdsNewestFirst(envelope, options).map((id) => {
    const version = envelope.versions[id]!
    return { id, state: stateOf(envelope, id, next, version, now), createdAt: version.createdAt ?? null, expiresAt: version.expiresAt ?? null }
  })
}

export function versionIdsNewestFirst(envelope: VersionSet, options: ListOptions): string[] {
  const next = options.keyPair ? nextId(envelope) : undefined
  const rank = (id: string) => (id === next ? 0 : id === envelope.current ? 1 : 2)
  return Object.keys(envelope.versions).sort((a, b) => {
    const byRank = rank(a) - rank(b)
    if (byRank !== 0) return byRank
    const ta = createdMs(envelope.versions[a]!)
    const tb = createdMs(envelope.versions[b]!)
    if (ta !== tb) return ta > tb ? -1 : 1
    return compareVersionIds(b, a)
  })
}

/** The published next key, as @layeron/modules/keys defines it (not current, undated, an id after current's). */
function nextId(envelope: VersionSet): string | undefined {
  let found: string | undefined
  for (const [id, version] of Object.entries(envelope.versions)) {
    if (id === envelope.current || version.createdAt !== undefined || compareVersionIds(id, envelope.current) <= 0) continue
    if (found === undefined || compareVersionIds(id, found) > 0) found = id
  }
  return found
}

function stateOf(envelope: VersionSet, id: string, next: string | undefined, version: VersionTimes, now: Date): VersionState {
  if (id === envelope.current) return "current"
  if (id === next) return "next"
  const expiresMs = version.expiresAt === undefined ? undefined : parseRfc3339(version.expiresAt)
  return expiresMs !== undefined && expiresMs <= now.getTime() ? "expired" : "retained"
}

function createdMs(version: VersionTimes): number {
  return (version.createdAt === undefined ? undefined : parseRfc3339(version.createdAt)) ?? Number.NEGATIVE_INFINITY
}
