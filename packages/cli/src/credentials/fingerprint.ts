/**
 * How a token is identified on screen: `sha256:` and the first 8 hex digits of its SHA-256.
 * The token itself is never printed (docs/design.md#cli). A plain hash is safe here, unlike for
 * values (secrets/fingerprint.ts uses a keyed HMAC): an API token is 40 random characters,
 * far beyond offline guessing, and a plain hash lets a user check which token is in use:
 *   printf '%s' "$CLOUDFLARE_API_TOKEN" | sha256sum | cut -c1-8
 */
import { createHash } from "node:crypto"
import type { SecretText } from "../providers/provider.js"

export function tokenFingerprint(token: SecretText): string {
  return `sha256:${createHash("sha256").update(token.reveal(), "utf8").digest("hex").slice(0, 8)}`
}
