/**
 * The Secret Product Worker's RPC surface, called directly over the service binding with
 * inputs the runtime never sends (another Layeron version, a misconfigured deploy): every
 * answer is data, never a thrown exception, and never a value.
 */
import { after, before, test } from "node:test"
import assert from "node:assert/strict"
import { fetchWorker, PRODUCT, startRuntime } from "./harness.js"
import type { RuntimeHarness } from "./harness.js"

let rt: RuntimeHarness
before(async () => {
  rt = await startRuntime()
  await rt.store("greeting", "protocol-greeting-value")
})
after(async () => {
  await rt?.dispose()
})

async function reply(binding: string, method: "read" | "active", args: unknown[]) {
  const answer = await rt.rpc(binding, method, args)
  assert.equal(answer.thrown, undefined, "the product answers failures as data")
  const text = JSON.stringify(answer.reply)
  assert.ok(!text.includes("protocol-greeting-value") || (answer.reply as { ok: boolean }).ok)
  return answer.reply as { ok: true; value: unknown } | { ok: false; error: { code: string; secretId: string; versionId?: string; message: string } }
}

test("read() answers the stored text with its version", async () => {
  assert.deepEqual(await reply("LAYERON_SECRET", "read", ["plain/greeting", { kind: "current" }]), { ok: true, value: { version: "v1", value: "protocol-greeting-value" } })
  assert.deepEqual(await reply("LAYERON_SECRET", "active", ["plain/greeting"]), { ok: true, value: { versions: [{ version: "v1", value: "protocol-greeting-value" }], skipped: [] } })
})

test("a malformed selector is answered as product_unavailable naming a version mismatch", async () => {
  for (const selector of [undefined, { kind: "latest" }, { kind: "version" }, { kind: "at", time: "soon" }]) {
    const answer = await reply("LAYERON_SECRET", "read", ["plain/greeting", selector])
    assert.equal(answer.ok, false)
    if (answer.ok) continue
    assert.equal(answer.error.code, "product_unavailable")
    assert.match(answer.error.message, /read request for secret "plain\/greeting" is malformed: the app and the Secret Product Worker run different Layeron versions/)
  }
})

test("a secret id that is not a string is secret_not_found; one the backend does not register (inherited names too) is secret_not_registered", async () => {
  const notString = await reply("LAYERON_SECRET", "read", [42, { kind: "current" }])
  assert.deepEqual(notString.ok ? undefined : [notString.error.code, notString.error.secretId], ["secret_not_found", "(not a string)"])
  // Says what is wrong with the call, not "register it with app.use()", which would not help.
  assert.match(notString.ok ? "" : notString.error.message, /something other than text/)
  assert.doesNotMatch(notString.ok ? "" : notString.error.message, /app\.use/)
  for (const id of ["__proto__/x", "constructor/x", "auth/undeclared"]) {
    const inherited = await reply("LAYERON_SECRET", "active", [id])
    assert.equal(inherited.ok ? undefined : inherited.error.code, "secret_not_registered")
  }
})

test("a product Worker with a malformed manifest answers product_unavailable with the fix", async () => {
  const answer = await reply("BROKEN", "read", ["plain/greeting", { kind: "current" }])
  assert.equal(answer.ok, false)
  if (answer.ok) return
  assert.equal(answer.error.code, "product_unavailable")
  assert.match(answer.error.message, /Cannot read secret "plain\/greeting": The Secret Product Worker's manifest is invalid at "\(root\)": is not valid JSON. Redeploy with `layer deploy`/)
})

test("the product Worker serves nothing over HTTP", async () => {
  const response = await fetchWorker(rt.mf, PRODUCT, "http://product/")
  assert.equal(response.status, 404)
  assert.equal(await response.text(), "Not found")
})
