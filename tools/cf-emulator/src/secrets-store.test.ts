// Secrets Store against FACTS.md §2: store rules,
// bulk create, validation (names, sizes, scopes), duplicates, quota, pagination, search, get,
// PATCH, delete, duplicate, pending → active.
import assert from "node:assert/strict"
import { after, afterEach, before, beforeEach, describe, it } from "node:test"
import { errorCodes, startFixture, type Fixture } from "./emulator.test-support.js"

const RFC3339_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const HEX32 = /^[0-9a-f]{32}$/

describe("stores", () => {
  let f: Fixture
  let base: string
  beforeEach(async () => {
    f = await startFixture()
    base = `/accounts/${f.accountId}/secrets_store/stores`
  })
  afterEach(() => f.emulator.close())

  it("creates one store with {name} and lists it with result_info", async () => {
    const created = await f.call("POST", base, { body: { name: "main" } })
    assert.equal(created.status, 200)
    assert.match(created.json.result.id, HEX32)
    assert.equal(created.json.result.name, "main")
    assert.equal(created.json.result.account_id, f.accountId)
    assert.match(created.json.result.created, RFC3339_MICROS)
    const listed = await f.call("GET", base)
    assert.deepEqual(listed.json.result, [created.json.result])
    // No total_pages: the Secrets Store schema does not list it (FACTS.md 2.11).
    assert.deepEqual(listed.json.result_info, { count: 1, page: 1, per_page: 20, total_count: 1 })
    const got = await f.call("GET", `${base}/${created.json.result.id}`)
    assert.deepEqual(got.json.result, created.json.result)
  })

  it("refuses a second store with 400 maximum_stores_exceeded [1003]", async () => {
    await f.createStore()
    const second = await f.call("POST", base, { body: { name: "another" } })
    assert.equal(second.status, 400)
    assert.deepEqual(second.json.errors, [{ code: 1003, message: "maximum_stores_exceeded" }])
    assert.equal((await f.call("GET", base)).json.result.length, 1)
  })

  it("accepts the early array form [{name}] too", async () => {
    const created = await f.call("POST", base, { body: [{ name: "main" }] })
    assert.equal(created.status, 200)
    assert.equal(created.json.result.length, 1)
  })

  it("refuses a store without a name, and a body that is not JSON", async () => {
    assert.deepEqual(errorCodes(await f.call("POST", base, { body: {} })), [1001])
    const notJson = await f.call("POST", base, { body: "{name:" })
    assert.equal(notJson.status, 400)
    assert.match(notJson.json.errors[0]?.message ?? "", /^invalid_json_body/)
  })

  it("refuses to delete a store holding secrets (409 store_not_empty) unless force=true, which deletes them", async () => {
    const storeId = await f.createStore()
    await f.createSecrets(storeId, ["A"])
    const refused = await f.call("DELETE", `${base}/${storeId}`)
    assert.equal(refused.status, 409)
    assert.match(refused.json.errors[0]?.message ?? "", /^store_not_empty/)
    const forced = await f.call("DELETE", `${base}/${storeId}?force=true`)
    assert.equal(forced.status, 200)
    assert.equal(forced.json.result, null)
    assert.equal((await f.call("GET", `${base}/${storeId}`)).status, 404)
    const quota = await f.call("GET", `/accounts/${f.accountId}/secrets_store/quota`)
    assert.deepEqual(quota.json.result, { secrets: { quota: 100, usage: 0 } })
  })

  it("deletes an empty store, after which a new one may be created (with a new id)", async () => {
    const storeId = await f.createStore()
    assert.equal((await f.call("DELETE", `${base}/${storeId}`)).status, 200)
    const again = await f.createStore()
    assert.notEqual(again, storeId)
  })

  it("starts an account with default_secrets_store when asked, as the dashboard does", async () => {
    const account = f.emulator.addAccount({ withDefaultStore: true })
    const token = f.emulator.addToken({ kind: "user", accountIds: [account.id], permissions: ["secrets_store_read"] })
    const listed = await f.call("GET", `/accounts/${account.id}/secrets_store/stores`, { token })
    assert.deepEqual(
      listed.json.result.map((s: { name: string }) => s.name),
      ["default_secrets_store"],
    )
  })
})

