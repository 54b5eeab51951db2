/**
 * @layeron/modules: declare secrets and read them at runtime. Runs in Workers and in Node.
 */
export { secret, isSecretModule } from "./secret.js"
export type { SecretModule, TextSecret, ByteSecret, KeyPairSecret } from "./secret.js"
export { DeclarationError, assertSameDeclaration } from "./declare/index.js"
export { REGISTERED_MODULES, SECRET_MODULE_BRAND } from "./declare/types.js"
export type {
  SecretDeclaration,
  SecretKind,
  StaticSecretOptions,
  RandomSecretOptions,
  GeneratedSecretOptions,
  GeneratedBytesOptions,
  GeneratedKeyPairOptions,
  TextSecretDeclaration,
  ByteSecretDeclaration,
  KeyPairDeclaration,
  TooFrequentDays,
  CheckedRotation,
  SigningAlgorithm,
  RotationOptions,
  RetainOptions,
  RetainMode,
  ExposeMode,
  ValueFormat,
} from "./declare/types.js"
export * from "./runtime/index.js"
export { Limits } from "./limits.js"
