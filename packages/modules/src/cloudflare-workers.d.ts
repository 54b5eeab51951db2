/**
 * The slice of workerd's built-in `cloudflare:workers` module that Layeron uses.
 * `@cloudflare/workers-types` is not a dependency, so this declares just enough for
 * `worker/` (the Secret Product Worker) and the lazy `env` lookup in `runtime/`.
 */
declare module "cloudflare:workers" {
  /** Per-request context handed to an entrypoint (waitUntil and friends). */
  export interface ExecutionContext {
    waitUntil(promise: Promise<unknown>): void
    passThroughOnException(): void
    /**
     * The `props` of the service binding the call came through (`{}` when it has none): set
     * by the binding's configuration, not by the caller's code.
     */
    readonly props: unknown
  }

  /**
   * Base class of a named entrypoint: every public method becomes callable over a service
   * binding (RPC). workerd creates one instance per call, with the Worker's `env`.
   */
  export abstract class WorkerEntrypoint<Env = unknown> {
    protected readonly ctx: ExecutionContext
    protected readonly env: Env
    constructor(ctx: ExecutionContext, env: Env)
  }

  /** The Worker's bindings, readable from module scope and from any request. */
  export const env: Record<string, unknown>
}
