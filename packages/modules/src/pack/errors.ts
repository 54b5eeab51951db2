import type { EnvelopeRule } from "../envelope/index.js"
import { PACK_FORMAT } from "./types.js"
import type { PackRule } from "./types.js"

/**
 * A pack text is not what docs/design.md#packing says (edited in the dashboard, copied from
 * another pack, truncated), or a pack to write would break a rule. The message names the
 * pack and, where one is at fault, the member; it never repeats a value, a sealed text or a
 * string that failed validation.
 */
export class PackError extends Error {
  override readonly name = "PackError"
  readonly code = "invalid_pack" as const
  /** The pack's physical name (the one expected, never one read from the text). */
  readonly pack: string
  /** The member at fault (`namespace/name`), when the problem is inside one. */
  readonly member: string | undefined
  /** Where the problem is, e.g. `members.auth/session-key.versions.v2.expiresAt`; "" for the whole text. */
  readonly path: string
  readonly rule: PackRule
  /** For `invalid_member`: the envelope rule the member broke. */
  readonly envelopeRule: EnvelopeRule | undefined

  constructor(at: { pack: string; member?: string; path: string; rule: PackRule; envelopeRule?: EnvelopeRule }, problem: string) {
    const where = `${at.member === undefined ? "" : ` member "${at.member}"`}${at.path ? ` at ${at.path}` : ""}`
    super(`Pack ${at.pack}${where} is not a valid ${PACK_FORMAT} text: ${problem}`)
    this.pack = at.pack
    this.member = at.member
    this.path = at.path
    this.rule = at.rule
    this.envelopeRule = at.envelopeRule
  }
}
