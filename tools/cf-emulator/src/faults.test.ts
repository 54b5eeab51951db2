// Fault injection (429 with and without retry-after, 5xx, latency, dropped connections;
// targeted at the next N requests, request number K, or a method/path pattern), the request
// log, and Cloudflare's global rate limit (FACTS.md 1.6) with small configured numbers.
import assert from "node:assert/strict"
import { after, afterEach, before, describe, it } from "node:test"
import { errorCodes, startFixture, type Fixture } from "./emulator.test-support.js"

describe("faults", () => {
  let f: Fixture
  let stores: string
  before(async () => {
    f = await startFixture()
    stores = `/accounts/${f.accountId}/secrets_store/stores`
  })
  afterEach(() => f.emulator.clearFaults())
  after(() => f.emulator.close())

  it("rate_limit answers 429 with code 971 and retry-after in seconds when given", async () => {
    f.emulator.setFault({ kind: "rate_limit", retryAfterSeconds: 7, next: 1 })
    const res = await f.call("GET", stores)
    assert.equal(res.status, 429)
    assert.equal(res.headers.get("retry-after"), "7")
    assert.deepEqual(errorCodes(res), [971])
    assert.equal(res.json.success, false)
    assert.equal((await f.call("GET", stores)).status, 200, "spent after one request")
  })

  it("error_answer answers a failure envelope with exactly the given words, then is spent", async () => {
    const message = "echo \u001b[2J d2hzZWNfdmFsdWU="
    f.emulator.setFault({ kind: "error_answer", status: 400, code: 1001, message, next: 1 })
    const res = await f.call("GET", stores)
    assert.equal(res.status, 400)
    assert.deepEqual(res.json.errors, [{ code: 1001, message }])
    assert.equal((await f.call("GET", stores)).status, 200, "spent after one request")
    assert.throws(() => f.emulator.setFault({ kind: "error_answer", status: 200, code: 1, message: "" } as never), /fault\.status must be an HTTP error status/)
  })

  it("rate_limit without retryAfterSeconds sends no retry-after", async () => {
    f.emulator.setFault({ kind: "rate_limit", next: 1 })
    const res = await f.call("GET", stores)
    assert.equal(res.status, 429)
    assert.equal(res.headers.get("retry-after"), null)
  })

  it("server_error 500 answers the JSON envelope; 502 and 503 answer Cloudflare's HTML page", async () => {
    f.emulator.setFault({ kind: "server_error", status: 500, next: 1 })
    const internal = await f.call("GET", stores)
    assert.equal(internal.status, 500)
    assert.equal(internal.json.success, false)
    for (const status of [502, 503] as const) {
      f.emulator.setFault({ kind: "server_error", status, next: 1 })
      const res = await fetch(`${f.emulator.url}${stores}`, { headers: { authorization: `Bearer ${f.token}` } })
      assert.equal(res.status, status)
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/)
      assert.match(await res.text(), new RegExp(`<title>${status} `))
    }
  })

  it("latency delays the request by at least its ms, then answers normally", async () => {
    f.emulator.setFault({ kind: "latency", ms: 120, next: 1 })
    const started = performance.now()
    const res = await f.call("GET", stores)
    assert.ok(performance.now() - started >= 110, "the answer came after the injected delay")
    assert.equal(res.status, 200)
    assert.deepEqual(f.emulator.requests.at(-1)?.faults, ["latency:120"])
  })

  it("drop_connection destroys the socket without an answer, logged with status null", async () => {
    f.emulator.setFault({ kind: "drop_connection", next: 1 })
    await assert.rejects(fetch(`${f.emulator.url}${stores}`, { headers: { authorization: `Bearer ${f.token}` } }), TypeError)
    const entry = f.emulator.requests.at(-1)
    assert.equal(entry?.status, null)
    assert.deepEqual(entry?.faults, ["drop_connection"])
    assert.equal((await f.call("GET", stores)).status, 200)
  })

  it("next: N applies to exactly the next N requests", async () => {
    f.emulator.setFault({ kind: "server_error", status: 503, next: 2 })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${f.emulator.url}${stores}`, { headers: { authorization: `Bearer ${f.token}` } })).status)
    assert.deepEqual(statuses, [503, 503, 200])
  })

  it("requestNumber: K applies to the K-th request from now only", async () => {
    f.emulator.setFault({ kind: "rate_limit", requestNumber: 3 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await f.call("GET", stores)).status)
    assert.deepEqual(statuses, [200, 200, 429, 200])
    assert.deepEqual(f.emulator.faults, [], "a pinned fault is gone once its request has passed")
  })

  it("method and path patterns pick the requests a fault applies to", async () => {
    const storeId = await f.createStore()
    f.emulator.setFault({ kind: "rate_limit", method: "POST", path: "/accounts/*/secrets_store/stores/*/secrets" })
    const secrets = `${stores}/${storeId}/secrets`
    assert.equal((await f.call("GET", secrets)).status, 200)
    const post = await f.call("POST", secrets, { body: [{ name: "X", value: "v", scopes: ["workers"] }] })
    assert.equal(post.status, 429)
    assert.equal((await f.call("POST", secrets, { body: [{ name: "X", value: "v", scopes: ["workers"] }] })).status, 429, "lasts until cleared")
    f.emulator.clearFaults()
    assert.equal((await f.call("POST", secrets, { body: [{ name: "X", value: "v", scopes: ["workers"] }] })).status, 200)
    f.emulator.setFault({ kind: "server_error", status: 500, path: "/accounts/**" })
    assert.equal((await f.call("GET", "/user/tokens/verify")).status, 200)
    assert.equal((await f.call("GET", stores)).status, 500)
    await f.call("DELETE", `${stores}/${storeId}?force=true`)
  })

  it("latency combines with another fault, and clearFault removes one fault by id", async () => {
    const latency = f.emulator.setFault({ kind: "latency", ms: 10 })
    f.emulator.setFault({ kind: "rate_limit", next: 1 })
    const res = await f.call("GET", stores)
    assert.equal(res.status, 429)
    assert.deepEqual(f.emulator.requests.at(-1)?.faults, ["latency:10", "rate_limit"])
    f.emulator.clearFault(latency)
    assert.deepEqual(f.emulator.faults, [])
    assert.throws(() => f.emulator.clearFault(latency), /no fault/)
  })

  it("refuses a bad fault with a message naming the field", () => {
    const cases: [unknown, RegExp][] = [
      [{ kind: "explode" }, /fault\.kind must be one of rate_limit, server_error, latency, drop_connection, error_answer, drip/],
      [{ kind: "server_error", status: 504 }, /fault\.status must be 500, 502 or 503/],
      [{ kind: "latency" }, /fault\.ms must be a non-negative integer/],
      [{ kind: "rate_limit", retryAfterSeconds: -1 }, /retryAfterSeconds/],
      [{ kind: "rate_limit", next: 0 }, /fault\.next must be a positive integer/],
      [{ kind: "rate_limit", path: "accounts" }, /fault\.path must be a path pattern starting with \//],
      [{ kind: "rate_limit", next: 1, requestNumber: 2 }, /not both/],
      [{ kind: "rate_limit", times: 2 }, /unknown field "times"/],
    ]
    for (const [fault, message] of cases) assert.throws(() => f.emulator.setFault(fault as never), message)
  })
})

describe("the request log", () => {
  it("records method, path, query, status and time of every API request, and resets", async (t) => {
    const f = await startFixture()
    t.after(() => f.emulator.close())
    await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores?page=1`)
    await f.call("GET", "/user/tokens/verify", { token: null })
    const log = f.emulator.requests
    assert.equal(log.length, 2)
    assert.deepEqual(
      log.map(({ method, path, query, status }) => ({ method, path, query, status })),
      [
        { method: "GET", path: `/accounts/${f.accountId}/secrets_store/stores`, query: "?page=1", status: 200 },
        { method: "GET", path: "/user/tokens/verify", query: "", status: 400 },
      ],
    )
    assert.ok(!Number.isNaN(Date.parse(log[0]?.time ?? "")))
    assert.equal(log[1]?.seq, (log[0]?.seq ?? 0) + 1)
    f.emulator.resetRequestLog()
    assert.deepEqual(f.emulator.requests, [])
    await fetch(`${f.emulator.controlUrl}/requests`)
    assert.deepEqual(f.emulator.requests, [], "control-plane requests are not logged")
  })
})

