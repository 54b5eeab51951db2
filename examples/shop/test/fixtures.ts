/**
 * Values for the shop's tests: known keys, so a test can check a signature or decrypt a
 * record itself. Test values only; real ones never leave the secret store.
 */
import { encodeBase64Url } from "@layeron/modules/envelope"
import { aesKey, toBase64 } from "../src/crypto.js"

/** 32 bytes filled with `n`. */
export function keyBytes(n: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(32).fill(n)
}

/** The same key as stored: base64url, as random secrets are. */
export function testKey(n: number): string {
  return encodeBase64Url(keyBytes(n))
}

/** The session key as deployed a month ago: one version, v1. */
export const sessionKeyV1 = { current: "v1", versions: { v1: { value: testKey(1), createdAt: "2026-05-01T00:00:00Z" } } }

/** Webhook keys (a static secret: text, so the HMAC key is its UTF-8): v1 accepted until 2026-06-10, v2 current until 2026-07-01. */
export const webhookKeysEnvelope = {
  current: "v2",
  versions: {
    v1: { value: "whsec_test_one", createdAt: "2026-05-01T00:00:00Z", expiresAt: "2026-06-10T00:00:00Z" },
    v2: { value: "whsec_test_two", createdAt: "2026-05-25T00:00:00Z", expiresAt: "2026-07-01T00:00:00Z" },
  },
}

/** A record as POST /records stores it, encrypted with `key` at `encryptedAt`. */
export async function encryptedRecord(key: Uint8Array<ArrayBuffer>, plaintext: string, encryptedAt: string) {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(key), new TextEncoder().encode(plaintext)))
  return { encryptedAt, iv: toBase64(iv), ciphertext: toBase64(ciphertext) }
}

export function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers }
}
