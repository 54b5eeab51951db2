/**
 * The shapes of a secret declaration (DESIGN §3). A declaration is plain data: the CLI reads
 * it to plan writes, rotations and bindings; the runtime reads it to route reads.
 */
export type SecretKind = "static" | "random" | "generated"

export type RetainOptions =
  | { mode: "none" }
  | { mode: "retain_for"; days: number }
  | { mode: "retain_forever" }

export type RetainMode = RetainOptions["mode"]

export interface RotationOptions {
  /** Days between rotations; an integer of at least 7. */
  everyDays?: number
  /** RFC 3339 anchor: rotations fall due at startAt + k·everyDays. */
  startAt?: string
  /** What happens to the previous version; default `{ mode: "none" }`. */
  retain?: RetainOptions
}

/** How a value is encoded in storage: random/generated are base64url, static values are text. */
export type ValueFormat = "text" | "base64url"
export type ExposeMode = "versioned" | "current"

export interface BaseSecretOptions {
  /** Stable name: `^[a-z0-9][a-z0-9_-]{0,62}$`. */
  name: string
  /** Defaults to `"default"`; `"layeron"` is reserved. */
  namespace?: string
  rotation?: RotationOptions
  value?: { format?: ValueFormat }
  consume?: { address?: string; expose?: ExposeMode }
  ownership?: { ownerProduct?: string; ownerInstanceId?: string; purpose?: string }
  /**
   * Adopt an existing, operator-named Cloudflare secret (for example `STRIPE_SECRET`)
   * instead of the generated `lo_…` name.
   */
  secretName?: string
}

export interface StaticSecretOptions extends Omit<BaseSecretOptions, "rotation"> {
  /** Static values are owned by the operator: rotation is an error. */
  rotation?: never
}
export interface RandomSecretOptions extends BaseSecretOptions {
  /** Random bytes per version, integer 16..1024, default 32. */
  bytes?: number
}
export interface GeneratedSecretOptions extends BaseSecretOptions {
  bytes?: number
}

/** A normalized, validated declaration: every default filled in. */
export interface SecretDeclaration {
  kind: SecretKind
  namespace: string
  name: string
  /** `namespace/name`, the identity used by the CLI and the manifest. */
  id: string
  /** Present for random and generated secrets. */
  bytes?: number
  rotation?: { everyDays: number; startAt?: string; retain: RetainOptions }
  format: ValueFormat
  expose: ExposeMode
  address?: string
  ownership?: { ownerProduct?: string; ownerInstanceId?: string; purpose?: string }
  /** An adopted Cloudflare secret name, when the declaration does not use `lo_…`. */
  secretName?: string
}

/** Marks objects created by `secret.*()` across copies of this package. */
export const SECRET_MODULE_BRAND = Symbol.for("layeron.secret.module")
/** Where `backend()` keeps the modules registered with `app.use(module)`. */
export const REGISTERED_MODULES = Symbol.for("layeron.backend.modules")
