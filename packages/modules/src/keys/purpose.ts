/**
 * One key, one purpose. `hmac(k).sign(x)` over a byte secret is, byte for byte, the HS256
 * signature over `x`; so a secret that both signs caller-chosen data with `hmac()` and
 * verifies tokens with `jwt()` would let anyone who can get data signed mint tokens. An
 * encryption key shares none of that, but a key used by two algorithms is one whose
 * analysis no longer holds, so `aead()` joins the rule. The first helper built on a secret
 * claims it; building another one on the same secret (by id, from any copy of this package
 * in the isolate) is `key_reuse`, naming both.
 *
 * This sees one isolate. Across Workers, the HS256 and AES keys of secrets Layeron
 * generates are derived (jwt.ts, aead-cipher.ts), so an HMAC signature is never a token
 * signature there either, and no helper ever uses the AES key.
 */
import type { SecretDeclaration } from "../declare/types.js"
import { SigningError } from "./errors.js"

export type KeyPurpose = "hmac" | "jwt" | "aead"

const REGISTRY = Symbol.for("layeron.keys.purposes")

function purposes(): Map<string, KeyPurpose> {
  const holder = globalThis as { [REGISTRY]?: Map<string, KeyPurpose> }
  return (holder[REGISTRY] ??= new Map())
}

/** Records that `declaration`'s secret serves `purpose`, or throws `key_reuse` when it serves another. */
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
    `${purpose}(${declaration.name}) is refused: ${declaration.id} already serves ${claimed}(${declaration.name}), and one secret serves one of hmac(), jwt() and aead() (${whyNotBoth(claimed, purpose)}). Declare a second secret for ${purpose}()`,
  )
}

/** Why two purposes must not share a key, for the message. */
function whyNotBoth(a: KeyPurpose, b: KeyPurpose): string {
  if (a !== "aead" && b !== "aead") return "an HMAC signature over chosen data would be a valid HS256 token"
  return "a key used by two algorithms loses the guarantees each was analysed with"
}
