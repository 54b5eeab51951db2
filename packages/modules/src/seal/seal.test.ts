import assert from "node:assert/strict"
import { createDecipheriv, createECDH, hkdfSync } from "node:crypto"
import { describe, it } from "node:test"
import fc from "fast-check"
import { decodeBase64Url, encodeBase64Url } from "../envelope/index.js"
import { generateSealingKeyPair, isSealedFormat, publicKeyFingerprint, seal, SealError, unseal, type SealErrorCode } from "./index.js"

const keys = await generateSealingKeyPair()
const context = { physicalName: "lo_c9916d0a7d4a9474726c0260", versionId: "v2" }
const PLAINTEXT = "sk_live_PLAINTEXT_must_not_leak"

async function sealError(promise: Promise<unknown>, code: SealErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SealError, String(error))
    assert.equal(error.code, code)
    if (message) assert.match(error.message, message)
    for (const text of [error.message, String(error), error.stack ?? "", JSON.stringify(error)]) {
      assert.ok(!text.includes(PLAINTEXT), `plaintext leaked: ${text}`)
      assert.ok(!text.includes(keys.privateKey.d!), `private key leaked: ${text}`)
    }
    assert.equal(error.cause, undefined)
    return true
  })
}

/** Replaces one base64url part of a sealed text, keeping the format valid. */
function withPart(sealed: string, index: 1 | 2 | 3, change: (bytes: Uint8Array) => void): string {
  const parts = sealed.split(".")
  const bytes = decodeBase64Url(parts[index]!)
  change(bytes)
  parts[index] = encodeBase64Url(bytes)
  return parts.join(".")
}

describe("generateSealingKeyPair", () => {
  it("gives a P-256 ECDH key pair as JWKs", () => {
    assert.equal(keys.publicKey.kty, "EC")
    assert.equal(keys.publicKey.crv, "P-256")
    assert.equal(keys.publicKey.d, undefined)
    assert.equal(typeof keys.privateKey.d, "string")
    assert.equal(keys.privateKey.x, keys.publicKey.x)
  })
})

describe("seal and unseal", () => {
  it("round-trips text, including empty and non-ASCII text", async () => {
    for (const text of [PLAINTEXT, "", "é€🚀 中文", "x".repeat(70_000)]) {
      const sealed = await seal(keys.publicKey, text, context)
      assert.equal(await unseal(keys.privateKey, sealed, context), text)
    }
  })

  it("round-trips any well-formed string", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 40 }), async (text) => {
        assert.equal(await unseal(keys.privateKey, await seal(keys.publicKey, text, context), context), text)
      }),
      { numRuns: 30 },
    )
  })

  it("writes the compact ls1 format and never the plaintext", async () => {
    const sealed = await seal(keys.publicKey, PLAINTEXT, context)
    assert.match(sealed, /^ls1\.[A-Za-z0-9_-]{87}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/)
    assert.equal(isSealedFormat(sealed), true)
    assert.equal(decodeBase64Url(sealed.split(".")[1]!)[0], 0x04)
    assert.equal(decodeBase64Url(sealed.split(".")[3]!).length, new TextEncoder().encode(PLAINTEXT).length + 16)
    assert.ok(!sealed.includes(PLAINTEXT))
  })

  it("uses a fresh ephemeral key and IV every time", async () => {
    const a = (await seal(keys.publicKey, PLAINTEXT, context)).split(".")
    const b = (await seal(keys.publicKey, PLAINTEXT, context)).split(".")
    assert.notEqual(a[1], b[1])
    assert.notEqual(a[2], b[2])
    assert.notEqual(a[3], b[3])
  })

  it("follows the documented scheme: an independent implementation with node:crypto opens it", async () => {
    const sealed = await seal(keys.publicKey, PLAINTEXT, context)
    const [, epk, iv, body] = sealed.split(".").map((part, i) => (i === 0 ? Buffer.alloc(0) : Buffer.from(part, "base64url")))
    const ecdh = createECDH("prime256v1")
    ecdh.setPrivateKey(Buffer.from(keys.privateKey.d!, "base64url"))
    const shared = ecdh.computeSecret(epk!)
    const key = Buffer.from(hkdfSync("sha256", shared, epk!, Buffer.from("layeron.seal/v1"), 32))
    const decipher = createDecipheriv("aes-256-gcm", key, iv!)
    decipher.setAAD(Buffer.from(JSON.stringify(["layeron.seal/v1", context.physicalName, context.versionId]), "utf8"))
    decipher.setAuthTag(body!.subarray(body!.length - 16))
    const plaintext = Buffer.concat([decipher.update(body!.subarray(0, body!.length - 16)), decipher.final()]).toString("utf8")
    assert.equal(plaintext, PLAINTEXT)
  })

  it("accepts JWKs with or without key_ops and ext, and a private JWK for sealing", async () => {
    const { key_ops: _ops, ext: _ext, ...bare } = keys.privateKey
    const sealed = await seal(keys.privateKey, PLAINTEXT, context)
    assert.equal(await unseal(bare, sealed, context), PLAINTEXT)
    assert.equal(await unseal({ ...keys.privateKey, key_ops: ["deriveKey"] }, sealed, context), PLAINTEXT)
  })
})

