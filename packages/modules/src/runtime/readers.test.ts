/**
 * The runtime in Node: declarations must import and build readers here (the CLI loads them
 * to discover secrets), and a read outside a Worker must fail clearly, without a value.
 * Reads inside workerd are covered by test/workerd/.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { createSecretReaders, isSecretError, LAYERON_SECRET_BINDING, ProductUnavailableError } from "./index.js"
import type { SecretDeclaration } from "../declare/types.js"

const declaration: SecretDeclaration = { kind: "random", namespace: "auth", name: "session-key", id: "auth/session-key", bytes: 32, format: "base64url", expose: "versioned" }

test("readers build in Node without touching cloudflare:workers", () => {
  const readers = createSecretReaders(declaration)
  assert.deepEqual(Object.keys(readers).sort(), ["active", "at", "current", "version", "versions"])
  // Handles are lazy: creating one does no I/O and cannot fail.
  const handle = readers.current()
  assert.equal(typeof handle.text, "function")
  assert.equal(LAYERON_SECRET_BINDING, "LAYERON_SECRET")
})

test("a read outside a Worker fails with ProductUnavailableError saying where reads work", async () => {
  const readers = createSecretReaders(declaration)
  for (const read of [() => readers.current().text(), () => readers.version("v1").bytes(), () => readers.at(0).json(), () => readers.active(), () => readers.current().resolve()]) {
    await assert.rejects(read(), (error: unknown) => {
      assert.ok(error instanceof ProductUnavailableError)
      assert.equal(error.code, "product_unavailable")
      assert.equal(error.secretId, "auth/session-key")
      assert.match(error.message, /only be read inside a Worker/)
      assert.match(error.message, /layer dev/)
      return true
    })
  }
})

test("version() with a non-string or empty id is a TypeError naming the secret", () => {
  const readers = createSecretReaders(declaration)
  for (const bad of ["", 2, undefined]) {
    assert.throws(() => readers.version(bad as never), /version\(id\) on secret "auth\/session-key": the id must be a non-empty string such as "v2"/)
  }
})

test("at() with an invalid time throws at the call, before any read", () => {
  const readers = createSecretReaders(declaration)
  assert.throws(() => readers.at("last tuesday"), /at\(time\) on secret "auth\/session-key": "last tuesday" is not a valid time/)
})

test("version(id) with newlines, escape codes and 5 KB: UnknownVersionError quoting the id bounded and escaped, the product never asked", async () => {
  const readers = createSecretReaders(declaration)
  const id = `v1\n\u001b[2J\u001b]52;c;ZXZpbA==\u0007\u202e${"A".repeat(5_000)}`
  // Outside a Worker any product read is product_unavailable: unknown_version shows the id was answered here.
  await assert.rejects(readers.version(id).text(), (error: unknown) => {
    assert.ok(isSecretError(error))
    assert.equal(error.code, "unknown_version")
    assert.ok(error.message.length < 400, `a message of ${error.message.length} characters`)
    assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e]/.test(error.message), "a control character reached the message")
    assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e]/.test(`${error.versionId}${JSON.stringify(error)}`), "a control character reached versionId")
    assert.ok(error.versionId!.length < 100 && error.versionId!.endsWith("…"), `versionId of ${error.versionId!.length} characters`)
    const before = id.indexOf("AAAA")
    assert.ok(error.message.includes(String.raw`"v1\n\u001b[2J\u001b]52;c;ZXZpbA==\u0007\u202e` + "A".repeat(64 - before) + '"'), error.message)
    assert.ok(error.message.includes(`…(${id.length - 64} more characters)`), error.message)
    return true
  })
})