describe("creating secrets", () => {
  let f: Fixture
  let secrets: string
  let storeId: string
  before(async () => {
    f = await startFixture()
    storeId = await f.createStore()
    secrets = `/accounts/${f.accountId}/secrets_store/stores/${storeId}/secrets`
  })
  after(() => f.emulator.close())

  it("bulk-creates from a JSON array and returns metadata, never the value", async () => {
    const res = await f.call("POST", secrets, {
      body: [
        { name: "ONE", value: "first-value", scopes: ["workers"], comment: "c1" },
        { name: "TWO", value: "second-value", scopes: ["workers", "ai_gateway"] },
      ],
    })
    assert.equal(res.status, 200)
    assert.equal(res.json.result.length, 2)
    const [one, two] = res.json.result
    assert.match(one.id, HEX32)
    assert.equal(one.store_id, storeId)
    assert.equal(one.name, "ONE")
    assert.equal(one.comment, "c1")
    assert.deepEqual(one.scopes, ["workers"])
    assert.deepEqual(two.scopes, ["ai_gateway", "workers"], "scopes come back in alphabetical order")
    assert.match(one.created, RFC3339_MICROS)
    assert.equal(one.created, one.modified)
    assert.ok(!JSON.stringify(res.json).includes("first-value"))
    assert.equal(f.emulator.getSecretValue(f.accountId, storeId, "ONE"), "first-value")
  })

  it("refuses a body that is not an array, or an empty array", async () => {
    for (const body of [{ name: "X", value: "v", scopes: ["workers"] }, []]) {
      const res = await f.call("POST", secrets, { body })
      assert.equal(res.status, 400)
      assert.match(res.json.errors[0]?.message ?? "", /^invalid_json_body/)
    }
  })

  it("requires name, value and scopes, each with its own message", async () => {
    const cases: [unknown, RegExp][] = [
      [{ value: "v", scopes: ["workers"] }, /^secret_name_empty$/],
      [{ name: "", value: "v", scopes: ["workers"] }, /^secret_name_empty$/],
      [{ name: "N", scopes: ["workers"] }, /^secret_value_empty: N/],
      [{ name: "N", value: "", scopes: ["workers"] }, /^secret_value_empty: N/],
      [{ name: "N", value: "v" }, /^secret_scopes_empty$/],
      [{ name: "N", value: "v", scopes: [] }, /^secret_scopes_empty$/],
      [{ name: "N", value: "v", scopes: ["worker"] }, /^secret_scope_invalid: "worker" is not one of workers, ai_gateway/],
      [{ name: "N", value: "v", scopes: "workers" }, /^secret_scope_invalid/],
      [{ name: "N", value: "v", scopes: ["workers"], comment: 5 }, /^secret_comment_invalid/],
    ]
    for (const [item, message] of cases) {
      const res = await f.call("POST", secrets, { body: [item] })
      assert.equal(res.status, 400, JSON.stringify(item))
      assert.deepEqual(errorCodes(res), [1001])
      assert.match(res.json.errors[0]?.message ?? "", message)
    }
  })

  it("accepts every scope of the enum", async () => {
    const scopes = ["workers", "ai_gateway", "dex", "access", "containers", "websearch"]
    const res = await f.call("POST", secrets, { body: [{ name: "ALL_SCOPES", value: "v", scopes }] })
    assert.equal(res.status, 200)
    assert.deepEqual(res.json.result[0].scopes, [...scopes].sort())
  })

  it("checks names: letters, digits, _ and -, 1 to 255 characters", async () => {
    for (const name of ["has space", "dot.name", "slash/name", "é", "a".repeat(256)]) {
      const res = await f.call("POST", secrets, { body: [{ name, value: "v", scopes: ["workers"] }] })
      assert.equal(res.status, 400, name)
      assert.match(res.json.errors[0]?.message ?? "", /^secret_name_invalid/)
    }
    const ok = await f.call("POST", secrets, { body: [{ name: `Ab_9-${"z".repeat(250)}`, value: "v", scopes: ["workers"] }] })
    assert.equal(ok.status, 200)
  })

  it("takes a value of exactly 65,536 UTF-8 bytes and refuses one byte more, counting bytes, not characters", async () => {
    const exact = await f.call("POST", secrets, { body: [{ name: "EXACT", value: "x".repeat(65_536), scopes: ["workers"] }] })
    assert.equal(exact.status, 200)
    const over = await f.call("POST", secrets, { body: [{ name: "OVER", value: "x".repeat(65_537), scopes: ["workers"] }] })
    assert.equal(over.status, 400)
    assert.match(over.json.errors[0]?.message ?? "", /^secret_value_too_long: OVER is 65537 bytes; a value may hold at most 65536/)
    // 21,846 three-byte characters: 65,538 bytes although only 21,846 characters.
    const multibyte = await f.call("POST", secrets, { body: [{ name: "WIDE", value: "€".repeat(21_846), scopes: ["workers"] }] })
    assert.equal(multibyte.status, 400)
    assert.match(multibyte.json.errors[0]?.message ?? "", /65538 bytes/)
    assert.ok(!JSON.stringify(over.json).includes("xxxx"), "the error never contains the value")
  })

  it("refuses an existing name with 400 secret_name_already_exists: NAME [1003]", async () => {
    await f.createSecrets(storeId, ["TAKEN"])
    const res = await f.call("POST", secrets, { body: [{ name: "TAKEN", value: "v", scopes: ["workers"] }] })
    assert.equal(res.status, 400)
    assert.deepEqual(res.json.errors, [{ code: 1003, message: "secret_name_already_exists: TAKEN" }])
  })

  it("treats names as case-sensitive", async () => {
    await f.createSecrets(storeId, ["case_name"])
    assert.equal((await f.call("POST", secrets, { body: [{ name: "CASE_NAME", value: "v", scopes: ["workers"] }] })).status, 200)
  })

  it("refuses a batch that repeats a name, and writes nothing of a batch that fails", async () => {
    const before = f.emulator.accounts[0]?.stores[0]?.secrets.length
    const repeated = await f.call("POST", secrets, {
      body: [
        { name: "TWIN", value: "a", scopes: ["workers"] },
        { name: "TWIN", value: "b", scopes: ["workers"] },
      ],
    })
    assert.deepEqual(repeated.json.errors, [{ code: 1003, message: "secret_name_already_exists: TWIN" }])
    const halfBad = await f.call("POST", secrets, {
      body: [
        { name: "GOOD", value: "a", scopes: ["workers"] },
        { name: "BAD", value: "b", scopes: ["nope"] },
      ],
    })
    assert.equal(halfBad.status, 400)
    assert.equal(f.emulator.accounts[0]?.stores[0]?.secrets.length, before)
    assert.equal(f.emulator.getSecretValue(f.accountId, storeId, "GOOD"), undefined)
  })

  it("answers 404 store_not_found for an unknown store", async () => {
    const res = await f.call("POST", `/accounts/${f.accountId}/secrets_store/stores/${"0".repeat(32)}/secrets`, {
      body: [{ name: "X", value: "v", scopes: ["workers"] }],
    })
    assert.equal(res.status, 404)
    assert.deepEqual(res.json.errors, [{ code: 1001, message: "store_not_found" }])
  })
})

