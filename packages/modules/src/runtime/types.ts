/** The reader surface application code sees on every `secret.*()` module (docs/design.md#runtime). */
import type { SecretErrorCode } from "./errors.js"

/** Anything `at()` accepts: a Date, epoch milliseconds, or an RFC 3339 / ISO 8601 string. */
export type SecretTime = Date | string | number

/** Which version a read resolved to, and its times (RFC 3339), when the envelope records them. */
export interface SecretVersionInfo {
  version: string
  createdAt?: string
  expiresAt?: string
}

/** The three ways to read a value. */
export interface ValueReaders {
  /** The stored text: the text of a static secret, the base64url string of a random/generated one. */
  text(): Promise<string>
  /** The bytes: base64url-decoded for random/generated secrets, UTF-8 for text. Backed by an `ArrayBuffer`, so they go to WebCrypto as they are. */
  bytes(): Promise<Uint8Array<ArrayBuffer>>
  /** `JSON.parse` of the text; throws `InvalidValueError` (which never shows the value) if it is not JSON. */
  json<T = unknown>(): Promise<T>
}

/**
 * A handle on one version. Nothing is read until a reader is called, and each reader call
 * asks the Secret Product Worker afresh, so a handle kept at module scope never goes stale.
 * When the version id must match the value (to store it beside data encrypted with the
 * key), call `resolve()` once and read both from its answer.
 */
export interface SecretValue extends ValueReaders {
  /** Fetches once: the version id, its times and readers over that one fetched value. */
  resolve(): Promise<ResolvedVersion>
}

/** A fetched version: metadata plus readers that need no further request. */
export interface ResolvedVersion extends SecretVersionInfo, ValueReaders {}

/** One readable version from `active()`. */
export type ActiveVersion = ResolvedVersion

/**
 * A version `active()` left out because it cannot be opened: its id and the typed error
 * `version(id)` of it fails with (`code`: `invalid_envelope` for a sealed copy that does not
 * open, `product_unavailable` without a usable sealing key). Never a value.
 */
export interface SkippedVersion {
  version: string
  code: SecretErrorCode
  message: string
}

/**
 * `active()`'s answer: an array of the readable versions (so existing code keeps working),
 * with `skipped` (not enumerable: it does not show in spreads or JSON) listing the versions
 * left out. Empty when every active version opened.
 */
export type ActiveVersions = ActiveVersion[] & { readonly skipped: readonly SkippedVersion[] }

export interface SecretReaders {
  /** The current version. */
  current(): SecretValue
  /** A version by id, e.g. `"v2"`; fails with `UnknownVersionError` or `VersionExpiredError`. */
  version(id: string): SecretValue
  /** The version that was current at `time`: the latest `createdAt` at or before it. */
  at(time: SecretTime): SecretValue
  /**
   * Every readable version: current first, then the others newest first. An older version
   * that cannot be opened is left out and listed in `.skipped`; it never fails the call.
   */
  active(): Promise<ActiveVersions>
  /**
   * Every readable version's id and times, current first, without any value: allowed for every
   * `expose`, and the way to see the versions of a `use` key, whose values are never read.
   */
  versions(): Promise<SecretVersionInfo[]>
}
