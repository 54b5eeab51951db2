/**
 * AES-256-GCM for the local store. The stored text is base64 of iv (12) | ciphertext | tag
 * (16). The associated data binds a record to where it belongs (workspace, project,
 * environment, name) and to the record's own id and `modified`: a record copied into
 * another environment or project, or whose `modified` is edited to hide a write, fails to
 * decrypt instead of silently serving the wrong value.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"

const IV_BYTES = 12
const TAG_BYTES = 16

export function encryptValue(key: Buffer, associatedData: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv("aes-256-gcm", key, iv)
  cipher.setAAD(Buffer.from(associatedData, "utf8"))
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")
}

/** The plaintext, or undefined when the key, the associated data or the bytes do not match. */
export function decryptValue(key: Buffer, associatedData: string, ciphertext: string): string | undefined {
  const raw = Buffer.from(ciphertext, "base64")
  if (raw.byteLength < IV_BYTES + TAG_BYTES) return undefined
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES))
  decipher.setAAD(Buffer.from(associatedData, "utf8"))
  decipher.setAuthTag(raw.subarray(raw.byteLength - TAG_BYTES))
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.byteLength - TAG_BYTES)), decipher.final()]).toString("utf8")
  } catch {
    return undefined
  }
}
