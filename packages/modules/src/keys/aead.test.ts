/**
 * aead() (issue 27): AES-256-GCM ciphertexts that name their version. The committed vectors
 * (aead-vectors.json, made with Node's crypto from the documented format) are reproduced and
 * refused as listed; Node's createCipheriv/createDecipheriv and aead() read each other's
 * ciphertexts; data encrypted before a rotation decrypts after it until the retain window
 * ends, then is `version_expired`; every bad input is a typed error holding no key, no
 * plaintext. Secrets are read through testSecrets (the product's own read path).
 */
import { describe, it } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto"
import { randomValue } from "../envelope/encoding.js"
import { isSecretError } from "../runtime/errors.js"
import { secret } from "../secret.js"
import { testSecrets } from "../testing/index.js"
import { AEAD_KEY_INFO, aead, decryptWithKey, encryptWithKey, hmac, isSigningError, jwt, parseCiphertext } from "./index.js"
import type { SigningErrorCode } from "./index.js"

interface Vector { description: string; key: string; secretId: string; versionId: string; nonce: string; plaintext: string; associatedData: string; ciphertext: string }
interface Refusal { description: string; vector: number; ciphertext?: string; secretId?: string; associatedData?: string; code: SigningErrorCode }
const VECTORS = JSON.parse(readFileSync(new URL("./aead-vectors.json", import.meta.url), "utf8")) as { keyDerivation: { info: string }; vectors: Vector[]; refused: Refusal[] }

const bytes = (base64url: string) => new Uint8Array(Buffer.from(base64url, "base64url"))
const NOW = "2026-06-01T00:00:00Z"
const DAY = 86_400_000
let names = 0
const fresh = (prefix: string) => `${prefix}-${++names}`
const rotating = { everyDays: 30, retain: { mode: "retain_for" as const, days: 14 } }

/** A rotating 32-byte key, given to testSecrets as v1 created a day before NOW. */
function encryptionKey(value = randomValue(32)) {
  const module = secret.random({ name: fresh("records-key"), namespace: "storage", rotation: rotating })
  const t = testSecrets(new Map([[module, { current: "v1", versions: { v1: { value, createdAt: "2026-05-31T00:00:00Z" } } }]]), { now: NOW })
  return { module, t, value }
}

/** Node's crypto from the documented format alone: HKDF of the bytes, GCM with the bound associated data. */
function nodeAesKey(value: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(value, "base64url"), Buffer.alloc(0), VECTORS.keyDerivation.info, 32))
}
function boundAd(secretId: string, versionId: string, associatedData: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`la1\0${secretId}\0${versionId}\0`), associatedData])
}
function nodeEncrypt(value: string, secretId: string, versionId: string, plaintext: Uint8Array, associatedData = new Uint8Array(0)): string {
  const nonce = randomBytes(12)
  const cipher = createCipheriv("aes-256-gcm", nodeAesKey(value), nonce).setAAD(boundAd(secretId, versionId, associatedData))
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  return `la1.${versionId}.${nonce.toString("base64url")}.${sealed.toString("base64url")}`
}
function nodeDecrypt(value: string, secretId: string, ciphertext: string, associatedData = new Uint8Array(0)): Buffer {
  const parts = ciphertext.split(".")
  const versionId = parts.slice(1, -2).join(".")
  const sealed = Buffer.from(parts.at(-1)!, "base64url")
  const decipher = createDecipheriv("aes-256-gcm", nodeAesKey(value), Buffer.from(parts.at(-2)!, "base64url")).setAAD(boundAd(secretId, versionId, associatedData))
  decipher.setAuthTag(sealed.subarray(-16))
  return Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()])
}

function isCode(code: SigningErrorCode, hidden: readonly string[] = []) {
  return (error: unknown) => {
    assert.ok(isSigningError(error), `expected a SigningError, got ${String(error)}`)
    assert.equal(error.code, code, error.message)
    for (const value of hidden) assert.ok(!`${error.message}${JSON.stringify(error)}${error.stack}`.includes(value), "a key or plaintext appears in the error")
    return true
  }
}

