/**
 * The REST client against the Cloudflare API emulator with every fault it can inject:
 * what is retried, how long it waits, when it gives up, and what the user is told.
 */
import assert from "node:assert/strict"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { after, before, beforeEach, describe, test } from "node:test"
import { rejection, startCloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import type { CloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import { isLayerError } from "../../errors.js"
import { CloudflareApi } from "./api.js"
import type { CloudflareApiOptions } from "./api.js"
import { listStores } from "./secrets.js"

let fx: CloudflareFixture
before(async () => {
  fx = await startCloudflareFixture({ withDefaultStore: true })
})
after(() => fx.close())
beforeEach(() => {
  fx.emulator.clearFaults()
  fx.emulator.resetRequestLog()
  fx.debugLines.length = 0
})

function client(overrides: Partial<CloudflareApiOptions> = {}): CloudflareApi {
  return new CloudflareApi({
    apiToken: fx.token,
    baseUrl: fx.emulator.url,
    debug: (line) => fx.debugLines.push(line),
    maxRetryWaitMs: 5_000,
    requestTimeoutMs: 5_000,
    backoffBaseMs: 10,
    ...overrides,
  })
}

const listOnce = (api: CloudflareApi) => listStores(api, fx.accountId)

describe("server errors are retried with backoff", () => {
  for (const status of [500, 502, 503] as const) {
    test(`HTTP ${status} twice, then success`, async () => {
      fx.emulator.setFault({ kind: "server_error", status, next: 2 })
      const { items } = await listOnce(client())
      assert.equal(items.length, 1)
      assert.deepEqual(
        fx.emulator.requests.map((request) => request.status),
        [status, status, 200],
      )
      assert.equal(fx.debugLines.filter((line) => line.includes("retrying in")).length, 2)
    })
  }

  test("a server that keeps failing gives up after 5 attempts with a message that says so", async () => {
    fx.emulator.setFault({ kind: "server_error", status: 503 })
    const error = await rejection(listOnce(client()))
    assert.equal(error.code, "cloudflare_unavailable")
    assert.match(error.message, /Cloudflare kept failing on GET \/accounts\/[0-9a-f]{32}\/secrets_store\/stores \(last answer HTTP 503/)
    assert.match(error.hint ?? "", /cloudflarestatus\.com/)
    assert.equal(fx.emulator.requests.length, 5)
  })

  test("with no wait budget there is no retry at all", async () => {
    fx.emulator.setFault({ kind: "server_error", status: 500, next: 1 })
    const error = await rejection(listOnce(client({ maxRetryWaitMs: 0 })))
    assert.equal(error.code, "cloudflare_unavailable")
    assert.equal(fx.emulator.requests.length, 1)
  })

  test("the budget caps the total wait across requests of one client", async () => {
    // Backoff of a 1 s base: the first wait alone would be up to 1 s; the budget allows 30 ms.
    fx.emulator.setFault({ kind: "server_error", status: 500 })
    const started = Date.now()
    const error = await rejection(listOnce(client({ maxRetryWaitMs: 30, backoffBaseMs: 1_000 })))
    assert.equal(error.code, "cloudflare_unavailable")
    assert.ok(Date.now() - started < 2_000, "gave up within the budget, not after full backoff")
  })
})

describe("rate limits (HTTP 429, code 971)", () => {
  test("retry-after is honoured: it waits, then succeeds", async () => {
    fx.emulator.setFault({ kind: "rate_limit", retryAfterSeconds: 1, next: 1 })
    const { items } = await listOnce(client())
    assert.equal(items.length, 1)
    assert.deepEqual(
      fx.emulator.requests.map((request) => request.status),
      [429, 200],
    )
    assert.ok(fx.debugLines.some((line) => /rate limited; waiting 1\.0 s as retry-after asks/.test(line)))
  })

  test("without retry-after it backs off and retries", async () => {
    fx.emulator.setFault({ kind: "rate_limit", next: 2 })
    const { items } = await listOnce(client())
    assert.equal(items.length, 1)
    assert.equal(fx.emulator.requests.length, 3)
  })

  test("a retry-after longer than the budget fails at once, saying how long and until when", async () => {
    fx.emulator.setFault({ kind: "rate_limit", retryAfterSeconds: 300 })
    const started = Date.now()
    const error = await rejection(listOnce(client({ maxRetryWaitMs: 90_000 })))
    assert.ok(Date.now() - started < 2_000, "no waiting when the wait cannot fit")
    assert.equal(error.code, "cloudflare_rate_limited")
    assert.match(error.message, /Cloudflare's rate limit blocks API requests of this user for 300 s/)
    assert.match(error.message, /layer waits at most 90 s/)
    assert.match(error.hint ?? "", /run the command again after \d{4}-\d\d-\d\dT/)
    assert.equal(error.details?.retryAfterSeconds, 300)
    assert.equal(fx.emulator.requests.length, 1)
  })
})

describe("Cloudflare's 5-minute block after too many requests", () => {
  test("a block longer than the budget ends the command with the time to come back", async () => {
    const blocked = await startCloudflareFixture({ withDefaultStore: true, emulator: { rateLimit: { requests: 2, windowMs: 60_000, blockMs: 300_000 } } })
    try {
      const api = new CloudflareApi({ apiToken: blocked.token, baseUrl: blocked.emulator.url, maxRetryWaitMs: 90_000, backoffBaseMs: 10 })
      await listStores(api, blocked.accountId)
      await listStores(api, blocked.accountId)
      const error = await rejection(listStores(api, blocked.accountId))
      assert.equal(error.code, "cloudflare_rate_limited")
      assert.match(error.message, /for 300 s/)
      assert.deepEqual(blocked.emulator.requests.at(-1)?.faults, ["global_rate_limit"])
      assert.equal(blocked.emulator.requests.length, 3)
    } finally {
      await blocked.close()
    }
  })

  test("a short block (configured small) is waited out", async () => {
    const blocked = await startCloudflareFixture({ withDefaultStore: true, emulator: { rateLimit: { requests: 2, windowMs: 60_000, blockMs: 1_000 } } })
    try {
      const api = new CloudflareApi({ apiToken: blocked.token, baseUrl: blocked.emulator.url, maxRetryWaitMs: 5_000, backoffBaseMs: 10 })
      await listStores(api, blocked.accountId)
      await listStores(api, blocked.accountId)
      const { items } = await listStores(api, blocked.accountId)
      assert.equal(items.length, 1)
      assert.deepEqual(
        blocked.emulator.requests.map((request) => request.status),
        [200, 200, 429, 200],
      )
    } finally {
      await blocked.close()
    }
  })
})

describe("connections and timeouts", () => {
  test("a dropped connection is retried", async () => {
    fx.emulator.setFault({ kind: "drop_connection", next: 1 })
    const { items } = await listOnce(client())
    assert.equal(items.length, 1)
    assert.deepEqual(
      fx.emulator.requests.map((request) => request.status),
      [null, 200],
    )
  })

  test("connections that keep dropping end in a clear unreachable error", async () => {
    fx.emulator.setFault({ kind: "drop_connection" })
    const error = await rejection(listOnce(client()))
    assert.equal(error.code, "cloudflare_unreachable")
    assert.match(error.message, /could not reach the Cloudflare API at http:\/\/127\.0\.0\.1:\d+\/client\/v4 \(connection closed before an answer\).*after 5 attempts/)
  })

  test("latency beyond the per-request timeout is a timeout, retried", async () => {
    fx.emulator.setFault({ kind: "latency", ms: 1_500, next: 1 })
    const { items } = await listOnce(client({ requestTimeoutMs: 500 }))
    assert.equal(items.length, 1)
    assert.ok(fx.debugLines.some((line) => line.includes("timed out after 500 ms")))
  })

  test("latency below the timeout is simply waited for", async () => {
    fx.emulator.setFault({ kind: "latency", ms: 100, next: 1 })
    await listOnce(client({ requestTimeoutMs: 2_000 }))
    assert.equal(fx.emulator.requests.length, 1)
  })

  test("an API that never answers in time ends in a timeout error naming the limit", async () => {
    fx.emulator.setFault({ kind: "latency", ms: 400 })
    const error = await rejection(listOnce(client({ requestTimeoutMs: 100, maxRetryWaitMs: 50 })))
    assert.equal(error.code, "cloudflare_timeout")
    assert.match(error.message, /did not answer GET .* within 100 ms/)
    assert.match(error.hint ?? "", /LAYERON_HTTP_TIMEOUT_S/)
  })

  test("a closed port is 'connection refused', with a hint about CLOUDFLARE_API_BASE_URL", async () => {
    const port = await closedPort()
    const error = await rejection(listStores(client({ baseUrl: `http://127.0.0.1:${port}/client/v4`, maxRetryWaitMs: 0 }), fx.accountId))
    assert.equal(error.code, "cloudflare_unreachable")
    assert.match(error.message, /\(connection refused\)/)
    assert.match(error.hint ?? "", /CLOUDFLARE_API_BASE_URL/)
  })
})

describe("errors that are not retried", () => {
  test("a rejected token is one request and a hint to log in again", async () => {
    const error = await rejection(listOnce(client({ apiToken: "x".repeat(40) })))
    assert.equal(error.code, "cloudflare_auth_failed")
    assert.match(error.hint ?? "", /layer login/)
    assert.equal(fx.emulator.requests.length, 1)
  })

  test("a token without Secrets Store permission is told which permission to add", async () => {
    const token = fx.emulator.addToken({ kind: "user", accountIds: [fx.accountId], permissions: ["workers_scripts_write"] })
    const error = await rejection(listOnce(client({ apiToken: token })))
    assert.equal(error.code, "cloudflare_permission_denied")
    assert.match(error.hint ?? "", /Account Secrets Store Edit/)
  })

  test("an account the token cannot reach is named", async () => {
    const error = await rejection(listStores(client(), "0123456789abcdef0123456789abcdef"))
    assert.equal(error.code, "cloudflare_account_inaccessible")
    assert.match(error.message, /cannot access Cloudflare account 0123456789abcdef0123456789abcdef/)
  })

  test("a token too short to be one is Cloudflare's 6003/6111: 'not a well-formed token', not a generic error", async () => {
    const error = await rejection(listOnce(client({ apiToken: "short-token" })))
    assert.equal(error.code, "cloudflare_token_malformed")
    assert.match(error.message, /not a well-formed token \(HTTP 400 .*Invalid request headers \[code: 6003\]/)
    assert.match(error.hint ?? "", /copy the whole token again/)
    assert.doesNotMatch(`${error.message} ${error.hint}`, /short-token/)
    assert.equal(fx.emulator.requests.length, 1)
  })

  test("a malformed account id is Cloudflare's 7003, explained", async () => {
    const error = await rejection(listStores(client(), "not-an-account"))
    assert.equal(error.code, "cloudflare_invalid_account_id")
    assert.match(error.hint ?? "", /32 hexadecimal digits/)
  })
})

describe("nothing secret leaks", () => {
  test("a token that cannot go into a header is refused before any request, without quoting it", async () => {
    const canary = "CANARY-token\nwith-newline"
    assert.throws(
      () => client({ apiToken: canary }),
      (error: unknown) => isLayerError(error) && error.code === "invalid_token" && !String(error.message).includes("CANARY"),
    )
    assert.equal(fx.emulator.requests.length, 0)
  })

  test("an API that echoes the request is scrubbed of the value and the token", async () => {
    const echo = await echoServer()
    try {
      const api = client({ baseUrl: echo.url, apiToken: "CANARYTOKEN1234567890" })
      const error = await rejection(api.call({ method: "POST", path: "/echo", body: { value: "CANARYVALUE-42" }, sensitive: ["CANARYVALUE-42"] }))
      const shown = JSON.stringify({ message: error.message, hint: error.hint, details: error.details })
      assert.doesNotMatch(shown, /CANARYVALUE|CANARYTOKEN/)
      assert.match(error.message, /\[redacted\]/)
    } finally {
      await echo.close()
    }
  })

  test("debug lines show method, path and status only", async () => {
    fx.emulator.setFault({ kind: "server_error", status: 500, next: 1 })
    await listOnce(client())
    assert.ok(fx.debugLines.some((line) => /^cloudflare GET \/accounts\/[0-9a-f]{32}\/secrets_store\/stores\?.* -> 500 \(\d+ ms\)$/.test(line)))
    for (const line of fx.debugLines) assert.ok(!line.includes(fx.token), "no token in debug lines")
  })

  test("a 200 that is not Cloudflare's envelope is reported, not parsed", async () => {
    const html = await echoServer(200, "<html>captive portal</html>")
    try {
      const error = await rejection(client({ baseUrl: html.url }).call({ method: "GET", path: "/accounts" }))
      assert.equal(error.code, "cloudflare_bad_response")
      assert.match(error.hint ?? "", /CLOUDFLARE_API_BASE_URL/)
    } finally {
      await html.close()
    }
  })
})

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * A real HTTP server that answers every request with `body`, or by default with a 400
 * envelope whose message repeats the request body and the Authorization header: the worst
 * an API could do, to prove the client scrubs it.
 */
async function echoServer(status = 400, body?: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let received = ""
    req.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")))
    req.on("end", () => {
      const answer = body ?? JSON.stringify({ success: false, errors: [{ code: 1001, message: `bad input ${received} with ${req.headers.authorization}` }], messages: [], result: null })
      res.writeHead(status, { "content-type": body ? "text/html" : "application/json" }).end(answer)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/client/v4`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