describe("the quota", () => {
  it("counts secrets per account and refuses a create past it with a clear 4xx, writing nothing", async (t) => {
    const f = await startFixture({ quota: 3 })
    t.after(() => f.emulator.close())
    const storeId = await f.createStore()
    const secrets = `/accounts/${f.accountId}/secrets_store/stores/${storeId}/secrets`
    const quota = `/accounts/${f.accountId}/secrets_store/quota`
    assert.deepEqual((await f.call("GET", quota)).json.result, { secrets: { quota: 3, usage: 0 } })
    const [firstId] = await f.createSecrets(storeId, ["A", "B"])
    const tooMany = await f.call("POST", secrets, {
      body: ["C", "D"].map((name) => ({ name, value: "v", scopes: ["workers"] })),
    })
    assert.equal(tooMany.status, 400)
    assert.deepEqual(tooMany.json.errors, [{ code: 1003, message: "maximum_secrets_exceeded: max 3" }])
    assert.deepEqual((await f.call("GET", quota)).json.result, { secrets: { quota: 3, usage: 2 } })
    await f.createSecrets(storeId, ["C"])
    const dup = await f.call("POST", `${secrets}/${firstId}/duplicate`, { body: { name: "A2", scopes: ["workers"] } })
    assert.match(dup.json.errors[0]?.message ?? "", /^maximum_secrets_exceeded: max /)
    await f.call("DELETE", `${secrets}/${firstId}`)
    assert.deepEqual((await f.call("GET", quota)).json.result, { secrets: { quota: 3, usage: 2 } })
    f.emulator.setQuota(10)
    assert.deepEqual((await f.call("GET", quota)).json.result, { secrets: { quota: 10, usage: 2 } })
  })

  it("defaults to Cloudflare's 100 secrets per account", async (t) => {
    const f = await startFixture()
    t.after(() => f.emulator.close())
    const storeId = await f.createStore()
    const secrets = `/accounts/${f.accountId}/secrets_store/stores/${storeId}/secrets`
    const hundred = Array.from({ length: 100 }, (_, i) => ({ name: `S${i}`, value: "v", scopes: ["workers"] }))
    assert.equal((await f.call("POST", secrets, { body: hundred })).status, 200)
    const oneMore = await f.call("POST", secrets, { body: [{ name: "S100", value: "v", scopes: ["workers"] }] })
    assert.equal(oneMore.status, 400)
    assert.match(oneMore.json.errors[0]?.message ?? "", /^maximum_secrets_exceeded: max /)
  })
})

