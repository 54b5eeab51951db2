import { test } from "node:test"
import assert from "node:assert/strict"
import { callerOf, checkRegistered } from "./caller.js"
import { ProductFailure } from "./failure.js"
import type { SecretManifest } from "./manifest.js"

const entry = { binding: "S_STRIPE", physicalName: "STRIPE", format: "text" as const, expose: "versioned" as const }
const manifest: SecretManifest = { version: 1, secrets: { "billing/stripe": entry, "auth/key": { ...entry, binding: "S_K", physicalName: "K" } }, sealingKeyBinding: "S_SEAL", backends: { api: ["billing/stripe"], other: [] } }

function refusal(caller: string | undefined, secretId: string): ProductFailure {
  try {
    checkRegistered(manifest, caller, secretId)
  } catch (error) {
    assert.ok(error instanceof ProductFailure)
    assert.equal(error.wire.code, "secret_not_registered")
    assert.equal(error.wire.secretId, secretId)
    return error
  }
  assert.fail(`${String(caller)} was allowed ${secretId}`)
}

test("the caller is props.backend when it is a non-empty string, else nobody", () => {
  assert.equal(callerOf({ backend: "api" }), "api")
  for (const props of [undefined, null, {}, { backend: "" }, { backend: 42 }, { backend: ["api"] }, "api"]) assert.equal(callerOf(props), undefined)
})

test("a backend is allowed exactly its own list", () => {
  checkRegistered(manifest, "api", "billing/stripe")
  assert.match(refusal("api", "auth/key").message, /^Backend "api" does not register secret "auth\/key"/)
  assert.match(refusal("other", "billing/stripe").message, /^Backend "other" does not register secret "billing\/stripe"/)
  assert.match(refusal("api", "nothing/declared").message, /^Backend "api" does not register secret "nothing\/declared"/)
})

test("no caller, or one the manifest does not list (inherited names included), is refused; its name is bounded and escaped", () => {
  assert.match(refusal(undefined, "billing/stripe").message, /did not say which backend it is/)
  for (const name of ["stranger", "constructor", "__proto__", "toString"]) {
    assert.match(refusal(name, "billing/stripe").message, new RegExp(`^Backend "${name}" \\(the caller's props\\.backend\\) is not a backend of this Secret Product Worker`))
  }
  const hostile = `x\u001b[2J\n${"y".repeat(500)}`
  const message = refusal(hostile, "billing/stripe").message
  assert.ok(!message.includes("\u001b") && !message.includes("\n") && message.length < 600)
})