describe("the global rate limit", () => {
  it("sends Ratelimit headers on every answer, with Cloudflare's 1200 per 300 s by default", async (t) => {
    const f = await startFixture()
    t.after(() => f.emulator.close())
    const res = await f.call("GET", "/user/tokens/verify")
    assert.equal(res.headers.get("ratelimit-policy"), '"default";q=1200;w=300')
    assert.equal(res.headers.get("ratelimit"), '"default";r=1199;t=300')
    assert.equal(res.headers.get("retry-after"), null)
  })

  it("past N requests in the window blocks every request of that token with 429/971 for the block time", async (t) => {
    const f = await startFixture({ rateLimit: { requests: 5, windowMs: 300_000, blockMs: 300_000 } })
    t.after(() => f.emulator.close())
    const verify = (token?: string) => f.call("GET", "/user/tokens/verify", token === undefined ? {} : { token })
    const remaining = []
    for (let i = 0; i < 5; i++) remaining.push((await verify()).headers.get("ratelimit"))
    assert.deepEqual(remaining.map((header) => header?.match(/r=(\d+)/)?.[1]), ["4", "3", "2", "1", "0"])

    const blocked = await verify()
    assert.equal(blocked.status, 429)
    assert.deepEqual(blocked.json.errors, [{ code: 971, message: "More than 5 requests per 300 seconds reached" }])
    assert.equal(blocked.headers.get("retry-after"), "300")
    // Every endpoint is blocked for this token, not only the one that tipped it over.
    assert.equal((await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`)).status, 429)
    f.emulator.advanceClock(120_000)
    const later = await verify()
    assert.equal(later.status, 429)
    assert.equal(later.headers.get("retry-after"), "180")

    // Another token has its own budget.
    const other = f.tokenWith(["secrets_store_read"])
    assert.equal((await verify(other)).status, 200)
    f.emulator.advanceClock(180_000)
    assert.equal((await verify()).status, 200, "the block ends after blockMs")
    assert.deepEqual(
      f.emulator.requests.filter((r) => r.faults.includes("global_rate_limit")).length,
      3,
    )
  })

  it("counts requests in a sliding window: spread-out requests are never blocked", async (t) => {
    const f = await startFixture({ rateLimit: { requests: 3, windowMs: 10_000, blockMs: 60_000 } })
    t.after(() => f.emulator.close())
    for (let i = 0; i < 9; i++) {
      assert.equal((await f.call("GET", "/user/tokens/verify")).status, 200, `request ${i}`)
      f.emulator.advanceClock(4_000)
    }
  })
})
