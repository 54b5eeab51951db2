/** A sealing key pair as JWKs (ECDH P-256): the private half is stored as a secret, the public half in the rotation state. */
export interface SealingKeyPair {
  publicKey: JsonWebKey
  privateKey: JsonWebKey
}

/**
 * What a sealed copy is bound to (AES-GCM associated data): opening it under any other
 * physical name or version id fails.
 */
export interface SealContext {
  physicalName: string
  versionId: string
}

export type SealErrorCode =
  /** The JWK is not a usable P-256 ECDH key (or lacks its private part where one is needed). */
  | "invalid_key"
  /** The context's physical name or version id is missing or malformed. */
  | "invalid_context"
  /** The plaintext cannot be sealed faithfully (it holds a lone UTF-16 surrogate). */
  | "invalid_plaintext"
  /** The text is not in the ls1 sealed format. */
  | "malformed_sealed"
  /** Authentication failed: another key, another name or version, or tampered data. */
  | "unseal_failed"