describe("key material stays inside WebCrypto", () => {
  // Found by mutation testing (docs/reliability.md §8): nothing noticed an extractable key.
  it("makes no private or content key extractable: the imported private key, the ephemeral pair, the HKDF and AES keys", async (t) => {
    const importKey = t.mock.method(crypto.subtle, "importKey")
    const deriveKey = t.mock.method(crypto.subtle, "deriveKey")
    const generateKey = t.mock.method(crypto.subtle, "generateKey")
    assert.equal(await unseal(keys.privateKey, await seal(keys.publicKey, PLAINTEXT, context), context), PLAINTEXT)
    const made = [
      // importKey(format, data, algorithm, extractable, usages): the recipient's public key may be exported (its raw point is hashed).
      ...importKey.mock.calls.filter((call) => (call.arguments[4] as string[]).length > 0).map((call) => ({ what: `imported ${String((call.arguments[2] as { name?: string }).name ?? call.arguments[2])} key for ${String(call.arguments[4])}`, extractable: call.arguments[3] })),
      ...deriveKey.mock.calls.map((call) => ({ what: `derived ${(call.arguments[2] as { name: string }).name} key`, extractable: call.arguments[3] })),
      ...generateKey.mock.calls.map((call) => ({ what: "generated ephemeral pair", extractable: call.arguments[1] })),
    ]
    assert.ok(made.some((key) => key.what.startsWith("imported ECDH")), "the private key import was not seen")
    assert.equal(made.filter((key) => key.what.startsWith("derived AES-GCM")).length, 2, "one content key each for seal and unseal")
    assert.deepEqual(made.filter((key) => key.extractable !== false), [])
  })
})

describe("a sealed copy is bound to its secret, version and key", () => {
  it("does not open under another physical name", async () => {
    const sealed = await seal(keys.publicKey, PLAINTEXT, context)
    await sealError(
      unseal(keys.privateKey, sealed, { ...context, physicalName: "lo_000000000000000000000000" }),
      "unseal_failed",
      /Cannot open the sealed copy of version "v2" of lo_000000000000000000000000: it was sealed to another key, for another secret or version, or it was altered\./,
    )
  })

  it("does not open under another version id", async () => {
    const sealed = await seal(keys.publicKey, PLAINTEXT, context)
    await sealError(unseal(keys.privateKey, sealed, { ...context, versionId: "v3" }), "unseal_failed")
  })

  it("does not open with another private key", async () => {
    const other = await generateSealingKeyPair()
    await sealError(unseal(other.privateKey, await seal(keys.publicKey, PLAINTEXT, context), context), "unseal_failed")
  })

  it("does not open once any part is altered", async () => {
    const sealed = await seal(keys.publicKey, PLAINTEXT, context)
    const tampered = [
      withPart(sealed, 1, (b) => (b[10]! ^= 1)), // another ephemeral point (usually not on the curve)
      withPart(sealed, 1, (b) => b.set(decodeBase64Url(sealed.split(".")[1]!).subarray(1, 33).reverse(), 1)),
      withPart(sealed, 2, (b) => (b[0]! ^= 0x80)), // IV
      withPart(sealed, 3, (b) => (b[0]! ^= 1)), // ciphertext
      withPart(sealed, 3, (b) => (b[b.length - 1]! ^= 1)), // tag
    ]
    for (const text of tampered) {
      assert.notEqual(text, sealed)
      await sealError(unseal(keys.privateKey, text, context), "unseal_failed")
    }
  })

  it("does not open when another sealed copy's ephemeral key is swapped in", async () => {
    const a = (await seal(keys.publicKey, PLAINTEXT, context)).split(".")
    const b = (await seal(keys.publicKey, PLAINTEXT, context)).split(".")
    await sealError(unseal(keys.privateKey, [a[0], b[1], a[2], a[3]].join("."), context), "unseal_failed")
  })

  it("reports a text that is not in the ls1 format", async () => {
    const sealed = await seal(keys.publicKey, PLAINTEXT, context)
    const parts = sealed.split(".")
    const malformed = [
      PLAINTEXT,
      "",
      sealed.replace(/^ls1\./, "ls2."),
      parts.slice(0, 3).join("."), // a part missing
      `${sealed}.extra`,
      [parts[0], parts[1]!.slice(0, -4), parts[2], parts[3]].join("."), // short key
      [parts[0], parts[1], parts[2]!.slice(0, -2), parts[3]].join("."), // short IV
      [parts[0], parts[1], parts[2], "AAAA"].join("."), // shorter than a tag
      `${sealed}=`,
    ]
    for (const text of malformed) {
      assert.equal(isSealedFormat(text), false)
      await sealError(unseal(keys.privateKey, text, context), "malformed_sealed", /is not in the ls1 format \(ls1\.<key>\.<iv>\.<ciphertext>\)/)
    }
  })
})

