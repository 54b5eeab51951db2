/**
 * The rotation state format (`layeron.secret-rotation/v1`), one JSON file per secret under
 * `.layeron/secret-rotation/<env>/`. It holds what rotation needs to extend an envelope it
 * cannot read back: every version's times and a sealed copy of its value. No plaintext.
 */
import type { JsonWebKey } from "node:crypto"
import type { RetainOptions } from "@layeron/modules/declare"

export const STATE_FORMAT = "layeron.secret-rotation/v1"
export const PUBLIC_KEY_FORMAT = "layeron.sealing-key/v1"

export interface SealedVersion {
  /** `ls1.…`: only the environment's sealing private key (in the store) opens it. */
  sealed: string
  createdAt?: string
  expiresAt?: string
}

export interface RotationLogEntry {
  at: string
  /** `set`, `rotate`, `deploy`, `revoke` (versions removed; `version` is the current one kept): `re-anchor`: the store's anchor was replaced by a person's decision. */
  action: string
  version: string
  /** The command line, without values. */
  command: string
  /**
   * Set when a later run completed this entry from a pending intent (the writing run was
   * killed after its provider write): the write happened at `at`, recorded afterwards.
   */
  recovered?: true
  /** `revoke`: the versions it removed (a rerun of the same revoke finds them here and has nothing to do). */
  revoked?: string[]
}

/** A write recorded before it is sent (docs/design.md#rotation, crash safety). */
export interface PendingWrite {
  action: string
  /** The version the write makes current. */
  versionId: string
  /** The envelope's versions exactly as the write sends them, sealed. */
  current: string
  versions: Record<string, SealedVersion>
  startedAt: string
  command: string
  /** The provider's `modified` read just before the write (undefined: the secret did not exist). */
  providerModifiedBefore?: string
  /** The declaration's rotation policy the write was made under (recorded on completion). */
  policy?: RotationPolicy
  /**
   * The integrity anchor this write puts into the secret's comment, in the same request as
   * the value: a later run sees it in the store exactly when the write landed.
   */
  anchor?: string
  /** `revoke`: the versions this write removes (copied to the log entry on completion). */
  revoked?: string[]
  /** Fingerprints of the versions this write knows (see SecretState.fingerprints). */
  fingerprints?: Record<string, string>
  /** The `digests` the state will hold after the write (SecretState.digests). */
  digests?: ValueDigests
}

/**
 * Per version id, set by `secret set` and `secret import` for a plain value they wrote:
 * HMAC-SHA-256 of the value under the writer's own fingerprint key (LAYERON_HOME), 64 hex. It
 * reveals nothing without that key; it lets the same writer's rerun see that the current
 * version already holds the value (a set rerun after a crash adds no second version). Kept
 * beside `versions`, not in them, so that `versions` stays an envelope's versions. Not covered
 * by the anchor: a forged digest cannot match a value without the writer's key.
 */
export type ValueDigests = Record<string, string>

export type RotationPolicy = { everyDays: number; startAt?: string; retain: RetainOptions }

export interface SecretState {
  format: typeof STATE_FORMAT
  /** `namespace/name` of the declaration. */
  secret: string
  physicalName: string
  kind: "static" | "random" | "generated"
  /** The rotation policy the state was last written under (to notice a changed declaration). */
  policy?: RotationPolicy
  provider: { kind: "local" | "cloudflare"; secretId?: string; modified?: string }
  /** What the store holds, as of the last completed write. */
  current?: string
  versions: Record<string, SealedVersion>
  /**
   * Version id → the fingerprint of its value (first 8 hex of HMAC-SHA-256 under the writer's
   * per-user key), recorded by the write that made the version; shown by `layer secret
   * versions`. Display only: not covered by the anchor, and keyed per user, so it matches
   * what `secret set` prints only for the person who wrote it.
   */
  fingerprints?: Record<string, string>
  /** Keyed digests of values written by `secret set` and `secret import`, by version id (ValueDigests). */
  digests?: ValueDigests
  pending?: PendingWrite
  log: RotationLogEntry[]
}

export interface PublicKeyFile {
  format: typeof PUBLIC_KEY_FORMAT
  environment: string
  /** Physical name of the secret that holds the private half. */
  physicalName: string
  publicKey: JsonWebKey
  fingerprint: string
  createdAt: string
  /** Explicit re-anchorings of this key (`layer secret rotate --re-anchor`). */
  log?: RotationLogEntry[]
  /**
   * Written before the private half is stored, removed once it is: a pending key never
   * seals anything, and the next writer replaces it with a fresh pair.
   */
  pending?: true
}
