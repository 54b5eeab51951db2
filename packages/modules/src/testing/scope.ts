/**
 * Which test's values answer a read: the one whose `run()` the read happens in. An
 * AsyncLocalStorage scope follows the callback through every await, timer and promise it
 * starts, so concurrent tests with different values never see each other's, and code outside
 * `run()` reads as it would in Node (ProductUnavailableError).
 */
import { AsyncLocalStorage } from "node:async_hooks"
import type { SecretDeclaration } from "../declare/types.js"
import { setEnvResolver } from "../runtime/product-client.js"

/** The env a read should see, given the declaration of the module that reads. */
export type EnvFor = (declaration: SecretDeclaration | undefined) => Record<string, unknown>

const scope = new AsyncLocalStorage<EnvFor>()
let installed = false

export function runWithEnv<T>(envFor: EnvFor, fn: () => T | Promise<T>): Promise<T> {
  if (!installed) {
    setEnvResolver((declaration) => scope.getStore()?.(declaration))
    installed = true
  }
  return Promise.resolve(scope.run(envFor, fn))
}
