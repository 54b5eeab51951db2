import { NamingError } from "./errors.js"
import type { PhysicalNameParts } from "./types.js"

/** Domain tag hashed in front of the parts; changing it would rename every secret. */
const NAME_DOMAIN = "layeron.secret/v1"
const NAME_PREFIX = "lo_"
/** 24 hex digits = 96 bits: short enough to read, long enough never to collide in practice. */
const HASH_HEX_DIGITS = 24

const PART_ORDER = ["workspace", "project", "environment", "namespace", "name"] as const

/**
 * The exact string that is hashed. Exported for tests and for anyone who needs to
 * reproduce a name outside TypeScript (`printf '%s' "$canonical" | sha256sum`).
 */
export function physicalNameInput(parts: PhysicalNameParts): string {
  return canonicalNameInput(NAME_DOMAIN, parts as unknown as Record<string, unknown>, PART_ORDER)
}

/**
 * `JSON.stringify([domain, ...parts in order, ...tail])`, each part checked to be a non-empty
 * string (a `NamingError` names the part otherwise). Shared by declaration and pack names.
 */
export function canonicalNameInput(domain: string, parts: Record<string, unknown>, order: readonly string[], tail: readonly number[] = []): string {
  const values = order.map((key) => {
    const value: unknown = parts[key]
    if (typeof value !== "string") {
      throw new NamingError(key, `must be a string (got ${value === null ? "null" : typeof value})`)
    }
    if (value.length === 0) throw new NamingError(key, "must not be empty")
    return value
  })
  // JSON.stringify gives an unambiguous encoding: quotes and separators inside a part are
  // escaped, so ("a-b", "c") and ("a", "b-c") can never hash alike.
  return JSON.stringify([domain, ...values, ...tail])
}

/**
 * The Cloudflare secret name Layeron uses for a declaration (docs/design.md#physical-names):
 * `lo_` + the first 24 lowercase hex digits of SHA-256 over the UTF-8 of
 * `JSON.stringify(["layeron.secret/v1", workspace, project, environment, namespace, name])`.
 * Stable forever: naming/vectors.json pins it.
 */
export async function physicalName(parts: PhysicalNameParts): Promise<string> {
  return hashedName(physicalNameInput(parts))
}

/**
 * `lo_` + the first 24 lowercase hex digits of SHA-256 over the UTF-8 of `canonical`: the one
 * hashing rule behind declaration names and pack names (pack/name.ts), so both stay alike.
 */
export async function hashedName(canonical: string): Promise<string> {
  const input = new TextEncoder().encode(canonical)
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input))
  let hex = ""
  for (const byte of digest.subarray(0, HASH_HEX_DIGITS / 2)) hex += byte.toString(16).padStart(2, "0")
  return NAME_PREFIX + hex
}

/** Whether `text` has the shape of a Layeron-generated physical name. */
export function isPhysicalName(text: string): boolean {
  return /^lo_[0-9a-f]{24}$/.test(text)
}
