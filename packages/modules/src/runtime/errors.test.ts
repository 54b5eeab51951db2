import { test } from "node:test"
import assert from "node:assert/strict"
import {
  ExposeRefusedError,
  InvalidEnvelopeError,
  isSecretError,
  ProductUnavailableError,
  quoteInput,
  SecretError,
  SecretNotFoundError,
  SecretNotRegisteredError,
  secretErrorFromWire,
  UnknownVersionError,
  VersionExpiredError,
} from "./errors.js"
import type { ProductErrorCode } from "../worker/protocol.js"

test("each wire code becomes its typed class, keeping ids and message", () => {
  const cases: [ProductErrorCode, new (...args: never[]) => SecretError][] = [
    ["secret_not_found", SecretNotFoundError],
    ["version_expired", VersionExpiredError],
    ["unknown_version", UnknownVersionError],
    ["invalid_envelope", InvalidEnvelopeError],
    ["expose_refused", ExposeRefusedError],
    ["product_unavailable", ProductUnavailableError],
    ["secret_not_registered", SecretNotRegisteredError],
  ]
  for (const [code, ErrorClass] of cases) {
    const error = secretErrorFromWire({ code, secretId: "auth/session-key", versionId: "v2", message: `m ${code}` })
    assert.ok(error instanceof ErrorClass)
    assert.ok(error instanceof SecretError)
    assert.ok(isSecretError(error))
    assert.equal(error.code, code)
    assert.equal(error.name, ErrorClass.name)
    assert.equal(error.secretId, "auth/session-key")
    assert.equal(error.versionId, "v2")
    assert.equal(error.message, `m ${code}`)
    assert.deepEqual(JSON.parse(JSON.stringify(error)), { code, secretId: "auth/session-key", versionId: "v2", message: `m ${code}` })
  }
})

test("a code this copy does not know still surfaces, as product_unavailable", () => {
  const error = secretErrorFromWire({ code: "from_the_future" as ProductErrorCode, secretId: "a/b", message: "newer product" })
  assert.ok(error instanceof ProductUnavailableError)
  assert.equal(error.code, "product_unavailable")
  assert.equal(error.versionId, undefined)
})

test("isSecretError is false for other errors", () => {
  assert.equal(isSecretError(new Error("x")), false)
  assert.equal(isSecretError({ code: "secret_not_found" }), false)
  assert.equal(isSecretError(null), false)
})

test("quoteInput: at most 64 characters, then how many more; controls, separators and bidi overrides escaped", () => {
  assert.equal(quoteInput("v2"), '"v2"')
  assert.equal(quoteInput('a"b\\c'), String.raw`"a\"b\\c"`)
  assert.equal(quoteInput("\n\r\t\u0000\u001b\u007f\u009b\u2028\u202e\u2066"), String.raw`"\n\r\t\u0000\u001b\u007f\u009b\u2028\u202e\u2066"`)
  assert.equal(quoteInput("x".repeat(5_000)), `"${"x".repeat(64)}"…(4936 more characters)`)
  assert.equal(quoteInput("😀".repeat(70)), `"${"😀".repeat(64)}"…(6 more characters)`, "counts characters, never splits a pair")
})

test("a wire error's message, secret id and version id arrive escaped and bounded (a raw call may have put caller input there)", () => {
  const hostile = `\u001b[2J\u001b]52;c;ZXZpbA==\u0007\nfake line${"B".repeat(5_000)}`
  const error = secretErrorFromWire({ code: "unknown_version", secretId: `a/b${hostile}`, versionId: hostile, message: `Secret "a/b" has no version "${hostile}".` })
  for (const text of [error.message, error.secretId, error.versionId!]) {
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(text), "a control character survived")
    assert.ok(text.length < 1_100, `${text.length} characters (1,000 of the answer, some escaped)`)
  }
  assert.ok(error.message.startsWith(String.raw`Secret "a/b" has no version "\u001b[2J`), error.message)
  assert.ok(error.message.endsWith("…"))
})
