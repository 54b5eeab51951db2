/**
 * The one write-only interface both providers implement (docs/design.md#providers). There is deliberately
 * no method that reads a value back: Cloudflare cannot, so nothing above this layer may
 * depend on it. (`layer dev` reads the local store through the local provider's own
 * `decryptAll`, which is not part of this interface.)
 */
export interface SecretMetadata {
  /** The Cloudflare secret name (`lo_…` or an operator's name). */
  name: string
  /** Provider id; stable across value updates. */
  id: string
  /** RFC 3339; changes on every write. Rotation uses it to detect writes it did not make. */
  modified: string
  created: string
  /**
   * The secret's comment: metadata the store returns on list (values never come back).
   * Layeron keeps its integrity anchor here (rotation/integrity); undefined when empty.
   */
  comment?: string
}

export interface UpsertOptions {
  /** Written in the same request as the value (replaces the previous comment). */
  comment?: string
  /**
   * Local store only: replace a record that does not decrypt (it is set aside, not deleted).
   * Without it such a record is refused (`local_record_unreadable`): `secret set --replace-all`.
   */
  replaceUnreadable?: boolean
}

export interface StoreRef {
  id: string
  name: string
}

export interface ListPage {
  secrets: SecretMetadata[]
  /** Pass back to `listPage` for the next page; undefined on the last page. */
  nextPage?: number
}

export type UpsertResult = SecretMetadata & { action: "created" | "updated" }

/** One secret of a batch creation (`createMany`). */
export interface NewSecretEntry {
  name: string
  value: SecretText
  /** Written with the value, as `UpsertOptions.comment`. */
  comment?: string
}

/**
 * What a failed `createMany` reports in its error's `details.batch`, read back from the store
 * after the failure: every name sent is in exactly one list. `landed`: in the store now;
 * `notLanded`: not in it; `unknown`: the store could not be read back.
 */
export interface BatchOutcome {
  landed: string[]
  notLanded: string[]
  unknown: string[]
}

const REFUSED_BEFORE_SENDING = new WeakSet<object>()

/**
 * Marks `error` as a provider's refusal raised before any write left this process (a packed
 * provider's checks of the pack and its members): the store is certainly as it was, so a
 * write-ahead intent recorded for the write can be dropped at once instead of left for the
 * next run to settle. Returns the error, to be thrown.
 */
export function refusedBeforeSending<E>(error: E): E {
  if (typeof error === "object" && error !== null) REFUSED_BEFORE_SENDING.add(error)
  return error
}

export function wasRefusedBeforeSending(error: unknown): boolean {
  return typeof error === "object" && error !== null && REFUSED_BEFORE_SENDING.has(error)
}

export interface SecretProvider {
  /** `local` or `cloudflare`. */
  readonly kind: "local" | "cloudflare"
  /** Find (or, for Cloudflare, adopt or create) the environment's store. */
  resolveStore(): Promise<StoreRef>
  /** Whether the environment's store exists, never creating one (a dry run must write nothing). Absent: resolveStore creates nothing. */
  storeExists?(): Promise<boolean>
  /** One page of secret metadata. */
  listPage(page?: number): Promise<ListPage>
  /** Every secret's metadata, all pages. */
  listAll(): Promise<SecretMetadata[]>
  /** Metadata of one secret by exact name, or undefined. */
  find(name: string): Promise<SecretMetadata | undefined>
  /** Create the secret or replace its value in place (same id). */
  upsert(name: string, value: SecretText, options?: UpsertOptions): Promise<UpsertResult>
  /**
   * Replace only the comment of an existing secret (its value stays; `modified` moves on).
   * Used by the explicit re-anchoring step and to anchor a sealing key written before anchors.
   */
  annotate(name: string, comment: string): Promise<UpsertResult>
  /** Delete by exact name; false when it did not exist. */
  delete(name: string): Promise<boolean>
  /**
   * The account's secret quota and usage, where the provider has one (Cloudflare), so that a
   * bulk write can be refused before its first write rather than stop at the limit midway.
   */
  capacity?(): Promise<{ usage: number; quota: number } | undefined>
  /**
   * How many physical secrets writing these names (none of them stored yet) creates, where that
   * is not one each: a packed environment creates a pack, not a secret per member. Absent: one each.
   */
  physicalCreates?(names: readonly string[]): Promise<number>
  /**
   * Create secrets that do not exist yet, in as few requests as the store allows (Cloudflare:
   * one bulk request; the API takes a list). Every name and value is checked before any
   * request. On failure the error (a LayerError with the cause's code) carries
   * `details.batch: BatchOutcome`, found by reading the store back, and its message names
   * what landed. Optional: a provider without it is written secret by secret.
   */
  createMany?(entries: readonly NewSecretEntry[]): Promise<UpsertResult[]>

  /**
   * Where the store allows it (the local provider): run a batch of writes so that all of it
   * lands or none of it does. Providers without it write one by one.
   */
  transaction?<T>(batch: () => Promise<T>): Promise<T>
}

/**
 * A secret value in transit. Its text is reachable only through `reveal()`, so logging,
 * JSON or string interpolation of the wrapper shows `[redacted]`, never the value.
 */
export class SecretText {
  readonly #value: string
  constructor(value: string) {
    this.#value = value
  }
  reveal(): string {
    return this.#value
  }
  get byteLength(): number {
    return Buffer.byteLength(this.#value, "utf8")
  }
  toString(): string {
    return "[redacted]"
  }
  toJSON(): string {
    return "[redacted]"
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "SecretText [redacted]"
  }
}
