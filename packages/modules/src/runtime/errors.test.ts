import { test } from "node:test"
import assert from "node:assert/strict"
import {
  ExposeRefusedError,
  InvalidEnvelopeError,
  isSecretError,
  ProductUnavailableError,
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
