/**
 * The app side of a key declared with `consume: { expose: "use" }`: `hmac()` and `jwt()` check
 * their input here, as for any key, then send the operation to the Secret Product Worker,
 * which runs the same helper on the key (worker/use.ts) and answers only the result. A failure
 * of the helper comes back as the same `SigningError`; a failure of the read (not registered,
 * an expired current) as the runtime's `SecretError`.
 */
import type { SecretDeclaration } from "../declare/types.js"
import { askProduct } from "../runtime/product-client.js"
import type { KeyOperation } from "../worker/protocol.js"
import { signingErrorFromWire } from "./errors.js"

/** True when the key's operations run in the Secret Product Worker. */
export function isUseKey(declaration: SecretDeclaration): boolean {
  return declaration.expose === "use"
}

export async function remoteOperation<T>(declaration: SecretDeclaration, operation: KeyOperation): Promise<T> {
  const outcome = await askProduct(declaration.id, (product) => product.use(declaration.id, operation), declaration)
  if (!outcome.ok) throw signingErrorFromWire(outcome.error)
  return outcome.result as T
}
