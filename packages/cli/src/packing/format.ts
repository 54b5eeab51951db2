/**
 * The pack value's format, as the CLI writes it: `{"format":"layeron.pack/v1","pack":"<name>",
 * "members":{"<namespace/name>": <envelope>}}` (docs/design.md#packing). The runtime side reads
 * it in @layeron/modules/pack; until that module is merged this file holds the CLI's copy of
 * the few definitions it needs, and becomes a re-export of it.
 */
import type { Envelope } from "@layeron/modules/envelope"
import { Limits } from "@layeron/modules/limits"
import { hashedName, canonicalNameInput } from "./naming-shim.js"

export const PACK_FORMAT = "layeron.pack/v1"
/** A pack is one Cloudflare secret value: the same 65,536-byte limit. */
export const PACK_MAX_BYTES = Limits.maxValueBytes

export async function packPhysicalName(workspace: string, project: string, environment: string, index: number): Promise<string> {
  return hashedName(canonicalNameInput(PACK_FORMAT, { workspace, project, environment }, ["workspace", "project", "environment"], [index]))
}

export function serializePack(pack: string, members: Readonly<Record<string, Envelope>>): string {
  const sorted = Object.fromEntries(Object.keys(members).sort().map((id) => [id, members[id]!]))
  return JSON.stringify({ format: PACK_FORMAT, pack, members: sorted })
}

/** The bytes a member adds to a pack: `"<id>":<envelope>,`. */
export function memberByteLength(id: string, envelope: Envelope): number {
  return Buffer.byteLength(`${JSON.stringify(id)}:${JSON.stringify(envelope)},`, "utf8")
}

/** The bytes of a pack with no member. */
export function packOverheadBytes(pack: string): number {
  return Buffer.byteLength(serializePack(pack, {}), "utf8")
}
