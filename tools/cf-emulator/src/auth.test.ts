// Envelope shape, credentials, token verification, account access and permissions,
// checked against FACTS.md §1.
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { errorCodes, startFixture, type Fixture } from "./emulator.test-support.js"

describe("the response envelope", () => {
  let f: Fixture
  before(async () => (f = await startFixture()))
  after(() => f.emulator.close())

  it("wraps a success as {success:true, errors:[], messages, result}", async () => {
    const res = await f.call("GET", `/accounts/${f.accountId}/secrets_store/quota`)
    assert.equal(res.status, 200)
    assert.deepEqual(Object.keys(res.json).sort(), ["errors", "messages", "result", "success"])
    assert.equal(res.json.success, true)
    assert.deepEqual(res.json.errors, [])
    assert.deepEqual(res.json.result, { secrets: { quota: 100, usage: 0 } })
  })

  it("wraps a failure as {success:false, errors:[{code,message}], messages:[], result:null}", async () => {
    const res = await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores/${"0".repeat(32)}`)
    assert.equal(res.status, 404)
    assert.deepEqual(res.json, { success: false, errors: [{ code: 1001, message: "store_not_found" }], messages: [], result: null })
  })

  it("answers an unknown path with 7000 and a known path with the wrong method with 7001", async () => {
    const unknown = await f.call("GET", "/no/such/route")
    assert.equal(unknown.status, 400)
    assert.deepEqual(errorCodes(unknown), [7000])
    const wrongMethod = await f.call("PUT", `/accounts/${f.accountId}/secrets_store/quota`)
    assert.equal(wrongMethod.status, 405)
    assert.deepEqual(errorCodes(wrongMethod), [7001])
  })

  it("answers an account id that is not 32 hex digits with 7003 naming the path", async () => {
    const res = await f.call("GET", "/accounts/not-an-id/secrets_store/stores")
    assert.equal(res.status, 400)
    assert.deepEqual(errorCodes(res), [7003])
    assert.match(res.json.errors[0]?.message ?? "", /Could not route to \/client\/v4\/accounts\/not-an-id\/secrets_store\/stores/)
  })
})

describe("credentials", () => {
  let f: Fixture
  before(async () => (f = await startFixture()))
  after(() => f.emulator.close())

  it("refuses a request without Authorization with 9106", async () => {
    const res = await f.call("GET", "/accounts", { token: null })
    assert.equal(res.status, 400)
    assert.deepEqual(errorCodes(res), [9106])
  })

  it("refuses a malformed Authorization header with 6003 and 6111 in the error_chain", async () => {
    for (const header of ["Token abc", "Bearer", "Bearer has spaces in it", `Basic ${"a".repeat(40)}`, "Bearer tooshort"]) {
      const res = await f.call("GET", "/accounts", { token: null, headers: { authorization: header } })
      assert.equal(res.status, 400, header)
      assert.deepEqual(res.json.errors, [
        { code: 6003, message: "Invalid request headers", error_chain: [{ code: 6111, message: "Invalid format for Authorization header" }] },
      ])
    }
  })

  it("refuses a well-formed but unknown token with 401 and code 10000 Authentication error", async () => {
    const res = await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`, { token: "x".repeat(40) })
    assert.equal(res.status, 401)
    assert.deepEqual(res.json.errors, [{ code: 10000, message: "Authentication error" }])
  })

  it("refuses expired and disabled tokens on API endpoints with 10000", async () => {
    for (const status of ["expired", "disabled"] as const) {
      const token = f.emulator.addToken({ kind: "user", accountIds: [f.accountId], permissions: ["secrets_store_read"], status })
      const res = await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`, { token })
      assert.equal(res.status, 401, status)
      assert.deepEqual(errorCodes(res), [10000])
    }
  })

  it("stops accepting a token once it is disabled", async () => {
    const token = f.tokenWith(["secrets_store_read"])
    assert.equal((await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`, { token })).status, 200)
    f.emulator.setTokenStatus(token, "disabled")
    assert.equal((await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`, { token })).status, 401)
  })

  it("never echoes the token in any answer", async () => {
    const bad = "B".repeat(40)
    for (const res of [
      await f.call("GET", "/accounts", { token: bad }),
      await f.call("GET", "/user/tokens/verify", { token: bad }),
      await f.call("GET", "/user/tokens/verify"),
    ]) {
      const text = JSON.stringify(res.json)
      assert.ok(!text.includes(bad) && !text.includes(f.token))
    }
  })
})

describe("token verification", () => {
  let f: Fixture
  before(async () => (f = await startFixture()))
  after(() => f.emulator.close())

  it("verifies a user token at /user/tokens/verify with the 'valid and active' message", async () => {
    const res = await f.call("GET", "/user/tokens/verify")
    assert.equal(res.status, 200)
    assert.match(res.json.result.id, /^[0-9a-f]{32}$/)
    assert.equal(res.json.result.status, "active")
    assert.deepEqual(res.json.messages, [{ code: 10000, message: "This API Token is valid and active" }])
  })

  it("refuses a cfat_ account token at /user/tokens/verify with 401 and verifies it at /accounts/{id}/tokens/verify", async () => {
    const accountToken = f.tokenWith(["secrets_store_read"], "account")
    assert.ok(accountToken.startsWith("cfat_"))
    const userEndpoint = await f.call("GET", "/user/tokens/verify", { token: accountToken })
    assert.equal(userEndpoint.status, 401)
    assert.deepEqual(userEndpoint.json.errors, [{ code: 1000, message: "Invalid API Token" }])
    const accountEndpoint = await f.call("GET", `/accounts/${f.accountId}/tokens/verify`, { token: accountToken })
    assert.equal(accountEndpoint.status, 200)
    assert.equal(accountEndpoint.json.result.status, "active")
  })

  it("refuses a user token at the account verify endpoint, and an account token for another account", async () => {
    assert.equal((await f.call("GET", `/accounts/${f.accountId}/tokens/verify`)).status, 401)
    const other = f.emulator.addAccount().id
    const accountToken = f.tokenWith(["secrets_store_read"], "account")
    const res = await f.call("GET", `/accounts/${other}/tokens/verify`, { token: accountToken })
    assert.equal(res.status, 401)
    assert.deepEqual(errorCodes(res), [1000])
  })

  it("reports an expired token's status instead of 'valid and active'", async () => {
    const token = f.emulator.addToken({ kind: "user", accountIds: [f.accountId], permissions: [], status: "expired" })
    const res = await f.call("GET", "/user/tokens/verify", { token })
    assert.equal(res.status, 200)
    assert.equal(res.json.result.status, "expired")
    assert.deepEqual(res.json.messages, [])
  })

  it("refuses an unknown token at /user/tokens/verify with 1000 Invalid API Token", async () => {
    const res = await f.call("GET", "/user/tokens/verify", { token: "u".repeat(40) })
    assert.equal(res.status, 401)
    assert.deepEqual(errorCodes(res), [1000])
  })
})

describe("accounts and permissions", () => {
  let f: Fixture
  before(async () => (f = await startFixture()))
  after(() => f.emulator.close())

  it("lists the accounts a token reaches, paginated with result_info", async () => {
    const ids = [f.accountId, ...Array.from({ length: 4 }, () => f.emulator.addAccount().id)]
    f.emulator.addAccount() // not reachable by the token below
    const token = f.emulator.addToken({ kind: "user", accountIds: ids, permissions: [] })
    const page2 = await f.call("GET", "/accounts?page=2&per_page=2", { token })
    assert.equal(page2.status, 200)
    assert.deepEqual(
      page2.json.result.map((a: { id: string }) => a.id),
      ids.slice(2, 4),
    )
    assert.deepEqual(page2.json.result_info, { count: 2, page: 2, per_page: 2, total_count: 5, total_pages: 3 })
  })

  it("lists an account token's one account", async () => {
    const res = await f.call("GET", "/accounts", { token: f.tokenWith([], "account") })
    assert.deepEqual(
      res.json.result.map((a: { id: string }) => a.id),
      [f.accountId],
    )
  })

  it("refuses an account the token does not reach with 403 and 9109, whether or not it exists", async () => {
    const other = f.emulator.addAccount().id
    for (const accountId of [other, "f".repeat(32)]) {
      const res = await f.call("GET", `/accounts/${accountId}/secrets_store/stores`)
      assert.equal(res.status, 403)
      assert.deepEqual(errorCodes(res), [9109])
    }
  })

  it("lets Secrets Store Read read but not write, with 403 code 10000 on the write", async () => {
    const reader = f.tokenWith(["secrets_store_read"])
    assert.equal((await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`, { token: reader })).status, 200)
    assert.equal((await f.call("GET", `/accounts/${f.accountId}/secrets_store/quota`, { token: reader })).status, 200)
    const write = await f.call("POST", `/accounts/${f.accountId}/secrets_store/stores`, { token: reader, body: { name: "s" } })
    assert.equal(write.status, 403)
    assert.deepEqual(write.json.errors, [{ code: 10000, message: "Authentication error" }])
  })

  it("lets Secrets Store Write read too", async () => {
    const writer = f.tokenWith(["secrets_store_write"])
    assert.equal((await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`, { token: writer })).status, 200)
  })

  it("refuses Secrets Store to a token without a Secrets Store permission, and Workers to one without Workers Scripts Write", async () => {
    const workersOnly = f.tokenWith(["workers_scripts_write"])
    const store = await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`, { token: workersOnly })
    assert.equal(store.status, 403)
    assert.deepEqual(errorCodes(store), [10000])
    const secretsOnly = f.tokenWith(["secrets_store_write"])
    const scripts = await f.call("GET", `/accounts/${f.accountId}/workers/scripts`, { token: secretsOnly })
    assert.equal(scripts.status, 403)
    assert.deepEqual(errorCodes(scripts), [10000])
  })
})

