/**
 * @layeron/modules/keys: signing and encryption keys that rotate. `hmac(module)` for
 * HMAC-SHA-256 with the version id as kid; `jwt(module)` for JWS tokens (HS256 on byte
 * secrets, ES256/EdDSA/RS256 on generated key pairs) and their JWKS; `aead(module)` for
 * AES-256-GCM ciphertexts that name their version. One secret serves one of them
 * (`key_reuse`). WebCrypto only: runs in Workers and in Node.
 */
export { hmac } from "./hmac.js"
export type { HmacSecret, HmacSigner, HmacSignature, HmacVerification, SignedData } from "./hmac.js"
export { jwt } from "./jwt.js"
export type { JwtClaims, JwtOptions, JwtSigner, JwtSignOptions, JwtVerifyOptions, SymmetricJwtSigner } from "./jwt.js"
export { aead } from "./aead.js"
export type { AeadCipher, AeadOptions, AeadSecret } from "./aead.js"
export type { KeyData } from "./data.js"
export { DEFAULT_JWKS_MAX_AGE, MAX_JWKS_MAX_AGE } from "./jwks.js"
export type { Jwks, JwksHandlerOptions } from "./jwks.js"
export { SigningError, isSigningError } from "./errors.js"
export type { SigningErrorCode } from "./errors.js"
export type { JwsAlgorithm } from "./algorithms.js"
export type { Duration } from "./duration.js"
export type { Jwk } from "./jwk.js"
export type { SigningSecret } from "./source.js"
// For the CLI, which writes key-pair versions.
export { generateSigningKey } from "./jwk.js"
export { MIN_RSA_BITS, weakKeyProblem } from "./key-strength.js"
export { freshKeysNeeded, nextKeyId, rotateSigningKeys } from "./rotation.js"
export type { SigningKeyRotation } from "./rotation.js"
export { envelopeAfterWrite, freshValues, freshValuesNeeded, rotatesKeyPair } from "./fresh-values.js"
// For running aead() where the key bytes are (the Secret Product Worker): the format and the cipher over bytes.
export { checkAeadSecret, ciphertextVersionError } from "./aead.js"
export { AEAD_FORMAT, AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, boundAssociatedData, formatCiphertext, parseCiphertext } from "./aead-format.js"
export type { AeadCiphertext } from "./aead-format.js"
export { AEAD_KEY_INFO, decryptWithKey, encryptWithKey } from "./aead-cipher.js"
export type { AeadKeyContext } from "./aead-cipher.js"
