/**
 * Issue #25: answers that would make the client hang or misread, from the emulator's answer
 * faults. The deadline covers the whole answer (a dripped or stalled body is a timeout), a call
 * starts no attempt after spending three deadlines, a command stops sending once the API stopped
 * answering, a success without the expected `result` is refused, and page walks end. The
 * client is also run against both forms of Secrets Store answers (FACTS.md 2.10, 2.11).
 *
 * No timing is asserted (the machine is noisy): what is asserted is that each call ends, with
 * which code, after how many requests. A test that hung would fail on its own timeout.
 */
import assert from "node:assert/strict"
import { after, afterEach, before, beforeEach, describe, test } from "node:test"
import { rejection, startCloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import type { CloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import type { LayerError } from "../../errors.js"
import { SecretText } from "../provider.js"
import { CloudflareApi } from "./api.js"
import type { CloudflareApiOptions } from "./api.js"
import { MAX_PAGES } from "./pages.js"
import { createSecrets, editSecret, listSecrets, listStores } from "./secrets.js"
import { DEADLINES_PER_CALL } from "./retry.js"

/** A hang fails the test instead of the run. */
const ENDS = { timeout: 20_000 }

/** What no message may do because of an API answer: send someone to delete rotation state. */
function assertNoDeletionAdvice(error: LayerError): void {
  assert.doesNotMatch(`${error.message} ${error.hint ?? ""}`, /secret-rotation|delete \.layeron|rm -r|discard-history/)
}

describe("the deadline covers the whole answer", () => {
  let fx: CloudflareFixture
  before(async () => {
    fx = await startCloudflareFixture({ withDefaultStore: true })
  })
  after(() => fx.close())
  beforeEach(() => {
    fx.emulator.clearFaults()
    fx.emulator.resetRequestLog()
  })
  const client = (overrides: Partial<CloudflareApiOptions> = {}) =>
    new CloudflareApi({ apiToken: fx.token, baseUrl: fx.emulator.url, maxRetryWaitMs: 5_000, requestTimeoutMs: 300, backoffBaseMs: 10, ...overrides })

  test("a body dripped one byte at a time is a timeout, headers or not", ENDS, async () => {
    fx.emulator.setFault({ kind: "drip", intervalMs: 100 })
    const error = await rejection(listStores(client(), fx.accountId))
    assert.equal(error.code, "cloudflare_timeout")
    assert.match(error.message, /did not answer GET \/accounts\/[0-9a-f]{32}\/secrets_store\/stores within 300 ms \(headers and body\)/)
    assert.match(error.message, /nothing was written by this request/)
    assert.match(error.hint ?? "", /LAYERON_HTTP_TIMEOUT_S/)
    assertNoDeletionAdvice(error)
    assert.ok(fx.emulator.requests.length <= DEADLINES_PER_CALL, `${fx.emulator.requests.length} attempts: no attempt starts after three deadlines`)
    assert.ok(fx.emulator.requests.every((request) => request.faults.includes("drip:100")))
  })

  test("headers followed by nothing is a timeout", ENDS, async () => {
    fx.emulator.setFault({ kind: "stall_after_headers" })
    const error = await rejection(listStores(client(), fx.accountId))
    assert.equal(error.code, "cloudflare_timeout")
    assert.ok(fx.emulator.requests.length <= DEADLINES_PER_CALL)
  })

  test("a stalled write says it may have landed, and that running again is safe", ENDS, async () => {
    const storeId = (await listStores(client(), fx.accountId)).items[0]!.id
    fx.emulator.setFault({ kind: "stall_after_headers", method: "POST" })
    const error = await rejection(createSecrets(client(), fx.accountId, storeId, [{ name: "STALLED", value: new SecretText("v-stalled"), scopes: ["workers"] }]))
    assert.equal(error.code, "cloudflare_timeout")
    assert.match(error.message, /POST .*may have carried out this write.*running the command again is safe/)
    assertNoDeletionAdvice(error)
  })

  test("once a call has run out of deadlines, the next call of the command is not even sent", ENDS, async () => {
    const api = client()
    fx.emulator.setFault({ kind: "stall_after_headers" })
    await rejection(listStores(api, fx.accountId))
    const sent = fx.emulator.requests.length
    fx.emulator.clearFaults()
    const error = await rejection(listStores(api, fx.accountId))
    assert.equal(error.code, "cloudflare_timeout")
    assert.match(error.message, /was not sent: .* stopped answering/)
    assert.equal(fx.emulator.requests.length, sent, "no request")
    // A new command (a new client) tries again: it converges once the API answers.
    assert.equal((await listStores(client(), fx.accountId)).items.length, 1)
  })

  test("a slow first answer that ends inside the deadline is not a timeout", ENDS, async () => {
    fx.emulator.setFault({ kind: "drip", intervalMs: 1, next: 1 })
    const { items } = await listStores(client({ requestTimeoutMs: 5_000 }), fx.accountId)
    assert.equal(items.length, 1)
  })

  test("a connection closed mid-body is retried, and reported as such when it persists", ENDS, async () => {
    fx.emulator.setFault({ kind: "close_mid_body", next: 1 })
    assert.equal((await listStores(client(), fx.accountId)).items.length, 1)
    assert.equal(fx.emulator.requests.length, 2)
    fx.emulator.setFault({ kind: "close_mid_body" })
    const error = await rejection(listStores(client(), fx.accountId))
    assert.equal(error.code, "cloudflare_unreachable")
    assertNoDeletionAdvice(error)
  })
})

describe("a success without the expected result", () => {
  let fx: CloudflareFixture
  before(async () => {
    fx = await startCloudflareFixture({ withDefaultStore: true })
  })
  after(() => fx.close())
  afterEach(() => fx.emulator.clearFaults())
  const client = () => new CloudflareApi({ apiToken: fx.token, baseUrl: fx.emulator.url, maxRetryWaitMs: 5_000, requestTimeoutMs: 5_000, backoffBaseMs: 10 })

  for (const result of ["null", "absent"] as const) {
    test(`a list with result ${result} is cloudflare_unexpected_answer, never an empty store`, async () => {
      const storeId = (await listStores(client(), fx.accountId)).items[0]!.id
      fx.emulator.resetRequestLog()
      fx.emulator.setFault({ kind: "malformed_result", result })
      const error = await rejection(listSecrets(client(), fx.accountId, storeId))
      assert.equal(error.code, "cloudflare_unexpected_answer")
      assert.match(error.message, new RegExp(`answered GET /accounts/[0-9a-f]{32}/secrets_store/stores/[0-9a-f]{32}/secrets with success \\(HTTP 200\\) but not with a list of secrets: ${result === "null" ? "`result` is null" : "the answer has no `result`"}; nothing was written by this request`))
      assert.match(error.hint ?? "", /nothing local needs deleting/)
      assertNoDeletionAdvice(error)
      assert.equal(fx.emulator.requests.length, 1, "not retried: the API said success")
    })
  }

  test("a write answered without its secret says the write may have landed", async () => {
    const api = client()
    const storeId = (await listStores(api, fx.accountId)).items[0]!.id
    const [created] = await createSecrets(api, fx.accountId, storeId, [{ name: "EDITED", value: new SecretText("v-one"), scopes: ["workers"] }])
    fx.emulator.setFault({ kind: "malformed_result", result: "null", method: "PATCH" })
    const error = await rejection(editSecret(api, fx.accountId, storeId, created!.id, { value: new SecretText("v-two") }))
    assert.equal(error.code, "cloudflare_unexpected_answer")
    assert.match(error.message, /PATCH .* but not with the secret written: `result` is null; Cloudflare may have carried out this write/)
  })

  test("a list item without an id or name is refused, naming the field", async () => {
    const { createServer } = await import("node:http")
    const server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify({ success: true, errors: [], messages: [], result: [{ id: "a".repeat(32) }], result_info: { page: 1, per_page: 100 } }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const port = (server.address() as { port: number }).port
      const api = new CloudflareApi({ apiToken: fx.token, baseUrl: `http://127.0.0.1:${port}/client/v4` })
      const error = await rejection(listStores(api, fx.accountId))
      assert.equal(error.code, "cloudflare_unexpected_answer")
      assert.match(error.message, /in item 1 of `result`, `name` is missing/)
    } finally {
      server.close()
    }
  })
})

describe("page walks end", () => {
  let fx: CloudflareFixture
  beforeEach(async () => {
    fx = await startCloudflareFixture({ withDefaultStore: true })
  })
  afterEach(() => fx.close())
  const secretsPath = "/accounts/*/secrets_store/stores/*/secrets"

  test("ever-new pages stop at the page limit, with no invented secret shown", ENDS, async () => {
    const provider = fx.provider()
    await provider.resolveStore()
    fx.emulator.resetRequestLog()
    fx.emulator.setFault({ kind: "endless_pages", pages: "new", method: "GET", path: secretsPath })
    const error = await rejection(provider.listAll())
    assert.equal(error.code, "cloudflare_unexpected_answer")
    assert.match(error.message, new RegExp(`more than ${MAX_PAGES} pages`))
    assert.ok(fx.emulator.requests.length <= MAX_PAGES, `${fx.emulator.requests.length} requests`)
    assertNoDeletionAdvice(error)
  })

  test("ever-new pages stop the exact-name lookup of a write too, before anything is written", ENDS, async () => {
    const provider = fx.provider()
    await provider.resolveStore()
    fx.emulator.resetRequestLog()
    fx.emulator.setFault({ kind: "endless_pages", pages: "new", method: "GET", path: secretsPath })
    const error = await rejection(provider.upsert("NEVER_WRITTEN", new SecretText("v-never")))
    assert.equal(error.code, "cloudflare_unexpected_answer")
    assert.ok(fx.emulator.requests.length <= MAX_PAGES)
    assert.ok(fx.emulator.requests.every((request) => request.method === "GET"), "no write")
  })

  test("a page that repeats an earlier one stops the walk", ENDS, async () => {
    const provider = fx.provider()
    await provider.resolveStore()
    fx.emulator.resetRequestLog()
    fx.emulator.setFault({ kind: "endless_pages", pages: "repeated", method: "GET", path: secretsPath })
    const error = await rejection(provider.listAll())
    assert.equal(error.code, "cloudflare_unexpected_answer")
    assert.match(error.message, /page 2 repeats page 1/)
    assert.equal(fx.emulator.requests.length, 2)
  })

  test("more items than total_count stops the walk", ENDS, async () => {
    const provider = fx.provider()
    await provider.resolveStore()
    fx.emulator.setFault({ kind: "endless_pages", pages: "new", totalCount: 1, method: "GET", path: secretsPath })
    const error = await rejection(provider.listAll())
    assert.equal(error.code, "cloudflare_unexpected_answer")
    assert.match(error.message, /sent 100 different secrets by page 1, more than the 1 its total_count announces/)
  })

  test("a total that announces more pages than the limit is refused before they are fetched", ENDS, async () => {
    const provider = fx.provider()
    await provider.resolveStore()
    fx.emulator.resetRequestLog()
    fx.emulator.setFault({ kind: "endless_pages", pages: "new", totalCount: 1_000_000, method: "GET", path: secretsPath })
    const error = await rejection(provider.listAll())
    assert.equal(error.code, "cloudflare_unexpected_answer")
    assert.equal(fx.emulator.requests.length, 1)
  })
})

for (const schema of ["published", "legacy"] as const) {
  describe(`the client against the ${schema} form of Secrets Store answers`, () => {
    let fx: CloudflareFixture
    before(async () => {
      fx = await startCloudflareFixture({ withDefaultStore: true, emulator: { schema, quota: 1_000 } })
    })
    after(() => fx.close())

    test(`listAll reads every page ${schema === "published" ? "from total_count (no total_pages)" : "from total_pages"}, with no extra request`, async () => {
      const provider = fx.provider()
      const storeId = (await provider.resolveStore()).id
      const names = Array.from({ length: 230 }, (_, index) => `S_${String(index).padStart(3, "0")}`)
      const api = new CloudflareApi({ apiToken: fx.token, baseUrl: fx.emulator.url })
      for (let start = 0; start < names.length; start += 100) {
        await createSecrets(api, fx.accountId, storeId, names.slice(start, start + 100).map((name) => ({ name, value: new SecretText(`v-${name}`), scopes: ["workers"] })))
      }
      fx.emulator.resetRequestLog()
      const all = await provider.listAll()
      assert.deepEqual(all.map((secret) => secret.name).sort(), names)
      assert.equal(fx.emulator.requests.length, 3)
      const infos = fx.emulator.requests.map((request) => request.status)
      assert.deepEqual(infos, [200, 200, 200])
    })

    test(`delete reads ${schema === "published" ? "202 with the deleted secret" : "200 with result null"} as deleted`, async () => {
      const provider = fx.provider()
      await provider.upsert("TO_DELETE", new SecretText("v-delete"))
      fx.emulator.resetRequestLog()
      assert.equal(await provider.delete("TO_DELETE"), true)
      assert.equal(fx.emulator.requests.at(-1)?.method, "DELETE")
      assert.equal(fx.emulator.requests.at(-1)?.status, schema === "published" ? 202 : 200)
      assert.equal(await provider.find("TO_DELETE"), undefined)
    })
  })
}
