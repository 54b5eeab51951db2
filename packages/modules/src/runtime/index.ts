/**
 * The runtime side of Layeron Secret: what application code calls to read a secret inside a
 * Worker. Exported from `@layeron/modules` as well.
 */
export { createSecretReaders } from "./readers.js"
export {
  SecretError,
  SecretNotFoundError,
  VersionExpiredError,
  UnknownVersionError,
  InvalidEnvelopeError,
  ExposeRefusedError,
  ProductUnavailableError,
  InvalidValueError,
  SecretNotRegisteredError,
  isSecretError,
} from "./errors.js"
export type { SecretErrorCode, SecretErrorData, SecretErrorDetails } from "./errors.js"
export type { SecretReaders, SecretValue, ValueReaders, ResolvedVersion, ActiveVersion, ActiveVersions, SkippedVersion, SecretVersionInfo, SecretTime } from "./types.js"
export { SECRET_PRODUCT_BINDING as LAYERON_SECRET_BINDING, SECRET_PRODUCT_ENTRYPOINT } from "../worker/protocol.js"
