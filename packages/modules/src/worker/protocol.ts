/**
 * What travels over the service binding between an app Worker (runtime/) and the Secret
 * Product Worker (worker/). Plain data only: workerd's RPC keeps an Error's message but not
 * its fields, so failures come back as a value (`{ ok: false, error }`) and the app side
 * rebuilds the typed error from it. This file imports nothing, so both sides and Node can
 * load it.
 */

/** The service binding every app Worker reaches the Secret Product Worker through. */
export const SECRET_PRODUCT_BINDING = "LAYERON_SECRET"
/** The named entrypoint the service binding targets. */
export const SECRET_PRODUCT_ENTRYPOINT = "SecretProduct"
/**
 * The key of the service binding's `props` that names the calling backend: each app Worker's
 * `LAYERON_SECRET` binding carries `props: { backend: "<backend id>" }`, set by whoever
 * deploys the binding (never by the app's code), and the Secret Product Worker serves that
 * backend only the secrets it registers (docs/runtime.md, "Which secrets a backend reads").
 */
export const CALLER_PROP = "backend"
/** The var that carries the manifest (JSON) into the Secret Product Worker. */
export const SECRET_MANIFEST_VAR = "LAYERON_SECRET_MANIFEST"

/** Failures the Secret Product Worker reports. */
export type ProductErrorCode =
  | "secret_not_found"
  | "version_expired"
  | "unknown_version"
  | "invalid_envelope"
  | "expose_refused"
  | "product_unavailable"
  | "secret_not_registered"

/**
 * A failure as data. `message` names the secret id and, when known, the version id; it is
 * built from ids, times and physical names only, never from a stored value.
 */
export interface WireSecretError {
  code: ProductErrorCode
  secretId: string
  versionId?: string
  message: string
}

/** Which version a read asks for. `time` is an ISO 8601 instant. */
export type ReadSelector = { kind: "current" } | { kind: "version"; id: string } | { kind: "at"; time: string }

/**
 * One readable version. `value` is the stored text (base64url for random and generated
 * secrets); the app side decodes it by the declaration's format.
 */
export interface WireVersion {
  version: string
  createdAt?: string
  expiresAt?: string
  value: string
}

/**
 * A version `active()` left out because it cannot be opened (a sealed copy that does not
 * open with this environment's key, or no usable sealing key): its id, the typed error's
 * code and message. Value-free, like every failure.
 */
export interface WireSkipped {
  version: string
  code: ProductErrorCode
  message: string
}

/** `active()`'s answer: every readable version, and the ones left out, with why. */
export interface WireActive {
  versions: WireVersion[]
  skipped: WireSkipped[]
}

export type ProductReply<T> = { ok: true; value: T } | { ok: false; error: WireSecretError }

/** A version's id and times, without its value: what `versions()` answers for any secret. */
export interface WireVersionInfo {
  version: string
  createdAt?: string
  expiresAt?: string
}

/**
 * The options of `jwt(module, options)` that travel with a `use` operation: plain data, the
 * same fields the app gave (keys/jwt.ts checks them on both sides).
 */
export interface WireJwtOptions {
  algorithm?: string
  issuer?: string
  audience?: string | string[]
  subject?: string
  typ?: string
  maxTokenAge?: string | number
  requiredClaims?: string[]
  clockToleranceSeconds?: number
}

/** The verify options of one `jwt().verify()` call. */
export type WireJwtVerifyOptions = Omit<WireJwtOptions, "algorithm" | "issuer" | "clockToleranceSeconds">

/**
 * One operation on a `consume: { expose: "use" }` key, run inside the Secret Product Worker
 * by the same helper (`hmac()`, `jwt()`, `aead()`) an app runs on a versioned key (docs/runtime.md, "Keys the app can use
 * but never read"). Data and results cross the binding; the key never does.
 */
export type KeyOperation =
  | { helper: "hmac"; op: "sign"; data: Uint8Array }
  | { helper: "hmac"; op: "verify"; data: Uint8Array; signature: string; kid?: string }
  /** `claims` is JSON text: the token's payload is JSON, so nothing else could be signed anyway. */
  | { helper: "jwt"; options: WireJwtOptions; op: "sign"; claims: string; expiresIn: string | number }
  | { helper: "jwt"; options: WireJwtOptions; op: "verify"; token: string; verifyOptions?: WireJwtVerifyOptions }
  | { helper: "jwt"; options: WireJwtOptions; op: "jwks" }
  | { helper: "aead"; op: "encrypt"; data: Uint8Array; associatedData: Uint8Array }
  /** `rewrap` answers the new ciphertext only: the plaintext stays in the product. */
  | { helper: "aead"; op: "decrypt" | "decryptText" | "rewrap"; ciphertext: string; associatedData: Uint8Array }

/**
 * A failure of the helper itself (a token that does not verify, a key of the wrong kind), as
 * the `SigningError` the app would have thrown: code, ids, and a message built from ids.
 */
export interface WireKeyError {
  code: string
  secretId: string
  versionId?: string
  message: string
}

/**
 * What a `use` operation answers inside a successful reply: the helper's result, or its
 * failure. Failures of the read itself (not registered, expired current) are the reply's.
 */
export type KeyOutcome<T = unknown> = { ok: true; result: T } | { ok: false; error: WireKeyError }

/** The RPC surface of the `SecretProduct` entrypoint, as the app side sees it. */
export interface SecretProductRpc {
  read(secretId: string, selector: ReadSelector): Promise<ProductReply<WireVersion>>
  /** Older Secret Product Workers answer a bare array (nothing skipped). */
  active(secretId: string): Promise<ProductReply<WireActive | WireVersion[]>>
  /** Every active version's id and times, current first; never a value. */
  versions(secretId: string): Promise<ProductReply<WireVersionInfo[]>>
  /** Runs one operation on a `use` key inside the product; refused for other secrets. */
  use(secretId: string, operation: KeyOperation): Promise<ProductReply<KeyOutcome>>
}
