/**
 * `use(secretId, operation)`: runs one `hmac()`/`jwt()` operation on a key declared with
 * `consume: { expose: "use" }`, inside the Secret Product Worker, for a backend that registers
 * it. The answer carries the operation's result (a signature, a token, claims, public keys) or
 * its typed failure; never the key.
 */
import { isSigningError } from "../keys/errors.js"
import { runKeyOperation } from "../keys/operations.js"
import { isSecretError } from "../runtime/errors.js"
import { failures, ProductFailure } from "./failure.js"
import { productKeySource } from "./key-source.js"
import type { SecretManifest } from "./manifest.js"
import type { KeyOutcome, ProductErrorCode } from "./protocol.js"
import { lookup } from "./read.js"
import type { WorkerEnv } from "./stored-envelope.js"

export async function useKey(env: WorkerEnv, manifest: SecretManifest, caller: string | undefined, secretId: string, operation: unknown, now: Date): Promise<KeyOutcome> {
  const entry = lookup(manifest, caller, secretId)
  if (entry.expose !== "use") throw failures.notAUseKey(secretId, entry.expose)
  try {
    return { ok: true, result: await runKeyOperation(productKeySource(env, manifest, { secretId, entry }, now), operation) }
  } catch (error) {
    if (isSigningError(error)) return { ok: false, error: error.toJSON() }
    // A read failed (an expired current, a sealed copy that does not open): the reply says so.
    if (isSecretError(error)) throw new ProductFailure(readFailureCode(error.code), secretId, error.message, error.versionId)
    if (error instanceof TypeError || error instanceof SyntaxError) throw failures.invalidOperation(secretId)
    throw error
  }
}

/** `invalid_value` (a stored value that does not decode) is, seen from the app, a bad stored value. */
function readFailureCode(code: string): ProductErrorCode {
  return code === "invalid_value" ? "invalid_envelope" : (code as ProductErrorCode)
}
