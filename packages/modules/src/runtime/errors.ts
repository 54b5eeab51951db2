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
/**
 * The calling backend does not register this secret (`app.use()` or its `layeron` export), or
 * its service binding does not name a backend of the project: the Secret Product Worker
 * serves each backend only its own secrets. The message names the backend and the secret.
 */
export class SecretNotRegisteredError extends SecretError {
  override name = "SecretNotRegisteredError"
  declare readonly code: "secret_not_registered"
  constructor(details: SecretErrorDetails) {
    super({ ...details, code: "secret_not_registered" })
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
  secret_not_registered: SecretNotRegisteredError,
}

/** The longest caller input a message quotes; the rest is cut and said to be. */
export const MAX_QUOTED_INPUT = 64
/** The longest message taken from the product's answer. */
export const MAX_WIRE_MESSAGE = 1_000

/**
 * Caller input as a message may show it: quoted, at most `max` characters (then `…(N more)`),
 * and every character a terminal or a log viewer would act on written as an escape (C0 and
 * C1 controls, DEL, line and paragraph separators, bidirectional overrides), so that no
 * input can add lines, move the cursor, write the clipboard or reorder what is shown.
 */
export function quoteInput(value: string, max = MAX_QUOTED_INPUT): string {
  const chars = Array.from(value)
  const shown = chars.slice(0, max).join("")
  const rest = chars.length - Math.min(chars.length, max)
  // Quote and backslash first, so that the quoted form is unambiguous; then the controls.
  return `"${escapeControls(shown.replace(/["\\]/g, "\\$&"))}"${rest > 0 ? `…(${rest} more characters)` : ""}`
}

// C0, DEL, C1, U+2028/2029, and the bidi embeddings, overrides and isolates.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** `text` with each control character written as an escape (`\n`, `\u001b`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_CHARS, (char) => {
    if (char === "\n") return "\\n"
    if (char === "\r") return "\\r"
    if (char === "\t") return "\\t"
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`
  })
}

/**
 * Untrusted text as a field or message may carry it, unquoted: at most `max` characters (then
 * `…`), control characters escaped. For text from the other side of the binding, and ids.
 */
export function boundedText(value: unknown, max: number): string {
  const chars = Array.from(String(value))
  return escapeControls(chars.length > max ? `${chars.slice(0, max).join("")}…` : chars.join(""))
}

/** Rebuilds the typed error from what crossed the service binding. */
export function secretErrorFromWire(wire: WireSecretError): SecretError {
  // A newer product may send a code this copy does not know: it still surfaces, as unavailable.
  const ErrorClass = Object.hasOwn(CLASS_BY_CODE, wire.code) ? CLASS_BY_CODE[wire.code] : ProductUnavailableError
  // The message may quote what a caller sent (a version id through a raw binding call): it
  // reaches logs and terminals escaped and bounded like any caller input.
  const details: SecretErrorDetails = { secretId: boundedText(wire.secretId, MAX_QUOTED_INPUT * 2), message: boundedText(wire.message, MAX_WIRE_MESSAGE) }
  if (typeof wire.versionId === "string") details.versionId = boundedText(wire.versionId, MAX_QUOTED_INPUT)
  return new ErrorClass(details)
}

/** True for a SecretError from any copy of this package (bundles may hold more than one). */
export function isSecretError(error: unknown): error is SecretError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[SECRET_ERROR_BRAND] === true
}

/** App-side failures: the product could not be asked, or the answer did not decode. */
export const appFailures = {
  /** `version(id)` with an id no envelope can hold: answered here, the id quoted bounded and escaped. */
  notAVersionId: (secretId: string, id: string) =>
    new UnknownVersionError({
      secretId,
      versionId: boundedText(id, MAX_QUOTED_INPUT),
      message: `Secret "${secretId}" has no version ${quoteInput(id)}: a version id is 1 to 64 of A-Z a-z 0-9 . _ - (such as "v2"). Use active() to list the readable versions.`,
    }),
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
