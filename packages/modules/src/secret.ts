/**
 * `secret.static()`, `secret.random()`, `secret.generated()`: validate the options, then build
 * the product object that application code reads through (`current()`, `version()`, `at()`,
 * `active()`). Building it touches no runtime API, so declarations import fine in Node, where
 * the CLI loads them to discover what a backend declares.
 */
import { normalize } from "./declare/rules.js"
import { SECRET_MODULE_BRAND } from "./declare/types.js"
import type { GeneratedSecretOptions, RandomSecretOptions, SecretDeclaration, StaticSecretOptions } from "./declare/types.js"
import { createSecretReaders } from "./runtime/index.js"
import type { SecretReaders } from "./runtime/index.js"

export interface SecretModule extends SecretReaders {
  readonly [SECRET_MODULE_BRAND]: true
  readonly declaration: SecretDeclaration
}

function createSecretModule(declaration: SecretDeclaration): SecretModule {
  return Object.freeze({
    [SECRET_MODULE_BRAND]: true as const,
    declaration: Object.freeze(declaration),
    ...createSecretReaders(declaration),
  })
}

export const secret = {
  /** A value supplied by the operator, such as a provider API key. */
  static: (options: StaticSecretOptions): SecretModule => createSecretModule(normalize("static", options)),
  /** A random secret (32 bytes by default), created on deploy and rotated by `layer secret rotate`. */
  random: (options: RandomSecretOptions): SecretModule => createSecretModule(normalize("random", options)),
  /** Generated-value intent: a product-specific flow, an operator or rotation writes the value. */
  generated: (options: GeneratedSecretOptions): SecretModule => createSecretModule(normalize("generated", options)),
}

/** True for objects made by `secret.*()`, from any copy of this package. */
export function isSecretModule(value: unknown): value is SecretModule {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SECRET_MODULE_BRAND] === true
}
