import { VERSION_ID_PATTERN } from "../limits.js"
import type { Envelope } from "./types.js"

const NUMBERED_ID = /^v(\d+)$/

/** N for ids of the form `v<N>` (BigInt: an id may hold up to 63 digits), else undefined. */
export function versionNumber(id: string): bigint | undefined {
  const match = NUMBERED_ID.exec(id)
  return match ? BigInt(match[1]!) : undefined
}

export function isVersionId(id: unknown): id is string {
  return typeof id === "string" && VERSION_ID_PATTERN.test(id)
}

/**
 * Id order, used when times cannot decide: `v<N>` ids by N (so v2 < v10), then every other
 * id by plain code-unit order. Total and deterministic, so serialization is stable.
 */
export function compareVersionIds(a: string, b: string): number {
  const na = versionNumber(a)
  const nb = versionNumber(b)
  if (na !== undefined && nb !== undefined && na !== nb) return na < nb ? -1 : 1
  if (na !== undefined && nb === undefined) return -1
  if (na === undefined && nb !== undefined) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** `v<N>` with N one above the highest numeric `v<N>` present; `v1` when there is none. */
export function nextVersionId(envelope: Envelope): string {
  let highest = 0n
  for (const id of Object.keys(envelope.versions)) {
    const n = versionNumber(id)
    if (n !== undefined && n > highest) highest = n
  }
  const next = `v${highest + 1n}`
  if (!VERSION_ID_PATTERN.test(next)) {
    throw new RangeError(`No next version id: ${next.length} characters exceed the 64 a version id may have.`)
  }
  return next
}