describe("bad keys, contexts and plaintexts", () => {
  it("rejects a public key where the private key is needed", async () => {
    const sealed = await seal(keys.publicKey, PLAINTEXT, context)
    await sealError(unseal(keys.publicKey, sealed, context), "invalid_key", /has no private part "d": this looks like the public key/)
  })

  it("rejects JWKs of the wrong kind, naming what is wrong", async () => {
    const cases: [unknown, RegExp][] = [
      [null, /must be a JWK object/],
      ["jwk", /must be a JWK object/],
      [{ ...keys.publicKey, kty: "RSA" }, /kty "EC"/],
      [{ ...keys.publicKey, crv: "P-384" }, /crv "P-256"/],
      [{ ...keys.publicKey, x: undefined }, /coordinates "x" and "y"/],
      [{ ...keys.publicKey, y: keys.publicKey.x }, /not a valid P-256 point/],
    ]
    for (const [jwk, message] of cases) {
      await sealError(seal(jwk as JsonWebKey, PLAINTEXT, context), "invalid_key", message)
      await sealError(publicKeyFingerprint(jwk as JsonWebKey), "invalid_key", message)
    }
    const sealed = await seal(keys.publicKey, PLAINTEXT, context)
    const damaged = { ...keys.privateKey, d: encodeBase64Url(new Uint8Array(32).fill(0xff)) }
    await sealError(unseal(damaged, sealed, context), "invalid_key", /sealing private key is not a valid P-256 key/)
  })

  it("rejects a context without a physical name or a valid version id", async () => {
    await sealError(seal(keys.publicKey, PLAINTEXT, { physicalName: "", versionId: "v1" }), "invalid_context", /needs physicalName/)
    await sealError(seal(keys.publicKey, PLAINTEXT, { physicalName: "lo_x", versionId: "v 1" }), "invalid_context", /needs versionId: a version id matching/)
    await sealError(seal(keys.publicKey, PLAINTEXT, undefined as never), "invalid_context")
    await sealError(unseal(keys.privateKey, "ls1.x.y.z", { physicalName: "lo_x" } as never), "invalid_context")
  })

  it("refuses a plaintext with an unpaired surrogate, which would not come back the same", async () => {
    await sealError(seal(keys.publicKey, `${PLAINTEXT}\ud800`, context), "invalid_plaintext", /unpaired UTF-16 surrogate/)
    await sealError(seal(keys.publicKey, 42 as unknown as string, context), "invalid_plaintext")
  })
})

describe("publicKeyFingerprint", () => {
  it("is 16 hex digits, the same for both halves of a pair, different across pairs", async () => {
    const fingerprint = await publicKeyFingerprint(keys.publicKey)
    assert.match(fingerprint, /^[0-9a-f]{16}$/)
    assert.equal(await publicKeyFingerprint(keys.privateKey), fingerprint)
    assert.notEqual(await publicKeyFingerprint((await generateSealingKeyPair()).publicKey), fingerprint)
  })

  it("is SHA-256 over the uncompressed point", async () => {
    const { createHash } = await import("node:crypto")
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(keys.publicKey.x!, "base64url"), Buffer.from(keys.publicKey.y!, "base64url")])
    assert.equal(await publicKeyFingerprint(keys.publicKey), createHash("sha256").update(point).digest("hex").slice(0, 16))
  })
})
