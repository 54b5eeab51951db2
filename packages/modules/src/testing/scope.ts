/**
 * Which test's values answer a read: the one whose `run()` the read happens in. An
 * AsyncLocalStorage scope follows the callback through every await, timer and promise it
 * starts, so concurrent tests with different values never see each other's, and code outside
 * `run()` reads as it would in Node (ProductUnavailableError).
 */
import { AsyncLocalStorage } from "node:async_hooks"
import { setEnvResolver } from "../runtime/product-client.js"

const scope = new AsyncLocalStorage<Record<string, unknown>>()
let installed = false

export function runWithEnv<T>(env: Record<string, unknown>, fn: () => T | Promise<T>): Promise<T> {
  if (!installed) {
    setEnvResolver(() => scope.getStore())
    installed = true
  }
  return Promise.resolve(scope.run(env, fn))
}