describe("listing secrets", () => {
  let f: Fixture
  let secrets: string
  before(async () => {
    f = await startFixture()
    const storeId = await f.createStore()
    secrets = `/accounts/${f.accountId}/secrets_store/stores/${storeId}/secrets`
    // 45 secrets, created in name order; three carry comments.
    await f.createSecrets(storeId, Array.from({ length: 42 }, (_, i) => `SECRET_${String(i).padStart(2, "0")}`))
    await f.call("POST", secrets, {
      body: [
        { name: "stripe_key", value: "v", scopes: ["workers"], comment: "payments" },
        { name: "other", value: "v", scopes: ["workers"], comment: "STRIPE webhook" },
        { name: "gateway", value: "v", scopes: ["ai_gateway"], comment: "" },
      ],
    })
  })
  after(() => f.emulator.close())

  it("defaults to 20 per page and reports the pagination math", async () => {
    const res = await f.call("GET", secrets)
    assert.equal(res.json.result.length, 20)
    assert.deepEqual(res.json.result_info, { count: 20, page: 1, per_page: 20, total_count: 45 })
    const last = await f.call("GET", `${secrets}?page=3`)
    assert.deepEqual(last.json.result_info, { count: 5, page: 3, per_page: 20, total_count: 45 })
    const beyond = await f.call("GET", `${secrets}?page=4`)
    assert.deepEqual(beyond.json.result, [])
    assert.deepEqual(beyond.json.result_info, { count: 0, page: 4, per_page: 20, total_count: 45 })
  })

  it("pages through every secret exactly once", async () => {
    const seen: string[] = []
    for (let page = 1; ; page++) {
      const res = await f.call("GET", `${secrets}?per_page=7&page=${page}`)
      if (res.json.result.length === 0) break
      seen.push(...res.json.result.map((s: { name: string }) => s.name))
    }
    assert.equal(seen.length, 45)
    assert.equal(new Set(seen).size, 45)
  })

  it("allows per_page up to 100 and refuses 101, 0 and non-numbers", async () => {
    const all = await f.call("GET", `${secrets}?per_page=100`)
    assert.equal(all.json.result.length, 45)
    for (const query of ["per_page=101", "per_page=0", "per_page=ten", "page=0", "page=-1", "page=1.5"]) {
      const res = await f.call("GET", `${secrets}?${query}`)
      assert.equal(res.status, 400, query)
      assert.match(res.json.errors[0]?.message ?? "", /^invalid_query_parameter: (per_page|page) must be an integer from 1 to/)
    }
  })

  it("searches name and comment by substring, case-insensitively, so clients must filter for the exact name", async () => {
    const res = await f.call("GET", `${secrets}?search=stripe`)
    assert.deepEqual(res.json.result.map((s: { name: string }) => s.name).sort(), ["other", "stripe_key"])
    const partial = await f.call("GET", `${secrets}?search=SECRET_0&per_page=100`)
    assert.equal(partial.json.result.length, 10)
    assert.equal(partial.json.result_info?.total_count, 10)
  })

  it("orders by name and direction, and refuses unknown order fields", async () => {
    const desc = await f.call("GET", `${secrets}?order=name&direction=desc&per_page=3`)
    assert.deepEqual(
      desc.json.result.map((s: { name: string }) => s.name),
      ["stripe_key", "other", "gateway"],
    )
    const asc = await f.call("GET", `${secrets}?order=name&direction=asc&per_page=1`)
    assert.equal(asc.json.result[0].name, "SECRET_00")
    assert.equal((await f.call("GET", `${secrets}?order=size`)).status, 400)
    assert.equal((await f.call("GET", `${secrets}?direction=up`)).status, 400)
  })

  it("filters by scopes", async () => {
    const res = await f.call("GET", `${secrets}?scopes=ai_gateway`)
    assert.deepEqual(
      res.json.result.map((s: { name: string }) => s.name),
      ["gateway"],
    )
  })
})

