/**
 * Cloudflare's limits and Layeron's name rules, in one place so that the CLI's plans and
 * the Secret Product Worker check exactly the same numbers.
 */
export const Limits = {
  /** Cloudflare Secrets Store: a value may hold at most 65,536 UTF-8 bytes. */
  maxValueBytes: 65_536,
  /** Plans warn once a serialized value passes this share of maxValueBytes. */
  warnRatio: 0.8,
  /** Random and generated secrets: how many random bytes (inclusive range, default 32). */
  minBytes: 16,
  maxBytes: 1024,
  defaultBytes: 32,
  /** Shortest rotation interval, in days. */
  minEveryDays: 7,
  /** Secrets per account during the open beta. */
  accountSecretQuota: 100,
} as const

/** Declaration names and namespaces. */
export const DECLARATION_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/
/** Names a user may pass to `layer secret set`, as Cloudflare accepts them. */
export const CLOUDFLARE_SECRET_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/
/** Version ids inside an envelope. */
export const VERSION_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/
/** The namespace that holds the product's own secrets (the sealing key). */
export const RESERVED_NAMESPACE = "layeron"
export const DEFAULT_NAMESPACE = "default"

/** Whether `id` is a declaration id, `namespace/name` with both parts matching DECLARATION_NAME_PATTERN. */
export function isSecretId(id: string): boolean {
  const [namespace, name, extra] = id.split("/")
  return extra === undefined && name !== undefined && DECLARATION_NAME_PATTERN.test(namespace ?? "") && DECLARATION_NAME_PATTERN.test(name)
}

/** UTF-8 byte length, the measure Cloudflare applies. */
export function utf8ByteLength(text: string): number {
  return new TextEncoder().encode(text).byteLength
}
