import assert from "node:assert/strict"
import { describe, it } from "node:test"
import fc from "fast-check"
import { decodeBase64Url, decodeValue, EncodingError, encodeBase64Url, randomValue } from "./index.js"

const utf8 = (text: string) => new TextEncoder().encode(text)

describe("base64url", () => {
  it("matches the RFC 4648 test vectors, without padding", () => {
    const vectors: [string, string][] = [["", ""], ["f", "Zg"], ["fo", "Zm8"], ["foo", "Zm9v"], ["foob", "Zm9vYg"], ["fooba", "Zm9vYmE"], ["foobar", "Zm9vYmFy"]]
    for (const [plain, encoded] of vectors) {
      assert.equal(encodeBase64Url(utf8(plain)), encoded)
      assert.deepEqual(decodeBase64Url(encoded), utf8(plain))
    }
  })

  it("uses - and _ instead of + and /", () => {
    assert.equal(encodeBase64Url(new Uint8Array([0xfb, 0xff, 0xbf])), "-_-_")
  })

  it("round-trips any bytes and agrees with Node's encoder", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64Url(bytes)
        assert.equal(text, Buffer.from(bytes).toString("base64url"))
        assert.deepEqual(decodeBase64Url(text), bytes)
      }),
    )
  })

  it("rejects characters outside the alphabet, naming the position but not the text", () => {
    const cases: [string, RegExp][] = [
      ["Zm9v+mFy", /character 5 is not base64url/],
      ["Zm9v/mFy", /character 5 is not base64url/],
      ["Zm8=", /character 4 is not base64url \(allowed: A-Z a-z 0-9 - _, without padding or whitespace\)/],
      ["Zm9v Zm9v", /character 5/],
      ["Zm9v\nZm9v", /character 5/],
      ["Zm9vé", /character 5/],
    ]
    for (const [text, message] of cases) {
      assert.throws(() => decodeBase64Url(text), (error: unknown) => {
        assert.ok(error instanceof EncodingError)
        assert.equal(error.code, "invalid_encoding")
        assert.match(error.message, message)
        assert.ok(!error.message.includes(text))
        return true
      })
    }
  })

  it("rejects impossible lengths and non-canonical endings", () => {
    assert.throws(() => decodeBase64Url("Zm9vY"), /cannot have 5 characters; it looks truncated/)
    assert.throws(() => decodeBase64Url("Zh"), /non-zero unused bits/)
    assert.throws(() => decodeBase64Url("Zm9"), /non-zero unused bits/)
  })
})

describe("randomValue", () => {
  it("gives base64url text for the requested number of random bytes", () => {
    for (const bytes of [16, 32, 33, 1024]) {
      const value = randomValue(bytes)
      assert.match(value, /^[A-Za-z0-9_-]+$/)
      assert.equal(value.length, Math.ceil((bytes * 4) / 3))
      assert.equal(decodeBase64Url(value).length, bytes)
    }
    assert.notEqual(randomValue(32), randomValue(32))
  })

  it("rejects byte counts outside 16..1024 or not integers", () => {
    for (const bytes of [15, 1025, 0, -1, 31.5, Number.NaN]) {
      assert.throws(() => randomValue(bytes), /bytes must be an integer from 16 to 1024/)
    }
  })
})

describe("decodeValue", () => {
  it("gives the UTF-8 of text values", () => {
    assert.deepEqual(decodeValue("é🚀", "text"), new Uint8Array([0xc3, 0xa9, 0xf0, 0x9f, 0x9a, 0x80]))
  })

  it("decodes base64url values strictly", () => {
    assert.deepEqual(decodeValue("Zm9vYmFy", "base64url"), utf8("foobar"))
    assert.throws(() => decodeValue("not base64url!", "base64url"), EncodingError)
  })

  it("rejects an unknown format", () => {
    assert.throws(() => decodeValue("x", "hex" as "text"), /the value format must be "text" or "base64url" \(got "hex"\)/)
  })
})
