import { formatSealedText, parseSealedText } from "../envelope/index.js"
import { VERSION_ID_PATTERN } from "../limits.js"
import { SealError } from "./errors.js"
import { importSealingPrivateKey, importSealingPublicKey, rawPublicKey } from "./keys.js"
import type { SealContext } from "./types.js"

/*
 * Sealing, scheme ls1 (docs/design.md#rotation):
 * 1. a fresh ephemeral ECDH P-256 key pair per seal; shared secret with the recipient key;
 * 2. HKDF-SHA-256 over that secret, salt = the ephemeral public key (raw, 65 bytes),
 *    info = "layeron.seal/v1" -> an AES-256-GCM key;
 * 3. AES-256-GCM with a random 12-byte IV and, as associated data, the UTF-8 of
 *    JSON.stringify(["layeron.seal/v1", physicalName, versionId]);
 * 4. text: ls1.<ephemeral public key>.<iv>.<ciphertext and 16-byte tag>, base64url each.
 * The associated data binds a copy to its secret and version: moved anywhere else, it fails
 * authentication instead of opening as the wrong secret.
 */
const SCHEME = "layeron.seal/v1"
const ECDH_P256 = { name: "ECDH", namedCurve: "P-256" } as const
const utf8 = new TextEncoder()
/** Unpaired UTF-16 surrogates; with the u flag a proper pair is one code point and does not match. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u

function checkContext(context: SealContext): void {
  const { physicalName, versionId } = (context ?? {}) as Partial<SealContext>
  if (typeof physicalName !== "string" || physicalName.length === 0) {
    throw new SealError("invalid_context", "The seal context needs physicalName: the secret's non-empty Cloudflare name (lo_…).")
  }
  if (typeof versionId !== "string" || !VERSION_ID_PATTERN.test(versionId)) {
    throw new SealError("invalid_context", `The seal context needs versionId: a version id matching ${VERSION_ID_PATTERN.source}.`)
  }
}

function associatedData(context: SealContext): Uint8Array<ArrayBuffer> {
  return utf8.encode(JSON.stringify([SCHEME, context.physicalName, context.versionId]))
}

async function contentKey(privateKey: CryptoKey, publicKey: CryptoKey, salt: Uint8Array<ArrayBuffer>, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256)
  const hkdf = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"])
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: utf8.encode(SCHEME) },
    hkdf,
    { name: "AES-GCM", length: 256 },
    false,
    [usage],
  )
}

/** Seals `plaintext` to the environment's public key, bound to one physical name and version id. */
export async function seal(publicKey: JsonWebKey, plaintext: string, context: SealContext): Promise<string> {
  checkContext(context)
  if (typeof plaintext !== "string") throw new SealError("invalid_plaintext", "Only a string value can be sealed.")
  if (LONE_SURROGATE.test(plaintext)) {
    throw new SealError("invalid_plaintext", `The value of version "${context.versionId}" of ${context.physicalName} holds an unpaired UTF-16 surrogate, which UTF-8 cannot carry; it would not open to the same text.`)
  }
  const recipient = await importSealingPublicKey(publicKey)
  const ephemeral = (await crypto.subtle.generateKey(ECDH_P256, false, ["deriveBits"])) as CryptoKeyPair
  const ephemeralPublicKey = await rawPublicKey(ephemeral.publicKey)
  const key = await contentKey(ephemeral.privateKey, recipient, ephemeralPublicKey, "encrypt")
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: associatedData(context), tagLength: 128 }, key, utf8.encode(plaintext)),
  )
  return formatSealedText({ ephemeralPublicKey, iv, ciphertext })
}

/**
 * Opens a sealed copy with the environment's private key. Fails with `SealError`
 * `unseal_failed` for another key, another physical name or version id, or any tampering.
 */
export async function unseal(privateKey: JsonWebKey, sealed: string, context: SealContext): Promise<string> {
  checkContext(context)
  const where = `version "${context.versionId}" of ${context.physicalName}`
  const parts = parseSealedText(sealed)
  if (parts === undefined) {
    throw new SealError("malformed_sealed", `The sealed copy of ${where} is not in the ls1 format (ls1.<key>.<iv>.<ciphertext>); it is damaged or was not written by layer.`)
  }
  const recipient = await importSealingPrivateKey(privateKey)
  let plaintext: ArrayBuffer
  try {
    const ephemeral = await crypto.subtle.importKey("raw", parts.ephemeralPublicKey, ECDH_P256, false, [])
    const key = await contentKey(recipient, ephemeral, parts.ephemeralPublicKey, "decrypt")
    plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv: parts.iv, additionalData: associatedData(context), tagLength: 128 }, key, parts.ciphertext)
  } catch {
    throw new SealError(
      "unseal_failed",
      `Cannot open the sealed copy of ${where}: it was sealed to another key, for another secret or version, or it was altered.`,
    )
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(plaintext)
}
