/**
 * Integrity anchors (docs/security.md): short digests that the store keeps in a secret's
 * `comment`, where only someone who can write the store can put them, and that vouch for
 * what the committed rotation state says.
 *
 * - On a declared secret: `layeron:v1:s:<n>:<22 base64url>`, the first 128 bits of SHA-256
 *   over what the state records for that secret after the write (physical name, current
 *   version, and each version's id, sealed copy, createdAt and expiresAt), and `n`, the
 *   number of versions (so a refusal can say whether versions were added or removed).
 * - On the sealing key's secret: `layeron:v1:k:<32 hex>`, the first 128 bits of SHA-256
 *   over the public key's uncompressed point. Its first 16 hex digits are the key's
 *   displayed fingerprint (publicKeyFingerprint), so a refusal can print both.
 *
 * Length: at most 13 + 5 + 1 + 22 = 41 ASCII characters (45 for a key anchor). Cloudflare
 * documents no maximum for a secret's comment (its OpenAPI schema `secrets-store_comment` is a
 * plain string), so anchors stay far below any limit Cloudflare might enforce (we assume at
 * most 64 and check it): 128 bits is still beyond any brute-force second preimage.
 */
import { createHash, createPublicKey } from "node:crypto"
import type { JsonWebKey } from "node:crypto"
import type { SealedVersion } from "./types.js"
import { basename } from "node:path"
import { localRecordUnreadable, unreadableRecordFile } from "../providers/local/unreadable.js"

export const ANCHOR_SCHEME = "layeron:v1:"
const STATE_PREFIX = `${ANCHOR_SCHEME}s:`
const KEY_PREFIX = `${ANCHOR_SCHEME}k:`
/** The longest comment Layeron writes; see the file comment. */
export const MAX_ANCHOR_LENGTH = 64

/** What the state records for a secret, as the anchor covers it. */
export interface AnchoredContent {
  current: string
  versions: Readonly<Record<string, SealedVersion>>
}

export function stateAnchor(physicalName: string, content: AnchoredContent): string {
  // Sorted by code unit, not by the state file's order: the digest must not depend on layout.
  const ids = Object.keys(content.versions).sort()
  const canonical = JSON.stringify([
    "layeron.anchor/v1",
    physicalName,
    content.current,
    ids.map((id) => {
      const version = content.versions[id]!
      return [id, version.sealed, version.createdAt ?? null, version.expiresAt ?? null]
    }),
  ])
  const digest = createHash("sha256").update(canonical, "utf8").digest().subarray(0, 16).toString("base64url")
  return `${STATE_PREFIX}${ids.length}:${digest}`
}

/** The anchor of a sealing public key; throws if the JWK is not a P-256 public key. */
export function keyAnchor(publicKey: JsonWebKey): string {
  const spki = createPublicKey({ key: publicKey, format: "jwk" }).export({ type: "spki", format: "der" })
  // A P-256 SPKI ends with the 65-byte uncompressed point (0x04 | x | y).
  const point = spki.subarray(spki.byteLength - 65)
  return `${KEY_PREFIX}${createHash("sha256").update(point).digest().subarray(0, 16).toString("hex")}`
}

/** The 16-hex fingerprint a key anchor vouches for, or undefined for any other comment. */
export function anchoredFingerprint(comment: string | undefined): string | undefined {
  return comment?.startsWith(KEY_PREFIX) ? comment.slice(KEY_PREFIX.length, KEY_PREFIX.length + 16) : undefined
}

/** The number of versions a state anchor was written for, or undefined. */
export function anchoredVersionCount(comment: string | undefined): number | undefined {
  const match = comment === undefined ? null : /^layeron:v1:s:(\d{1,5}):/.exec(comment)
  return match ? Number(match[1]) : undefined
}

export function isAnchor(comment: string | undefined): comment is string {
  return comment !== undefined && comment.startsWith(ANCHOR_SCHEME)
}

/**
 * The one comparison every seal and every carry-forward goes through (sealing-key.ts,
 * record.ts, inputs.ts, re-anchor): the anchor the state implies against the comment the
 * store holds. A comment that is not a Layeron anchor (empty, or a person's note) means
 * the secret was written before anchors existed: `unanchored`, and the next write anchors it.
 */
export type AnchorVerdict = { status: "anchored" } | { status: "unanchored" } | { status: "mismatch"; expected: string; stored: string }

export function verifyAnchor(expected: string, stored: string | undefined): AnchorVerdict {
  // A local record that does not decrypt is that file's fault, not the state's: say which.
  const unreadable = unreadableRecordFile(stored)
  if (unreadable !== undefined) throw localRecordUnreadable(unreadable, basename(unreadable, ".json"))
  if (!isAnchor(stored)) return { status: "unanchored" }
  return stored === expected ? { status: "anchored" } : { status: "mismatch", expected, stored }
}
