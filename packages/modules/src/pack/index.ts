/**
 * Packing (docs/design.md#packing): several declarations' envelopes in one physical secret,
 * past Cloudflare's secret quota. This folder owns the pack's name and text; the CLI decides
 * which declarations go into which pack, the Secret Product Worker reads members out of them.
 */
export { packPhysicalName, packPhysicalNameInput, PACK_NAME_DOMAIN } from "./name.js"
export { openPackText, parsePack, validateMember } from "./parse.js"
export { emptyPackByteLength, packByteLength, packMemberByteLength, PACK_MAX_BYTES, serializePack } from "./serialize.js"
export { PackError } from "./errors.js"
export { PACK_FORMAT } from "./types.js"
export type { Pack, PackRule, PackText } from "./types.js"
