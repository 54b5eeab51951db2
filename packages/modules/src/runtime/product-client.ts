/**
 * Reaches the Secret Product Worker through the app Worker's `LAYERON_SECRET` service
 * binding. `cloudflare:workers` is imported lazily, on the first read, so declarations still
 * import in Node (where the CLI loads them) and only a read outside a Worker fails.
 */
import type { SecretDeclaration } from "../declare/types.js"
import { SECRET_PRODUCT_BINDING } from "../worker/protocol.js"
import type { ProductReply, SecretProductRpc } from "../worker/protocol.js"
import { appFailures, secretErrorFromWire } from "./errors.js"

/**
 * `undefined` until the first read, then the env or `null` outside a Worker. The module,
 * not a promise, is kept: workerd does not let one request await a promise from another.
 */
let workerEnv: Record<string, unknown> | null | undefined

async function loadWorkerEnv(): Promise<Record<string, unknown> | null> {
  if (workerEnv === undefined) {
    try {
      // Node stubs of the module (the CLI's loader hook) may export no usable env.
      const { env } = await import("cloudflare:workers")
      workerEnv = typeof env === "object" && env !== null ? env : null
    } catch {
      workerEnv = null
    }
  }
  return workerEnv
}

/**
 * The test seam (`@layeron/modules/testing`): a resolver consulted before `cloudflare:workers`.
 * Inside `t.run()` it returns the test's env, whose `LAYERON_SECRET` answers like the Secret
 * Product Worker would for this declaration (its `expose`, format and name); everywhere else
 * it returns undefined and the read goes on as in a Worker. Unset in production, where the
 * cost is one check per read.
 */
export type EnvResolver = (declaration: SecretDeclaration | undefined) => Record<string, unknown> | undefined
let envResolver: EnvResolver | undefined

export function setEnvResolver(resolver: EnvResolver | undefined): void {
  envResolver = resolver
}

/** Calls the product and unwraps its reply; a reported failure becomes its typed error. */
export async function askProduct<T>(secretId: string, call: (product: SecretProductRpc) => Promise<ProductReply<T>>, declaration?: SecretDeclaration): Promise<T> {
  const env = envResolver?.(declaration) ?? (await loadWorkerEnv())
  if (env === null) throw appFailures.outsideWorker(secretId)
  const product = env[SECRET_PRODUCT_BINDING] as SecretProductRpc | undefined
  if (product === undefined || product === null) throw appFailures.noServiceBinding(secretId, SECRET_PRODUCT_BINDING)
  let reply: ProductReply<T>
  try {
    reply = await call(product)
  } catch {
    // The product never throws (it answers failures as data), so this is transport: a
    // missing entrypoint, a crashed isolate. The original error is not forwarded.
    throw appFailures.unreachable(secretId)
  }
  if (!reply.ok) throw secretErrorFromWire(reply.error)
  return reply.value
}