describe("the typed control API refuses bad input with a clear message", () => {
  let f: Fixture
  before(async () => (f = await startFixture()))
  after(() => f.emulator.close())

  it("addToken", () => {
    const base = { kind: "user" as const, accountIds: [f.accountId], permissions: [] }
    assert.throws(() => f.emulator.addToken({ ...base, value: "short" }), /at least 40 characters/)
    assert.throws(() => f.emulator.addToken({ ...base, value: `cfat_${"a".repeat(40)}` }), /account tokens, and only they, start with "cfat_"/)
    assert.throws(() => f.emulator.addToken({ ...base, accountIds: ["0".repeat(32)] }), /unknown account/)
    assert.throws(() => f.emulator.addToken({ ...base, permissions: ["admin" as never] }), /unknown permission "admin"/)
    assert.throws(() => f.emulator.addToken({ ...base, kind: "account", accountIds: [] }), /exactly one account/)
    assert.throws(() => f.emulator.addToken({ ...base, status: "revoked" as never }), /status must be one of/)
    assert.throws(() => f.emulator.addToken({ ...base, value: f.token }), /already registered/)
  })

  it("addAccount and setQuota", () => {
    assert.throws(() => f.emulator.addAccount({ id: "XYZ" }), /32 lowercase hex digits/)
    assert.throws(() => f.emulator.addAccount({ id: f.accountId }), /already exists/)
    assert.throws(() => f.emulator.setQuota(-1), /non-negative integer/)
    assert.throws(() => f.emulator.setQuota(5, "0".repeat(32)), /unknown account/)
  })
})
