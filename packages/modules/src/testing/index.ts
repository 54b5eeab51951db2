/**
 * `@layeron/modules/testing`: test code that reads secrets, in plain Node (node:test,
 * vitest) and without miniflare. See docs/testing.md.
 */
export { testSecrets } from "./test-secrets.js"
export type { TestEnv, TestSecrets, TestSecretsOptions } from "./test-secrets.js"
export type { TestSecretValue, TestSecretValues } from "./values.js"
export type { TestRotation } from "./rotate.js"
export type { TestTime } from "./clock.js"
export type { TestNames } from "./product.js"
export { TestSecretsError } from "./errors.js"
export type { TestSecretsProblem } from "./errors.js"
