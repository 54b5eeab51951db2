/**
 * How a Secrets Store binding's answers are read. The workerd suite covers real bindings;
 * failures miniflare cannot produce (a store error other than "not found", a non-string
 * answer) are driven here with plain objects that have the binding's one method, `get()`.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { getStoredText, readEnvelope } from "./stored-envelope.js"
import { ProductFailure } from "./failure.js"
import type { SecretManifestEntry } from "./manifest.js"

const binding = (get: () => Promise<unknown>) => ({ get })
const entry: SecretManifestEntry = { binding: "S_lo_aaaaaaaaaaaaaaaaaaaaaaaa", physicalName: "lo_aaaaaaaaaaaaaaaaaaaaaaaa", format: "text", expose: "versioned" }

test("getStoredText tells a missing binding, a missing value and an unreachable store apart", async () => {
  assert.deepEqual(await getStoredText({}, "S_X"), { ok: false, reason: "unbound" })
  assert.deepEqual(await getStoredText({ S_X: "a plain var" }, "S_X"), { ok: false, reason: "unbound" })
  assert.deepEqual(await getStoredText({ S_X: binding(async () => Promise.reject(new Error('Secret "lo_x" not found'))) }, "S_X"), { ok: false, reason: "missing" })
  assert.deepEqual(await getStoredText({ S_X: binding(async () => Promise.reject(new Error("internal error"))) }, "S_X"), { ok: false, reason: "unreachable" })
  assert.deepEqual(await getStoredText({ S_X: binding(async () => 42) }, "S_X"), { ok: false, reason: "unreachable" })
  assert.deepEqual(await getStoredText({ S_X: binding(async () => "v") }, "S_X"), { ok: true, text: "v" })
})

async function failure(env: Record<string, unknown>): Promise<ProductFailure> {
  try {
    await readEnvelope(env, "auth/x", entry)
  } catch (error) {
    assert.ok(error instanceof ProductFailure)
    return error
  }
  assert.fail("expected readEnvelope to fail")
}

test("readEnvelope turns each store failure into its coded failure with the fix", async () => {
  // Deploy binds only secrets that held a value: no binding reads as no value, as in dev and tests.
  const unbound = await failure({})
  assert.equal(unbound.wire.code, "secret_not_found")
  assert.match(unbound.message, /^Secret "auth\/x" has no value in Secrets Store \(secret name lo_aaaaaaaaaaaaaaaaaaaaaaaa\): it had none when the Secret Product Worker was deployed.*`layer secret set auth\/x`, then run `layer deploy`/)
  const unreachable = await failure({ [entry.binding]: binding(async () => Promise.reject(new Error("boom"))) })
  assert.equal(unreachable.wire.code, "product_unavailable")
  assert.match(unreachable.message, /Secrets Store did not answer for secret name lo_aaaaaaaaaaaaaaaaaaaaaaaa while reading secret "auth\/x". Retry/)
  const missing = await failure({ [entry.binding]: binding(async () => Promise.reject(new Error("Secret not found"))) })
  assert.equal(missing.wire.code, "secret_not_found")
})

test("the parse is reused while the stored text is unchanged, and redone when it changes", async () => {
  let text = '{"current":"v1","versions":{"v1":{"value":"a"}}}'
  const env = { [entry.binding]: binding(async () => text) }
  const first = await readEnvelope(env, "auth/x", entry)
  assert.equal(await readEnvelope(env, "auth/x", entry), first)
  text = '{"current":"v2","versions":{"v1":{"value":"a"},"v2":{"value":"b"}}}'
  const second = await readEnvelope(env, "auth/x", entry)
  assert.notEqual(second, first)
  assert.equal(second.current, "v2")
})
