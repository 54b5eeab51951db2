/**
 * The committed record of a packed environment (docs/design.md#packing):
 * `.layeron/secret-rotation/<env>/packs.json`, format `layeron.secret-packs/v1`. It holds which
 * declaration lives in which pack (so a new declaration never reshuffles the others), and,
 * per member, the member state's anchor as last written into the pack. The pack's own
 * Cloudflare `comment` is a digest over those anchors (anchor.ts), so the store vouches for
 * this file and, through it, for every member's rotation state. No plaintext.
 */
export const PACKS_FORMAT = "layeron.secret-packs/v1"

export interface PackMember {
  /** The declaration, `namespace/name`: the member's key inside the pack. */
  secret: string
  /** The member's own unpacked `lo_` name: its rotation state file and its sealing associated data. */
  physicalName: string
  /** The member state's anchor (rotation/anchor.ts) as the pack holds it; absent: assigned, no value yet. */
  anchor?: string
  /** The pack's `modified` after the write that last wrote this member (what the member's state records). */
  modified?: string
}

export interface PackRecord {
  index: number
  /** `lo_…` from packPhysicalName(workspace, project, environment, index). */
  physicalName: string
  /** Sorted by `secret`. */
  members: PackMember[]
  /** The pack's comment as last written (anchor.ts, packAnchor); absent: never written. */
  anchor?: string
  modified?: string
  secretId?: string
  /**
   * Set by `layer secret unpack` once every member is stored unpacked again: the pack is
   * kept (a running Worker may still read it) until the redeploy, then deleted.
   */
  retired?: true
}

/** A pack rewrite recorded before it is sent: settled by the pack's comment (landed iff it is `anchor`). */
export interface PendingPackWrite {
  pack: string
  /** The members whose writes this is (their `modified` moves with the pack); none for `secret pack`. */
  written: string[]
  /** The members as the write sends them. */
  members: PackMember[]
  anchor: string
  modifiedBefore?: string
  startedAt: string
}

export interface PacksFile {
  format: typeof PACKS_FORMAT
  environment: string
  packs: PackRecord[]
  pending?: PendingPackWrite
}
