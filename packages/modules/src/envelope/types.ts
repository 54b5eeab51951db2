import type { RetainOptions, ValueFormat } from "../declare/types.js"

export type { RetainOptions, ValueFormat }

/** Times a version may carry: RFC 3339 strings (docs/design.md#values). */
interface VersionTimes {
  createdAt?: string
  /** From this instant on (inclusive) the version is unreadable. */
  expiresAt?: string
}

/** A version stored in the clear: the value itself. */
export type PlainVersion = VersionTimes & { value: string; sealed?: never }
/** A carried-forward version, sealed to the environment's sealing key (docs/design.md#rotation). */
export type SealedVersion = VersionTimes & { sealed: string; value?: never }
/** Exactly one of `value` or `sealed`. */
export type EnvelopeVersion = PlainVersion | SealedVersion

export interface Envelope {
  /** The id of the version `current()` reads. */
  current: string
  versions: Record<string, EnvelopeVersion>
}

/**
 * What a stored secret text means: plain text is an envelope with one version, `v1`; text
 * that parses as a JSON object with both `current` and `versions` is an envelope.
 */
export type StoredValue = { kind: "plain"; envelope: Envelope } | { kind: "envelope"; envelope: Envelope }

/** The payload of a new version: exactly one of `value` or `sealed`. */
export type VersionEntry = { value: string; sealed?: never } | { sealed: string; value?: never }

export type SelectionFailureCode = "unknown_version" | "version_expired" | "no_version_at"

/** The outcome of choosing a version; failures carry a code that the runtime maps to a typed error. */
export type Selection =
  | { ok: true; id: string; version: EnvelopeVersion }
  | { ok: false; code: SelectionFailureCode; versionId?: string }

/** One readable version, as `selectActive` lists them. */
export interface ActiveVersion {
  id: string
  version: EnvelopeVersion
}

export interface TransitionInput {
  /** Usually `nextVersionId(envelope)`; must not exist yet. */
  newVersionId: string
  newEntry: VersionEntry
  /** The rotation instant: the new version's createdAt. */
  at: Date
  /** What happens to the previous current version. */
  retain: RetainOptions
}

/** What a transition does to the versions, for plans (ids in version order, oldest first). */
export interface TransitionSummary {
  /** Versions present before and after. */
  kept: string[]
  /** Versions present after the transition that will expire, with when. */
  expiring: { id: string; expiresAt: string }[]
  /** Versions present before and gone after. */
  dropped: string[]
  /** Versions that did not exist before (the new current). */
  added: string[]
}

export type SizeStatus = "ok" | "warn" | "too_large"

export interface SizeCheck {
  bytes: number
  /** Cloudflare's limit, 65,536 bytes. */
  limit: number
  /** bytes / limit. */
  ratio: number
  /** `warn` above 80 % of the limit, `too_large` above the limit. */
  status: SizeStatus
}

/** The rule an invalid envelope broke, for programs; the message says it for people. */
export type EnvelopeRule =
  | "not_an_object"
  | "duplicate_key"
  | "unknown_key"
  | "missing_key"
  | "wrong_type"
  | "invalid_version_id"
  | "no_versions"
  | "value_and_sealed"
  | "no_value"
  | "invalid_sealed"
  | "invalid_time"
  | "expires_before_created"
  | "current_unknown"
  | "current_expired"

/** The parts of a sealed text, `ls1.<ephemeral key>.<iv>.<ciphertext>` (docs/design.md#rotation). */
export interface SealedParts {
  /** Uncompressed P-256 point, 65 bytes starting with 0x04. */
  ephemeralPublicKey: Uint8Array<ArrayBuffer>
  /** AES-GCM nonce, 12 bytes. */
  iv: Uint8Array<ArrayBuffer>
  /** AES-GCM ciphertext followed by its 16-byte tag. */
  ciphertext: Uint8Array<ArrayBuffer>
}