describe("the la1 format: committed vectors", () => {
  it("the key derivation is the documented one", () => {
    assert.equal(AEAD_KEY_INFO, VECTORS.keyDerivation.info)
  })

  for (const v of VECTORS.vectors) {
    it(`reproduces and opens: ${v.description}`, async () => {
      const made = await encryptWithKey(bytes(v.key), { secretId: v.secretId, versionId: v.versionId }, bytes(v.plaintext), bytes(v.associatedData), bytes(v.nonce))
      assert.equal(made, v.ciphertext)
      const parsed = parseCiphertext(v.secretId, v.ciphertext)
      assert.equal(parsed.versionId, v.versionId)
      assert.deepEqual(await decryptWithKey(bytes(v.key), v.secretId, parsed, bytes(v.associatedData)), bytes(v.plaintext))
    })
  }

  for (const r of VECTORS.refused) {
    it(`refuses, ${r.code}: ${r.description}`, async () => {
      const v = VECTORS.vectors[r.vector]!
      const secretId = r.secretId ?? v.secretId
      const ciphertext = r.ciphertext ?? v.ciphertext
      const associatedData = bytes(r.associatedData ?? v.associatedData)
      const plaintext = Buffer.from(v.plaintext, "base64url").toString("latin1")
      await assert.rejects(async () => decryptWithKey(bytes(v.key), secretId, parseCiphertext(secretId, ciphertext), associatedData), isCode(r.code, [v.key, ...(plaintext.length > 3 ? [plaintext] : [])]))
      // Node's crypto, from the documented format, refuses what aead() refuses as unauthentic.
      if (r.code === "decryption_failed") assert.throws(() => nodeDecrypt(v.key, secretId, ciphertext, associatedData))
    })
  }
})

