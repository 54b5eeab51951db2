/**
 * `secret.static()`, `secret.random()`, `secret.generated()`: validate the options, then build
 * the product object that application code reads through (`current()`, `version()`, `at()`,
 * `active()`). Building it touches no runtime API, so declarations import fine in Node, where
 * the CLI loads them to discover what a backend declares.
 */
import { normalize } from "./declare/rules.js"
import { SECRET_MODULE_BRAND } from "./declare/types.js"
import type {
  ByteSecretDeclaration,
  CheckedRotation,
  GeneratedBytesOptions,
  GeneratedKeyPairOptions,
  KeyPairDeclaration,
  RandomSecretOptions,
  SecretDeclaration,
  SigningAlgorithm,
  StaticSecretOptions,
  TextSecretDeclaration,
} from "./declare/types.js"
import { createSecretReaders } from "./runtime/index.js"
import type { SecretReaders } from "./runtime/index.js"

/**
 * A declared secret. `D` says what its value is (text, bytes or a key pair), so that the
 * signing helpers accept only what fits; every module is a `SecretModule`.
 */
export interface SecretModule<D extends SecretDeclaration = SecretDeclaration> extends SecretReaders {
  readonly [SECRET_MODULE_BRAND]: true
  readonly declaration: D
}

/** `secret.static()`: text the operator supplies. */
export type TextSecret = SecretModule<TextSecretDeclaration>
/** `secret.random()`, `secret.generated()` without `generate`: random bytes. */
export type ByteSecret = SecretModule<ByteSecretDeclaration>
/** `secret.generated({ generate })`: a signing key pair. */
export type KeyPairSecret<A extends SigningAlgorithm = SigningAlgorithm> = SecretModule<KeyPairDeclaration<A>>

function createSecretModule<D extends SecretDeclaration>(declaration: SecretDeclaration): SecretModule<D> {
  return Object.freeze({
    [SECRET_MODULE_BRAND]: true as const,
    declaration: Object.freeze(declaration) as D,
    ...createSecretReaders(declaration),
  })
}

function generated<const O extends GeneratedKeyPairOptions>(options: O & CheckedRotation<O>): KeyPairSecret<O["generate"]>
function generated<const O extends GeneratedBytesOptions>(options: O & CheckedRotation<O>): ByteSecret
function generated(options: unknown): SecretModule {
  return createSecretModule(normalize("generated", options))
}

export const secret = {
  /** A value supplied by the operator, such as a provider API key. */
  static: (options: StaticSecretOptions): TextSecret => createSecretModule(normalize("static", options)),
  /** A random secret (32 bytes by default), created on deploy and rotated by `layer secret rotate`. */
  random: <const O extends RandomSecretOptions>(options: O & CheckedRotation<O>): ByteSecret => createSecretModule(normalize("random", options)),
  /**
   * Generated-value intent: random bytes, or with `generate` a signing key pair; `layer deploy`
   * writes the first value and `layer secret rotate` the next ones.
   */
  generated,
}

/** True for objects made by `secret.*()`, from any copy of this package. */
export function isSecretModule(value: unknown): value is SecretModule {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SECRET_MODULE_BRAND] === true
}
