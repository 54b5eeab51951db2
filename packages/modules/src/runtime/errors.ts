/**
 * Typed read errors (docs/design.md#runtime). One class per failure, each with a `code`, the secret id and,
 * when known, the version id. Messages are built from ids, times and names only: no
 * constructor here takes a value, so no error can print one.
 */
import type { ProductErrorCode, WireSecretError } from "../worker/protocol.js"

/** `invalid_value` is raised app-side when a value does not decode as `.json()`/`.bytes()` ask. */
export type SecretErrorCode = ProductErrorCode | "invalid_value"

export interface SecretErrorData {
  code: SecretErrorCode
  /** `namespace/name` */
  secretId: string
  versionId?: string
  message: string
}

/** What a specific error class needs: its code is implied by the class. */
export type SecretErrorDetails = Omit<SecretErrorData, "code">

const SECRET_ERROR_BRAND = Symbol.for("layeron.secret.error")

export class SecretError extends Error {
  override name = "SecretError"
  readonly code: SecretErrorCode
  readonly secretId: string
  readonly versionId: string | undefined

  constructor(data: SecretErrorData) {
    super(data.message)
    this.code = data.code
    this.secretId = data.secretId
    this.versionId = data.versionId
    Object.defineProperty(this, SECRET_ERROR_BRAND, { value: true })
  }

  toJSON(): SecretErrorData {
    const data: SecretErrorData = { code: this.code, secretId: this.secretId, message: this.message }
    if (this.versionId !== undefined) data.versionId = this.versionId
    return data
  }
}

/** The secret is not declared to the Secret Product Worker, or has no stored value. */
export class SecretNotFoundError extends SecretError {
  override name = "SecretNotFoundError"
  declare readonly code: "secret_not_found"
  constructor(details: SecretErrorDetails) {
    super({ ...details, code: "secret_not_found" })
  }
}
/** The version exists but its `expiresAt` has passed. */
export class VersionExpiredError extends SecretError {
  override name = "VersionExpiredError"
  declare readonly code: "version_expired"
  constructor(details: SecretErrorDetails) {
    super({ ...details, code: "version_expired" })
  }
}
/** No such version id, or no version existed at the time given to `at()`. */
export class UnknownVersionError extends SecretError {
  override name = "UnknownVersionError"
  declare readonly code: "unknown_version"
  constructor(details: SecretErrorDetails) {
    super({ ...details, code: "unknown_version" })
  }
}
/** The stored value looks like an envelope but breaks its rules, or a sealed copy does not open. */
export class InvalidEnvelopeError extends SecretError {
  override name = "InvalidEnvelopeError"
  declare readonly code: "invalid_envelope"
  constructor(details: SecretErrorDetails) {
    super({ ...details, code: "invalid_envelope" })
  }
}
/** The declaration says `consume.expose: "current"` and something other than `current()` was asked. */
export class ExposeRefusedError extends SecretError {
  override name = "ExposeRefusedError"
  declare readonly code: "expose_refused"
  constructor(details: SecretErrorDetails) {
    super({ ...details, code: "expose_refused" })
  }
}
/** The Secret Product Worker cannot be reached or is misconfigured. */
export class ProductUnavailableError extends SecretError {
  override name = "ProductUnavailableError"
  declare readonly code: "product_unavailable"
  constructor(details: SecretErrorDetails) {
    super({ ...details, code: "product_unavailable" })
  }
}
/** The value does not decode the way the reader asked (`.json()` on non-JSON, bad base64url). */
export class InvalidValueError extends SecretError {
  override name = "InvalidValueError"
  declare readonly code: "invalid_value"
  constructor(details: SecretErrorDetails) {
    super({ ...details, code: "invalid_value" })
  }
}

const CLASS_BY_CODE: Record<SecretErrorCode, new (details: SecretErrorDetails) => SecretError> = {
  secret_not_found: SecretNotFoundError,
  version_expired: VersionExpiredError,
  unknown_version: UnknownVersionError,
  invalid_envelope: InvalidEnvelopeError,
  expose_refused: ExposeRefusedError,
  product_unavailable: ProductUnavailableError,
  invalid_value: InvalidValueError,
}

/** Rebuilds the typed error from what crossed the service binding. */
export function secretErrorFromWire(wire: WireSecretError): SecretError {
  // A newer product may send a code this copy does not know: it still surfaces, as unavailable.
  const ErrorClass = Object.hasOwn(CLASS_BY_CODE, wire.code) ? CLASS_BY_CODE[wire.code] : ProductUnavailableError
  const details: SecretErrorDetails = { secretId: String(wire.secretId), message: String(wire.message) }
  if (typeof wire.versionId === "string") details.versionId = wire.versionId
  return new ErrorClass(details)
}

/** True for a SecretError from any copy of this package (bundles may hold more than one). */
export function isSecretError(error: unknown): error is SecretError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[SECRET_ERROR_BRAND] === true
}

/** App-side failures: the product could not be asked, or the answer did not decode. */
export const appFailures = {
  outsideWorker: (secretId: string) =>
    new ProductUnavailableError({
      secretId,
      message:
        `Secret "${secretId}" can only be read inside a Worker, or in a test inside \`testSecrets(...).run(() => ...)\` (from @layeron/modules/testing); ` +
        `"cloudflare:workers" is not available here. In a test, wrap the read or the request: \`await t.run(() => app.request("/"))\`; ` +
        `to run the app, use \`layer dev\` or \`layer deploy\`.`,
    }),
  noServiceBinding: (secretId: string, binding: string) =>
    new ProductUnavailableError({
      secretId,
      message: `This Worker has no "${binding}" service binding, so secret "${secretId}" cannot be read. Run it with \`layer dev\` or deploy it with \`layer deploy\`, which add the binding.`,
    }),
  unreachable: (secretId: string) =>
    new ProductUnavailableError({
      secretId,
      message: `The Secret Product Worker did not answer a read of secret "${secretId}". Retry; if it persists, redeploy with \`layer deploy\`.`,
    }),
  notJson: (secretId: string, versionId: string) =>
    new InvalidValueError({ secretId, versionId, message: `Version "${versionId}" of secret "${secretId}" is not valid JSON, so .json() cannot parse it. Use .text(), or store JSON text.` }),
  notBase64url: (secretId: string, versionId: string) =>
    new InvalidValueError({
      secretId,
      versionId,
      message: `Version "${versionId}" of secret "${secretId}" is not valid base64url although its format is "base64url", so .bytes() cannot decode it. Rewrite the value, or declare value.format "text".`,
    }),
}
