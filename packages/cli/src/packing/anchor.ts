/**
 * A pack's integrity anchor: `layeron:v1:p:<n>:<22 base64url>`, the first 128 bits of SHA-256
 * over the pack's name and each member's (physical name, state anchor), sorted. Written into
 * the pack's Cloudflare `comment` in the same request as its value. Each member anchor is
 * itself the digest of that member's rotation state (rotation/anchor.ts), so one comment
 * vouches for packs.json and for every member's sealed copies.
 */
import { createHash } from "node:crypto"
import { ANCHOR_SCHEME } from "../rotation/anchor.js"
import type { PackMember } from "./types.js"

const PACK_PREFIX = `${ANCHOR_SCHEME}p:`

export function packAnchor(packName: string, members: readonly PackMember[]): string {
  const written = members.filter((member) => member.anchor !== undefined).map((member) => [member.physicalName, member.anchor!] as const)
  written.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const canonical = JSON.stringify(["layeron.pack-anchor/v1", packName, written])
  return `${PACK_PREFIX}${written.length}:${createHash("sha256").update(canonical, "utf8").digest().subarray(0, 16).toString("base64url")}`
}

export function isPackAnchor(comment: string | undefined): boolean {
  return comment?.startsWith(PACK_PREFIX) === true
}
