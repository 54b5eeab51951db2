import type { SealErrorCode } from "./types.js"

/**
 * Sealing or opening failed. Messages name the key role, the physical name and the version
 * id; never key material, sealed text or plaintext. The underlying WebCrypto error is not
 * chained, so nothing of the payload can travel with it.
 */
export class SealError extends Error {
  override readonly name = "SealError"
  readonly code: SealErrorCode

  constructor(code: SealErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
