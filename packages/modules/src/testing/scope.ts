/**
 * Which test's values answer a read: the one whose `run()` the read happens in. An
 * AsyncLocalStorage scope follows the callback through every await, timer and promise it
 * starts, so concurrent tests with different values never see each other's, and code outside
 * `run()` reads as it would in Node (ProductUnavailableError).
 */
import { AsyncLocalStorage } from "node:async_hooks"
import type { SecretDeclaration } from "../declare/types.js"
import { setEnvResolver } from "../runtime/product-client.js"
import { setClockResolver } from "../runtime/clock.js"

/** The env a read should see, given the declaration of the module that reads. */
export type EnvFor = (declaration: SecretDeclaration | undefined) => Record<string, unknown>

const scope = new AsyncLocalStorage<EnvFor>()
/** The test's clock, beside its env: what the signing helpers judge `exp`/`nbf`/`iat` at. */
const clockScope = new AsyncLocalStorage<() => Date>()
let installed = false

export function runWithEnv<T>(envFor: EnvFor, fn: () => T | Promise<T>, now?: () => Date): Promise<T> {
  if (!installed) {
    setEnvResolver((declaration) => scope.getStore()?.(declaration))
    setClockResolver(() => clockScope.getStore()?.())
    installed = true
  }
  return Promise.resolve(scope.run(envFor, () => (now ? clockScope.run(now, fn) : fn())))
}
