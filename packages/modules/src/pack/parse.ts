/*
 * Pack rules (docs/design.md#packing), decided here:
 * - A pack text is a JSON object with exactly `format`, `pack` and `members`; `format` is
 *   "layeron.pack/v1" and `pack` the physical name the text is stored under, so a pack copied
 *   into another pack's secret is refused rather than read as that pack.
 * - `members` maps declaration ids (`namespace/name`) to envelopes, each valid by the envelope
 *   rules (envelope/parse.ts), strict the same way: a key given twice anywhere is refused.
 * - The reserved namespace (`layeron/…`, the sealing key) is never packed: the sealing key
 *   stays its own secret, bound apart and anchoring the public key in its comment.
 * - A member is always an envelope object, never plain text: a plain value is packed as the
 *   one-version envelope it reads as (`plainEnvelope`).
 */
import { RESERVED_NAMESPACE, isSecretId } from "../limits.js"
import { describeType, EnvelopeError, findDuplicateKey, isPlainObject, validateEnvelope } from "../envelope/index.js"
import type { Envelope } from "../envelope/index.js"
import { isPhysicalName } from "../naming/index.js"
import { PackError } from "./errors.js"
import { PACK_FORMAT } from "./types.js"
import type { Pack, PackText } from "./types.js"

const PACK_KEYS = ["format", "pack", "members"] as const

/**
 * Reads the text stored under the pack `expectedPackName`. Throws `PackError` naming the pack
 * and, when one is at fault, the member; the error never quotes the text.
 */
export function parsePack(text: string, expectedPackName: string): Pack {
  const { members: rawMembers } = openPackText(text, expectedPackName)
  // fromEntries defines own properties, so no member id can reach a prototype.
  const members = Object.fromEntries(Object.keys(rawMembers).map((id) => [id, validateMember(expectedPackName, id, rawMembers[id])]))
  return { format: PACK_FORMAT, pack: expectedPackName, members }
}

/**
 * The first half of `parsePack`: every rule of the text as a whole (JSON, keys, format, pack
 * name, no key twice, member ids) with the members' envelopes left unchecked, for readers that
 * need one member (the Secret Product Worker checks only the member it serves, through
 * `validateMember`, so a bad member fails its own reads and no one else's).
 */
export function openPackText(text: string, expectedPackName: string): PackText {
  const at = { pack: expectedPackName }
  if (typeof text !== "string") throw new PackError({ ...at, path: "", rule: "not_a_string" }, `expected the stored text, got ${describeType(text)}.`)
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    // JSON.parse's messages quote the input: only the fact is reported.
    throw new PackError({ ...at, path: "", rule: "not_json" }, `the text (${text.length} characters) is not valid JSON. Rewrite the pack with \`layer secret pack\`.`)
  }
  if (!isPlainObject(data)) throw new PackError({ ...at, path: "", rule: "not_an_object" }, `expected a JSON object with "format", "pack" and "members", got ${describeType(data)}.`)
  // Before anything is read from it: JSON.parse keeps the last of two equal keys, so a second
  // "pack" or member would otherwise win silently.
  const duplicate = findDuplicateKey(text, data)
  if (duplicate !== undefined) throw duplicateKeyError(expectedPackName, duplicate.trail, duplicate.key)
  for (const key of Object.keys(data)) {
    if (!(PACK_KEYS as readonly string[]).includes(key)) {
      throw new PackError({ ...at, path: "", rule: "unknown_key" }, `${showKey(key)} is not allowed at the top level. Allowed keys: ${PACK_KEYS.join(", ")}.`)
    }
  }
  for (const key of PACK_KEYS) {
    if (!Object.hasOwn(data, key)) throw new PackError({ ...at, path: key, rule: "missing_key" }, `"${key}" is required.`)
  }
  if (data.format !== PACK_FORMAT) {
    throw new PackError({ ...at, path: "format", rule: "wrong_format" }, `"format" must be "${PACK_FORMAT}", got ${showName(data.format)}.`)
  }
  if (data.pack !== expectedPackName) {
    throw new PackError({ ...at, path: "pack", rule: "wrong_pack" }, `"pack" names ${showName(data.pack)}, not the secret it is stored under; a pack's text must not be copied into another pack.`)
  }
  if (!isPlainObject(data.members)) {
    throw new PackError({ ...at, path: "members", rule: "not_an_object" }, `must be an object mapping "namespace/name" to envelopes, got ${describeType(data.members)}.`)
  }
  for (const id of Object.keys(data.members)) checkMemberId(expectedPackName, id)
  return { pack: expectedPackName, members: data.members }
}

/** Checks one member's id and envelope; used by parse and by serialize (nothing is written that a read would refuse). */
export function validateMember(packName: string, id: string, raw: unknown): Envelope {
  checkMemberId(packName, id)
  try {
    return validateEnvelope(raw)
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error
    const path = error.path ? `members.${id}.${error.path}` : `members.${id}`
    // EnvelopeError's message names keys and rules, never a value (envelope/ contract).
    throw new PackError({ pack: packName, member: id, path, rule: "invalid_member", envelopeRule: error.rule }, error.problem)
  }
}

export function checkMemberId(packName: string, id: string): void {
  if (!isSecretId(id)) {
    throw new PackError({ pack: packName, path: "members", rule: "invalid_member_id" }, `${showKey(id)} is not a declaration id ("namespace/name").`)
  }
  if (id.startsWith(`${RESERVED_NAMESPACE}/`)) {
    throw new PackError({ pack: packName, member: id, path: `members.${id}`, rule: "reserved_member" }, `the "${RESERVED_NAMESPACE}" namespace is never packed; the sealing key stays its own secret.`)
  }
}

function duplicateKeyError(packName: string, trail: readonly string[], key: string): PackError {
  // trail: [] = top level, ["members"] = a member id, ["members", id, …] = inside a member.
  const member = trail[0] === "members" && trail.length >= 2 && isSecretId(trail[1]!) ? trail[1] : undefined
  if (trail.length === 1 && trail[0] === "members" && isSecretId(key)) {
    return new PackError({ pack: packName, member: key, path: "members", rule: "duplicate_key" }, `member "${key}" appears twice; JSON readers disagree on which one wins, so write it once.`)
  }
  const inside = member === undefined ? "" : ` in member "${member}"${trail.length > 2 ? ` (${trail.slice(2).map(showPathPart).join(".")})` : ""}`
  return new PackError({ pack: packName, ...(member === undefined ? {} : { member }), path: member === undefined ? "" : `members.${member}`, rule: "duplicate_key" }, `${showKey(key)} appears twice in the same object${inside}; JSON readers disagree on which one wins, so write it once.`)
}

/** Structure words and version ids are shown; anything else only by length (it may be a pasted value). */
function showPathPart(part: string): string {
  return /^[A-Za-z0-9._-]{1,64}$/.test(part) && part.length <= 24 ? part : `[${part.length} characters]`
}

function showKey(key: string): string {
  return /^[a-z][a-zA-Z]{0,23}$/.test(key) || isSecretId(key) ? `key "${key}"` : `a key of ${key.length} characters`
}

/** A pack or format name read from the text: quoted only when it has the shape of one. */
function showName(value: unknown): string {
  if (typeof value === "string" && (isPhysicalName(value) || value.startsWith("layeron.") && value.length <= 40 && /^[a-z0-9./]+$/.test(value))) return `"${value}"`
  return describeType(value)
}
