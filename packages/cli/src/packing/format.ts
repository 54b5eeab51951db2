/**
 * The pack value's format, from @layeron/modules/pack (docs/design.md#packing): the CLI's
 * few uses of it in one place.
 */
import type { Envelope } from "@layeron/modules/envelope"
import type { Pack } from "@layeron/modules/pack"
import { emptyPackByteLength, PACK_FORMAT, PACK_MAX_BYTES, packByteLength, packMemberByteLength, packPhysicalName, serializePack as serialize } from "@layeron/modules/pack"

export { PACK_MAX_BYTES, packPhysicalName }

/** The pack's text, or undefined when it would pass the limit (the caller names pack and member). */
export function serializePack(pack: string, members: Readonly<Record<string, Envelope>>): { text: string } | { tooLarge: number } {
  const value: Pack = { format: PACK_FORMAT, pack, members: { ...members } }
  const bytes = packByteLength(value)
  return bytes > PACK_MAX_BYTES ? { tooLarge: bytes } : { text: serialize(value) }
}

/** The bytes a member adds to a pack. */
export const memberByteLength = packMemberByteLength

/** The bytes of a pack with no member. */
export const packOverheadBytes = emptyPackByteLength
