// What a deploy meets after the upload itself (sources in FACTS.md): the workers.dev switch of
// each script (off after an API upload), the account's workers.dev subdomain (10007 when the
// account has none), keep_bindings, the 5 KB variable limit, and `GET /accounts` refusing an
// account-owned token the way an older answer did.
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { errorCodes, startFixture, type CallResult, type Fixture } from "./emulator.test-support.js"
import { startEmulator } from "./index.js"

async function upload(f: Fixture, script: string, metadata: Record<string, unknown>, token = f.token): Promise<CallResult> {
  const form = new FormData()
  form.set("metadata", JSON.stringify(metadata))
  form.set("index.js", new Blob(["export default { fetch() { return new Response('ok') } }"], { type: "application/javascript+module" }), "index.js")
  const response = await fetch(`${f.emulator.url}/accounts/${f.accountId}/workers/scripts/${script}`, { method: "PUT", headers: { authorization: `Bearer ${token}` }, body: form })
  return { status: response.status, headers: response.headers, json: (await response.json()) as CallResult["json"] }
}

const metadata = (bindings: unknown[], extra: Record<string, unknown> = {}) => ({ main_module: "index.js", compatibility_date: "2026-01-01", bindings, ...extra })

describe("workers.dev and the account subdomain", () => {
  let f: Fixture
  before(async () => {
    f = await startFixture()
  })
  after(() => f.emulator.close())

  it("starts a script uploaded through the API with workers.dev off, and keeps the switch across uploads", async () => {
    const path = `/accounts/${f.accountId}/workers/scripts/app/subdomain`
    assert.deepEqual(errorCodes(await f.call("GET", path)), [10007])
    assert.equal((await upload(f, "app", metadata([]))).status, 200)
    assert.deepEqual((await f.call("GET", path)).json.result, { enabled: false, previews_enabled: false })
    const enabled = await f.call("POST", path, { body: { enabled: true, previews_enabled: false } })
    assert.deepEqual(enabled.json.result, { enabled: true, previews_enabled: false })
    await upload(f, "app", metadata([]))
    assert.deepEqual((await f.call("GET", path)).json.result, { enabled: true, previews_enabled: false })
    assert.deepEqual(f.emulator.scripts.find((s) => s.name === "app")?.subdomain, { enabled: true, previewsEnabled: false })
    assert.deepEqual(errorCodes(await f.call("POST", path, { body: { enabled: "yes" } })), [1001])
  })

  it("needs Workers Scripts Edit to switch workers.dev, Read to look", async () => {
    await upload(f, "looked-at", metadata([]))
    const reader = f.tokenWith(["workers_scripts_read"])
    const path = `/accounts/${f.accountId}/workers/scripts/looked-at/subdomain`
    assert.equal((await f.call("GET", path, { token: reader })).status, 200)
    const refused = await f.call("POST", path, { token: reader, body: { enabled: true } })
    assert.equal(refused.status, 403)
    assert.equal(f.emulator.scripts.find((s) => s.name === "looked-at")?.subdomain.enabled, false)
  })

  it("answers the account's subdomain, or 10007 when the account registered none", async () => {
    const emulator = await startEmulator({ pendingDelayMs: 0 })
    after(() => emulator.close())
    const named = emulator.addAccount({ workersSubdomain: "acme" })
    const bare = emulator.addAccount({ workersSubdomain: null })
    const token = emulator.addToken({ kind: "user", accountIds: [named.id, bare.id], permissions: ["workers_scripts_read"] })
    const get = async (id: string) => (await fetch(`${emulator.url}/accounts/${id}/workers/subdomain`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<CallResult["json"]>
    assert.deepEqual((await get(named.id)).result, { subdomain: "acme" })
    const none = await get(bare.id)
    assert.equal(none.success, false)
    assert.deepEqual(none.errors.map((e) => e.code), [10007])
    assert.throws(() => emulator.addAccount({ workersSubdomain: "Not Valid" }), /workersSubdomain/)
  })
})

describe("keep_bindings and variable limits", () => {
  let f: Fixture
  before(async () => {
    f = await startFixture()
  })
  after(() => f.emulator.close())

  it("drops every earlier binding without keep_bindings, keeps the listed types with it, and lets a binding sent win", async () => {
    const dashboardVar = { type: "plain_text", name: "GREETING", text: "hello" }
    const kv = { type: "kv_namespace", name: "CACHE", namespace_id: "0123456789abcdef0123456789abcdef" }
    await upload(f, "kept", metadata([dashboardVar, kv]))
    await upload(f, "kept", metadata([]))
    assert.deepEqual(f.emulator.scripts.find((s) => s.name === "kept")?.bindings, [])

    await upload(f, "kept", metadata([dashboardVar, kv]))
    await upload(f, "kept", metadata([{ type: "plain_text", name: "OURS", text: "x" }], { keep_bindings: ["plain_text", "kv_namespace"] }))
    assert.deepEqual(f.emulator.scripts.find((s) => s.name === "kept")?.bindings, [{ type: "plain_text", name: "OURS", text: "x" }, dashboardVar, kv])

    await upload(f, "kept", metadata([{ type: "plain_text", name: "GREETING", text: "replaced" }], { keep_bindings: ["plain_text"] }))
    const after = f.emulator.scripts.find((s) => s.name === "kept")?.bindings
    assert.deepEqual(after, [{ type: "plain_text", name: "GREETING", text: "replaced" }, { type: "plain_text", name: "OURS", text: "x" }])
    assert.deepEqual(errorCodes(await upload(f, "kept", metadata([], { keep_bindings: "plain_text" }))), [10021])
  })

  it("refuses a variable over 5 KB and accepts one of exactly 5 KB", async () => {
    const exactly = { type: "plain_text", name: "EXACT", text: "x".repeat(5 * 1024) }
    assert.equal((await upload(f, "vars", metadata([exactly]))).status, 200)
    const over = await upload(f, "vars", metadata([{ type: "json", name: "BIG", json: { text: "x".repeat(5 * 1024) } }]))
    assert.deepEqual(errorCodes(over), [10021])
    assert.match(over.json.errors[0]?.message ?? "", /binding 'BIG' is \d+ bytes; a variable may hold at most 5120 bytes/)
  })
})

describe("GET /accounts with an account-owned token", () => {
  it("lists its one account by default, and refuses with 400/1001 when told to answer as older reports show", async (t) => {
    const f = await startFixture()
    t.after(() => f.emulator.close())
    const lists = f.emulator.addToken({ kind: "account", accountIds: [f.accountId], permissions: [] })
    const refuses = f.emulator.addToken({ kind: "account", accountIds: [f.accountId], permissions: [], accountList: "refuses" })
    assert.deepEqual((await f.call("GET", "/accounts", { token: lists })).json.result.map((a: { id: string }) => a.id), [f.accountId])
    const refused = await f.call("GET", "/accounts", { token: refuses })
    assert.equal(refused.status, 400)
    assert.deepEqual(refused.json.errors, [{ code: 1001, message: "List accounts endpoint does not support account owned tokens." }])
    assert.throws(() => f.emulator.addToken({ kind: "user", accountIds: [f.accountId], permissions: [], accountList: "refuses" }), /account tokens only/)
  })
})
