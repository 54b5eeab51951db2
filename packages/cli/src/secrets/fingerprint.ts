/**
 * A short fingerprint that identifies a value without revealing it: the first 8 hex digits
 * of HMAC-SHA-256 keyed with a per-user random key in LAYERON_HOME. A plain SHA-256 prefix
 * of a low-entropy value (a short password, a PIN) could be brute-forced offline from a log
 * or a CI transcript; without the key it cannot. The same user sees the same fingerprint
 * for the same value, which is what "did I set the right value?" needs.
 */
import { createHmac } from "node:crypto"
import { loadOrCreateKeyFile } from "../fs/key-file.js"
import { fingerprintKeyPath } from "../paths.js"
import type { SecretText } from "../providers/provider.js"

export async function fingerprintValue(home: string, value: SecretText): Promise<string> {
  return (await digestValue(home, value)).slice(0, 8)
}

/** The whole HMAC (64 hex), recorded in the rotation state to recognise a value rewritten by the same user (rotation/types.ts, digest). */
export async function digestValue(home: string, value: SecretText): Promise<string> {
  // A damaged fingerprint key is replaced (it protects no data), never a reason to fail a write.
  const key = await loadOrCreateKeyFile(fingerprintKeyPath(home), 32, "the fingerprint key", undefined, "recreate")
  return createHmac("sha256", key).update(value.reveal(), "utf8").digest("hex")
}
