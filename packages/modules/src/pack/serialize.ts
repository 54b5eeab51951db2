import { Limits, utf8ByteLength } from "../limits.js"
import { serializeEnvelope } from "../envelope/index.js"
import type { Envelope } from "../envelope/index.js"
import { isPhysicalName } from "../naming/index.js"
import { PackError } from "./errors.js"
import { validateMember } from "./parse.js"
import { PACK_FORMAT } from "./types.js"
import type { Pack } from "./types.js"

/** A pack is one Cloudflare secret: its text fits the same 65,536 UTF-8 bytes as any value. */
export const PACK_MAX_BYTES = Limits.maxValueBytes

/**
 * The stored text of a pack: compact JSON, members in code-unit order of their ids, each
 * envelope as `serializeEnvelope` writes it, so equal packs have equal texts. Validates
 * first (nothing is written that `parsePack` would refuse) and refuses a text above
 * PACK_MAX_BYTES, naming the pack, its size and its largest member.
 */
export function serializePack(pack: Pack): string {
  const text = packText(pack)
  const bytes = utf8ByteLength(text)
  if (bytes > PACK_MAX_BYTES) {
    const ids = Object.keys(pack.members)
    const largest = ids.reduce<{ id: string; bytes: number } | undefined>((best, id) => {
      const size = packMemberByteLength(id, pack.members[id]!)
      return best === undefined || size > best.bytes ? { id, bytes: size } : best
    }, undefined)
    throw new PackError(
      { pack: pack.pack, path: "", rule: "too_large" },
      `${ids.length} members take ${bytes} bytes, above Cloudflare's ${PACK_MAX_BYTES}-byte limit${largest ? ` (the largest, "${largest.id}", takes ${largest.bytes})` : ""}. Split the members across more packs.`,
    )
  }
  return text
}

/** Exactly the UTF-8 bytes `serializePack(pack)` takes (without its size check). */
export function packByteLength(pack: Pack): number {
  return utf8ByteLength(packText(pack))
}

/** The UTF-8 bytes of pack `packName` with no members: what every pack spends before its first member. */
export function emptyPackByteLength(packName: string): number {
  return packByteLength({ format: PACK_FORMAT, pack: packName, members: {} })
}

/**
 * What one member adds to a pack's text: `"<id>":<envelope>` and its separating comma. A pack
 * takes `emptyPackByteLength(name) + Σ packMemberByteLength(member) − 1` bytes (no comma after
 * the last member), so the sum is a bound that is exact to one byte.
 */
export function packMemberByteLength(id: string, envelope: Envelope): number {
  return utf8ByteLength(memberText(id, envelope)) + 1
}

function packText(pack: Pack): string {
  if (pack.format !== PACK_FORMAT) {
    throw new PackError({ pack: String(pack.pack), path: "format", rule: "wrong_format" }, `"format" must be "${PACK_FORMAT}".`)
  }
  if (typeof pack.pack !== "string" || !isPhysicalName(pack.pack)) {
    throw new PackError({ pack: "(unnamed)", path: "pack", rule: "wrong_pack" }, `"pack" must be a pack's physical name (lo_ and 24 hex digits, from packPhysicalName()).`)
  }
  const ids = Object.keys(pack.members).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const members = ids.map((id) => memberText(id, validateMember(pack.pack, id, pack.members[id])))
  return `{"format":${JSON.stringify(PACK_FORMAT)},"pack":${JSON.stringify(pack.pack)},"members":{${members.join(",")}}}`
}

function memberText(id: string, envelope: Envelope): string {
  return `${JSON.stringify(id)}:${serializeEnvelope(envelope)}`
}