describe("aead() and Node's crypto read each other's ciphertexts", () => {
  it("Node encrypts (createCipheriv aes-256-gcm, documented format), aead() decrypts; and the other way round", async () => {
    const { module, t, value } = encryptionKey()
    const id = module.declaration.id
    const cipher = aead(module)
    const fromNode = nodeEncrypt(value, id, "v1", new TextEncoder().encode("card ending 4242"), new TextEncoder().encode("row 7"))
    assert.equal(await t.run(() => cipher.decryptText(fromNode, { associatedData: "row 7" })), "card ending 4242")

    const toNode = await t.run(() => cipher.encrypt("ship to: 5 Main St", { associatedData: new TextEncoder().encode("row 8") }))
    assert.match(toNode, /^la1\.v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    assert.equal(nodeDecrypt(value, id, toNode, new TextEncoder().encode("row 8")).toString(), "ship to: 5 Main St")
    assert.throws(() => nodeDecrypt(value, id, toNode, new TextEncoder().encode("row 9")), "Node checks the associated data too")
  })

  it("a fresh nonce every time: the same plaintext never gives the same ciphertext", async () => {
    const { module, t } = encryptionKey()
    const cipher = aead(module)
    const texts = await t.run(() => Promise.all(Array.from({ length: 50 }, () => cipher.encrypt("same"))))
    assert.equal(new Set(texts.map((text) => text.split(".")[2])).size, 50)
  })
})

describe("aead() across a rotation (retain is the decryption window)", () => {
  it("encrypts with v1, rotates, decrypts v1 until its retain_for ends, then version_expired; rewrap moves data to v2", async () => {
    const { module, t, value } = encryptionKey()
    const cipher = aead(module)
    const before = await t.run(() => cipher.encrypt("order 1001", { associatedData: "order:1001" }))
    assert.equal(before.split(".")[1], "v1")

    const rotation = await t.rotate(module)
    assert.deepEqual(rotation.expiring, [{ id: "v1", expiresAt: "2026-06-15T00:00:00.000Z" }])
    const after = await t.run(() => cipher.encrypt("order 1002"))
    assert.equal(after.split(".")[1], "v2")
    assert.equal(await t.run(() => cipher.decryptText(before, { associatedData: "order:1001" })), "order 1001")
    assert.equal(await t.run(() => cipher.decryptText(after)), "order 1002")

    const rewrapped = await t.run(() => cipher.rewrap(before, { associatedData: "order:1001" }))
    assert.equal(rewrapped.split(".")[1], "v2")
    assert.equal(await t.run(() => cipher.decryptText(rewrapped, { associatedData: "order:1001" })), "order 1001")
    assert.equal(await t.run(() => cipher.rewrap(rewrapped, { associatedData: "order:1001" })), rewrapped, "already current: unchanged")
    await assert.rejects(t.run(() => cipher.rewrap(before, { associatedData: "order:1002" })), isCode("decryption_failed"), "rewrap authenticates first")

    t.setNow(new Date(Date.parse(NOW) + 14 * DAY - 1))
    assert.equal(await t.run(() => cipher.decryptText(before, { associatedData: "order:1001" })), "order 1001", "the last instant of the window")
    t.setNow("2026-06-15T00:00:00Z")
    await assert.rejects(t.run(() => cipher.decrypt(before, { associatedData: "order:1001" })), isCode("version_expired", [value, "order 1001"]))
    await assert.rejects(t.run(() => cipher.rewrap(before, { associatedData: "order:1001" })), isCode("version_expired"))
    assert.equal(await t.run(() => cipher.decryptText(rewrapped, { associatedData: "order:1001" })), "order 1001", "the rewrapped copy outlives v1")
  })

  it("retain none: the rotation ends the window at once, and the dropped version is unknown_version", async () => {
    const module = secret.random({ name: fresh("cache-key"), namespace: "storage", rotation: { everyDays: 7 } })
    const t = testSecrets(new Map([[module, { current: "v1", versions: { v1: { value: randomValue(32), createdAt: "2026-05-31T00:00:00Z" } } }]]), { now: NOW })
    const cipher = aead(module)
    const old = await t.run(() => cipher.encrypt("x"))
    await t.rotate(module)
    await assert.rejects(t.run(() => cipher.decrypt(old)), isCode("unknown_version"))
  })
})

describe("aead(): bad input is a typed error, never a value or partial plaintext", () => {
  it("a flipped bit, a truncated text, another secret's ciphertext, a swapped version, wrong associated data", async () => {
    const value = randomValue(32)
    const { module, t } = encryptionKey(value)
    // Another secret with the very same bytes: the secret id is bound, so it still fails.
    const twin = secret.random({ name: fresh("twin-key"), namespace: "storage", rotation: rotating })
    const both = testSecrets(new Map([[module, { current: "v2", versions: { v1: { value, createdAt: "2026-05-01T00:00:00Z" }, v2: { value, createdAt: "2026-05-31T00:00:00Z" } } }], [twin, value]]), { now: NOW })
    const cipher = aead(module)
    const text = await t.run(() => cipher.encrypt("4111 1111 1111 1111", { associatedData: "user:1" }))
    const hidden = [value, "4111 1111 1111 1111"]
    const [, , nonce, sealed] = text.split(".") as [string, string, string, string]
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1)

    const refused: [string, string, SigningErrorCode, object?][] = [
      ["a flipped bit in the ciphertext", `la1.v1.${nonce}.${flip(sealed)}`, "decryption_failed"],
      ["a flipped bit in the nonce", `la1.v1.${flip(nonce)}.${sealed}`, "decryption_failed"],
      ["truncated by whole bytes", `la1.v1.${nonce}.${sealed.slice(0, Math.floor(sealed.length / 4) * 4 - 4)}`, "decryption_failed"],
      ["truncated to the nonce", `la1.v1.${nonce}`, "invalid_ciphertext"],
      ["truncated below the tag", `la1.v1.${nonce}.${sealed.slice(0, 12)}`, "invalid_ciphertext"],
      ["empty", "", "invalid_ciphertext"],
      ["wrong associated data", text, "decryption_failed", { associatedData: "user:2" }],
      ["no associated data", text, "decryption_failed", {}],
      ["an unknown version", `la1.v9.${nonce}.${sealed}`, "unknown_version"],
    ]
    for (const [what, ciphertext, code, options = { associatedData: "user:1" }] of refused) {
      await assert.rejects(t.run(() => cipher.decrypt(ciphertext, options)), isCode(code, hidden), what)
      await assert.rejects(t.run(() => cipher.decryptText(ciphertext, options)), isCode(code, hidden), what)
      await assert.rejects(t.run(() => cipher.rewrap(ciphertext, options)), isCode(code, hidden), what)
    }
    await assert.rejects(t.run(() => cipher.decrypt(42 as never)), isCode("invalid_ciphertext"))

    // The same key bytes under v2 and under another secret: the bound ids make both fail.
    await assert.rejects(both.run(() => cipher.decrypt(`la1.v2.${nonce}.${sealed}`, { associatedData: "user:1" })), isCode("decryption_failed", hidden), "version id swapped")
    assert.equal(await both.run(() => cipher.decryptText(text, { associatedData: "user:1" })), "4111 1111 1111 1111", "the control: v1 opens")
    await assert.rejects(both.run(() => aead(twin).decrypt(text, { associatedData: "user:1" })), isCode("decryption_failed", hidden), "another secret's ciphertext")
  })

  it("an expired or revoked version: version_expired, unknown_version", async () => {
    const module = secret.random({ name: fresh("vault-key"), namespace: "storage", rotation: rotating })
    const [v1, v2] = [randomValue(32), randomValue(32)]
    const t = testSecrets(new Map([[module, { current: "v2", versions: { v1: { value: v1, createdAt: "2026-05-01T00:00:00Z", expiresAt: "2026-05-20T00:00:00Z" }, v2: { value: v2, createdAt: "2026-05-20T00:00:00Z" } } }]]), { now: NOW })
    const expired = nodeEncrypt(v1, module.declaration.id, "v1", new TextEncoder().encode("old"))
    await assert.rejects(t.run(() => aead(module).decrypt(expired)), (error: unknown) => isCode("version_expired", [v1])(error) && (error as { versionId?: string }).versionId === "v1")
    // As after `layer secret revoke vault-key v1`: the version is gone from the envelope.
    const revoked = testSecrets(new Map([[module, { current: "v2", versions: { v2: { value: v2, createdAt: "2026-05-20T00:00:00Z" } } }]]), { now: NOW })
    await assert.rejects(revoked.run(() => aead(module).decrypt(expired)), isCode("unknown_version", [v1]))
  })

  it("decryptText of bytes that are not UTF-8 is invalid_text; decrypt returns them", async () => {
    const { module, t } = encryptionKey()
    const cipher = aead(module)
    const text = await t.run(() => cipher.encrypt(new Uint8Array([0xff, 0xfe, 0x00])))
    assert.deepEqual(await t.run(() => cipher.decrypt(text)), new Uint8Array([0xff, 0xfe, 0x00]))
    await assert.rejects(t.run(() => cipher.decryptText(text)), isCode("invalid_text"))
    await assert.rejects(t.run(() => cipher.encrypt(42 as never)), TypeError)
    await assert.rejects(t.run(() => cipher.encrypt("x", { associatedData: 42 as never })), TypeError)
  })

  it("aead() on a key pair, a static secret or a secret that is not 32 bytes: wrong_key_type; a stored version of another length: invalid_key", async () => {
    assert.throws(() => aead(secret.generated({ name: fresh("pair"), namespace: "k", generate: "ES256" }) as never), isCode("wrong_key_type"))
    assert.throws(() => aead(secret.static({ name: fresh("text"), namespace: "k" }) as never), isCode("wrong_key_type"))
    assert.throws(() => aead(secret.random({ name: fresh("short"), namespace: "k", bytes: 16 })), (e: unknown) => isCode("wrong_key_type")(e) && /declares 16 bytes/.test((e as Error).message))
    assert.throws(() => aead(secret.generated({ name: fresh("long"), namespace: "k", bytes: 64 })), isCode("wrong_key_type"))
    aead(secret.generated({ name: fresh("generated"), namespace: "k" })) // 32 generated bytes fit

    const module = secret.random({ name: fresh("hand-written"), namespace: "k" })
    const short = randomValue(16)
    const t = testSecrets({ [module.declaration.id]: short })
    await assert.rejects(t.run(() => aead(module).encrypt("x")), isCode("invalid_key", [short]))
  })

  it("key_reuse: a secret that serves aead() serves nothing else, and the other way round", () => {
    const first = secret.random({ name: fresh("enc"), namespace: "sep" })
    aead(first)
    aead(first)
    assert.throws(() => hmac(first), (e: unknown) => isCode("key_reuse")(e) && /hmac\(enc-\d+\).*already serves aead\(enc-\d+\)/.test((e as Error).message))
    assert.throws(() => jwt(first), isCode("key_reuse"))
    const signing = secret.random({ name: fresh("mac"), namespace: "sep" })
    hmac(signing)
    assert.throws(() => aead(signing), (e: unknown) => isCode("key_reuse")(e) && /aead\(mac-\d+\).*already serves hmac\(mac-\d+\)/.test((e as Error).message))
  })

  it("expose: \"current\" cannot decrypt (the runtime's expose_refused), so aead() keys need \"versioned\"", async () => {
    const module = secret.random({ name: fresh("current-only"), namespace: "k", consume: { expose: "current" } })
    const t = testSecrets({ [module.declaration.id]: randomValue(32) })
    const cipher = aead(module)
    const text = await t.run(() => cipher.encrypt("x"))
    await assert.rejects(t.run(() => cipher.decrypt(text)), (e: unknown) => isSecretError(e) && e.code === "expose_refused")
  })
})