describe("one secret: get, patch, delete, duplicate, status", () => {
  let f: Fixture
  let secrets: string
  let storeId: string
  before(async () => {
    f = await startFixture({ pendingDelayMs: 60_000 })
    storeId = await f.createStore()
    secrets = `/accounts/${f.accountId}/secrets_store/stores/${storeId}/secrets`
  })
  after(() => f.emulator.close())

  it("reports a new secret pending, then active once pendingDelayMs has passed", async () => {
    const [id] = await f.createSecrets(storeId, ["FRESH"])
    assert.equal((await f.call("GET", `${secrets}/${id}`)).json.result.status, "pending")
    f.emulator.advanceClock(60_000)
    assert.equal((await f.call("GET", `${secrets}/${id}`)).json.result.status, "active")
  })

  it("gets metadata by id with every documented field and no value", async () => {
    const [id] = await f.createSecrets(storeId, ["GETME"], { comment: "note" })
    const res = await f.call("GET", `${secrets}/${id}`)
    assert.deepEqual(Object.keys(res.json.result).sort(), ["comment", "created", "id", "modified", "name", "scopes", "status", "store_id"])
    assert.equal(res.json.result.name, "GETME")
    assert.ok(!JSON.stringify(res.json).includes("value-of-GETME"))
  })

  it("answers 404 secret_not_found for an unknown id on get, patch, delete and duplicate", async () => {
    const missing = `${secrets}/${"0".repeat(32)}`
    for (const [method, path, body] of [
      ["GET", missing, undefined],
      ["PATCH", missing, { comment: "x" }],
      ["DELETE", missing, undefined],
      ["POST", `${missing}/duplicate`, { name: "N", scopes: ["workers"] }],
    ] as const) {
      const res = await f.call(method, path, body === undefined ? {} : { body })
      assert.equal(res.status, 404, method)
      assert.deepEqual(res.json.errors, [{ code: 1001, message: "secret_not_found" }])
    }
  })

  it("patches the value in place: same id, same created, later modified, pending again", async () => {
    const [id] = await f.createSecrets(storeId, ["ROTATE"])
    f.emulator.advanceClock(60_000)
    const before = (await f.call("GET", `${secrets}/${id}`)).json.result
    assert.equal(before.status, "active")
    const patched = await f.call("PATCH", `${secrets}/${id}`, { body: { value: "new-value" } })
    assert.equal(patched.status, 200)
    assert.equal(patched.json.result.id, id)
    assert.equal(patched.json.result.created, before.created)
    assert.ok(patched.json.result.modified > before.modified)
    assert.equal(patched.json.result.status, "pending")
    assert.equal(f.emulator.getSecretValue(f.accountId, storeId, "ROTATE"), "new-value")
    assert.ok(!JSON.stringify(patched.json).includes("new-value"))
  })

  it("changes modified on every write, even several within one millisecond", async () => {
    const [id] = await f.createSecrets(storeId, ["FAST"])
    const stamps = new Set<string>()
    for (let i = 0; i < 5; i++) stamps.add((await f.call("PATCH", `${secrets}/${id}`, { body: { comment: `c${i}` } })).json.result.modified)
    assert.equal(stamps.size, 5)
  })

  it("patches scopes and comment without touching the value", async () => {
    const [id] = await f.createSecrets(storeId, ["META"])
    const res = await f.call("PATCH", `${secrets}/${id}`, { body: { scopes: ["workers", "access"], comment: "now documented" } })
    assert.deepEqual(res.json.result.scopes, ["access", "workers"])
    assert.equal(res.json.result.comment, "now documented")
    assert.equal(f.emulator.getSecretValue(f.accountId, storeId, "META"), "value-of-META")
  })

  it("refuses a rename, an empty patch and bad fields, changing nothing", async () => {
    const [id] = await f.createSecrets(storeId, ["FIXED"])
    const rename = await f.call("PATCH", `${secrets}/${id}`, { body: { name: "RENAMED", value: "x" } })
    assert.equal(rename.status, 400)
    assert.match(rename.json.errors[0]?.message ?? "", /^secret_name_immutable/)
    assert.match((await f.call("PATCH", `${secrets}/${id}`, { body: {} })).json.errors[0]?.message ?? "", /^invalid_json_body/)
    const badScope = await f.call("PATCH", `${secrets}/${id}`, { body: { value: "changed", scopes: ["bogus"] } })
    assert.match(badScope.json.errors[0]?.message ?? "", /^secret_scope_invalid/)
    const tooBig = await f.call("PATCH", `${secrets}/${id}`, { body: { value: "y".repeat(65_537) } })
    assert.match(tooBig.json.errors[0]?.message ?? "", /^secret_value_too_long/)
    assert.equal(f.emulator.getSecretValue(f.accountId, storeId, "FIXED"), "value-of-FIXED")
  })

  it("deletes a secret, freeing its name: 202 with the deleted secret, as the published schema has it (FACTS.md 2.10)", async () => {
    const [id] = await f.createSecrets(storeId, ["GONE"])
    const res = await f.call("DELETE", `${secrets}/${id}`)
    assert.equal(res.status, 202)
    assert.equal(res.json.success, true)
    assert.equal(res.json.result.id, id)
    assert.equal(res.json.result.name, "GONE")
    assert.equal(res.json.result.status, "deleted")
    assert.equal(res.json.result.value, undefined, "never the value")
    assert.equal((await f.call("GET", `${secrets}/${id}`)).status, 404)
    await f.createSecrets(storeId, ["GONE"])
  })

  it("duplicates a secret under a new name with a new id and the same value; scopes are required", async () => {
    const [id] = await f.createSecrets(storeId, ["ORIGINAL"])
    const copy = await f.call("POST", `${secrets}/${id}/duplicate`, { body: { name: "COPY", scopes: ["workers"], comment: "copied" } })
    assert.equal(copy.status, 200)
    assert.notEqual(copy.json.result.id, id)
    assert.equal(copy.json.result.name, "COPY")
    assert.equal(copy.json.result.comment, "copied")
    assert.equal(f.emulator.getSecretValue(f.accountId, storeId, "COPY"), "value-of-ORIGINAL")
    const noScopes = await f.call("POST", `${secrets}/${id}/duplicate`, { body: { name: "COPY2" } })
    assert.match(noScopes.json.errors[0]?.message ?? "", /^secret_scopes_empty/)
    const taken = await f.call("POST", `${secrets}/${id}/duplicate`, { body: { name: "COPY", scopes: ["workers"] } })
    assert.deepEqual(taken.json.errors, [{ code: 1003, message: "secret_name_already_exists: COPY" }])
  })
})
