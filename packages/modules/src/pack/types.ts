import type { Envelope, EnvelopeRule } from "../envelope/index.js"

/** The format tag every pack text starts with (docs/design.md#packing). */
export const PACK_FORMAT = "layeron.pack/v1"

/**
 * One physical secret holding several declarations' envelopes (docs/design.md#packing):
 * `{"format":"layeron.pack/v1","pack":"<its own physical name>","members":{"<namespace/name>": <envelope>}}`.
 * A member's sealed versions stay sealed to the member's own physical name, so a sealed copy
 * moves between packed and unpacked form unchanged.
 */
export interface Pack {
  format: typeof PACK_FORMAT
  /** The pack's own physical name (`packPhysicalName`), so a pack copied under another name is refused. */
  pack: string
  /** Keyed by declaration id, `namespace/name`; each value is an envelope as docs/design.md#values says. */
  members: Record<string, Envelope>
}

/** A pack text checked as a whole, its members' envelopes not yet validated (`openPackText`). */
export interface PackText {
  pack: string
  /** Member id → the parsed JSON of its envelope; pass it to `validateMember` before use. */
  members: Record<string, unknown>
}

/** The rule a pack text broke, for programs; the message says it for people. */
export type PackRule =
  | "not_a_string"
  | "not_json"
  | "not_an_object"
  | "unknown_key"
  | "missing_key"
  | "wrong_format"
  | "wrong_pack"
  | "duplicate_key"
  | "invalid_member_id"
  | "reserved_member"
  | "invalid_member"
  | "too_large"

export type { EnvelopeRule }
