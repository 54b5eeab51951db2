/**
 * The slice of Node's `node:async_hooks` that `testing/` uses (also in workerd with the
 * `nodejs_compat` or `nodejs_als` flag). `@types/node` is not a dependency of this package.
 */
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined
    run<R>(store: T, callback: () => R): R
  }
}
