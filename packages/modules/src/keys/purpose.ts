/**
 * One key, one purpose. `hmac(k).sign(x)` over a byte secret is, byte for byte, the HS256
 * signature over `x`; so a secret that both signs caller-chosen data with `hmac()` and
 * verifies tokens with `jwt()` would let anyone who can get data signed mint tokens. The
 * first helper built on a secret claims it; building the other one on the same secret (by
 * id, from any copy of this package in the isolate) is `key_reuse`, naming both.
 *
 * This sees one isolate. Across Workers, the HS256 keys of secrets Layeron generates are
 * derived (jwt.ts), so an HMAC signature is never a token signature there either.
 */
import type { SecretDeclaration } from "../declare/types.js"
import { SigningError } from "./errors.js"

export type KeyPurpose = "hmac" | "jwt"

const REGISTRY = Symbol.for("layeron.keys.purposes")

function purposes(): Map<string, KeyPurpose> {
  const holder = globalThis as { [REGISTRY]?: Map<string, KeyPurpose> }
  return (holder[REGISTRY] ??= new Map())
}

/** Records that `declaration`'s secret serves `purpose`, or throws `key_reuse` when it serves the other. */
export function claimPurpose(declaration: Pick<SecretDeclaration, "id" | "name">, purpose: KeyPurpose): void {
  const registry = purposes()
  const claimed = registry.get(declaration.id)
  if (claimed === undefined) {
    registry.set(declaration.id, purpose)
    return
  }
  if (claimed === purpose) return
  throw new SigningError(
    "key_reuse",
    declaration.id,
    `${purpose}(${declaration.name}) is refused: ${declaration.id} already serves ${claimed}(${declaration.name}), and one secret must not serve both hmac() and jwt() (an HMAC signature over chosen data would be a valid HS256 token). Declare a second secret for ${purpose}()`,
  )
}
