/**
 * The Cloudflare provider against the emulator: store adoption and its cache, exact-name
 * lookup across pages, request counts, quota and size errors, and checks that must stop a
 * call before any request; then the cases every provider shares (../provider.case.test.ts).
 */
import assert from "node:assert/strict"
import { readFile, stat, writeFile, mkdir } from "node:fs/promises"
import { dirname } from "node:path"
import { afterEach, beforeEach, describe, test } from "node:test"
import { rejection, startCloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import type { CloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import { isLayerError } from "../../errors.js"
import { SecretText } from "../provider.js"
import { providerCases } from "../provider.case.test.js"
import { createCloudflareProvider, storeCachePath } from "./index.js"

let fx: CloudflareFixture

const storesPath = () => `/accounts/${fx.accountId}/secrets_store/stores`

/** Create secrets straight through the API (one bulk request), as another tool would. */
async function seed(storeId: string, names: readonly string[], scopes: string[] = ["workers"]): Promise<void> {
  const response = await fetch(`${fx.emulator.url}${storesPath()}/${storeId}/secrets`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.token}`, "content-type": "application/json" },
    body: JSON.stringify(names.map((name) => ({ name, value: `v-${name}`, scopes }))),
  })
  assert.equal(response.status, 200, await response.clone().text())
}

describe("store resolution", () => {
  beforeEach(async () => {
    fx = await startCloudflareFixture()
  })
  afterEach(() => fx.close())

  test("an account without a store gets one, created once and cached (0600 file)", async () => {
    const store = await fx.provider().resolveStore()
    assert.equal(store.name, "default_secrets_store")
    assert.deepEqual(fx.requestLines(), [`GET ${storesPath()}`, `POST ${storesPath()}`])
    const cache = JSON.parse(await readFile(storeCachePath(fx.home), "utf8")) as Record<string, { id: string }>
    assert.equal(cache[fx.accountId]?.id, store.id)
    assert.equal((await stat(storeCachePath(fx.home))).mode & 0o777, 0o600)
    assert.equal((await stat(dirname(storeCachePath(fx.home)))).mode & 0o777, 0o700)

    fx.emulator.resetRequestLog()
    assert.deepEqual(await fx.provider().resolveStore(), store, "a new provider reads the cache")
    assert.deepEqual(fx.requestLines(), [])
  })

  test("the account's existing store is adopted, never a second one created", async () => {
    await fx.close()
    fx = await startCloudflareFixture({ withDefaultStore: true })
    const store = await fx.provider().resolveStore()
    assert.match(store.id, /^[0-9a-f]{32}$/)
    assert.deepEqual(fx.requestLines(), [`GET ${storesPath()}`])
  })

  test("a cached store id that no longer exists is resolved again, once", async () => {
    await fx.close()
    fx = await startCloudflareFixture({ withDefaultStore: true })
    const stale = "0".repeat(32)
    await mkdir(dirname(storeCachePath(fx.home)), { recursive: true })
    await writeFile(storeCachePath(fx.home), JSON.stringify({ [fx.accountId]: { id: stale, name: "gone" } }))
    const written = await fx.provider().upsert("API_KEY", new SecretText("v1"))
    assert.equal(written.action, "created")
    const paths = fx.requestLines()
    assert.equal(paths[0], `GET ${storesPath()}/${stale}/secrets`, "the cached id was tried first")
    assert.equal(paths[1], `GET ${storesPath()}`, "then the account's store was looked up")
    const cache = JSON.parse(await readFile(storeCachePath(fx.home), "utf8")) as Record<string, { id: string }>
    assert.notEqual(cache[fx.accountId]?.id, stale)
  })

  test("two first runs at once both end up on the one store (maximum_stores_exceeded means adopt)", async () => {
    // Both lists are answered after the delay (long enough that a loaded machine still sends the
    // second list before the first answer), so both see no store and both try to create one.
    fx.emulator.setFault({ kind: "latency", ms: 1000, method: "GET", path: "/accounts/*/secrets_store/stores", next: 2 })
    const [a, b] = await Promise.all([fx.provider({ home: `${fx.home}/a` }).resolveStore(), fx.provider({ home: `${fx.home}/b` }).resolveStore()])
    assert.equal(a.id, b.id)
    const creates = fx.emulator.requests.filter((request) => request.method === "POST")
    assert.deepEqual(
      creates.map((request) => request.status),
      [200, 400],
    )
  })

  test("an unreadable cache is ignored and rewritten", async () => {
    await mkdir(dirname(storeCachePath(fx.home)), { recursive: true })
    await writeFile(storeCachePath(fx.home), "{not json")
    const store = await fx.provider().resolveStore()
    const cache = JSON.parse(await readFile(storeCachePath(fx.home), "utf8")) as Record<string, { id: string }>
    assert.equal(cache[fx.accountId]?.id, store.id)
  })
})

describe("writes", () => {
  beforeEach(async () => {
    fx = await startCloudflareFixture({ withDefaultStore: true })
  })
  afterEach(() => fx.close())

  test("once the store id is cached, setting an existing secret is one lookup and one write", async () => {
    const provider = fx.provider()
    const created = await provider.upsert("STRIPE_SECRET", new SecretText("sk_live_1"))
    fx.emulator.resetRequestLog()
    const updated = await fx.provider().upsert("STRIPE_SECRET", new SecretText("sk_live_2"))
    assert.equal(updated.action, "updated")
    assert.equal(updated.id, created.id, "PATCH in place keeps the id, so bindings keep working")
    assert.notEqual(updated.modified, created.modified)
    const storeId = (await provider.resolveStore()).id
    assert.deepEqual(fx.requestLines(), [`GET ${storesPath()}/${storeId}/secrets`, `PATCH ${storesPath()}/${storeId}/secrets/${created.id}`])
    assert.equal(fx.emulator.getSecretValue(fx.accountId, storeId, "STRIPE_SECRET"), "sk_live_2")
  })

  test("a new secret is one lookup and one bulk create with scopes [workers]", async () => {
    const provider = fx.provider()
    const storeId = (await provider.resolveStore()).id
    fx.emulator.resetRequestLog()
    const created = await provider.upsert("NEW_ONE", new SecretText("value"))
    assert.equal(created.action, "created")
    assert.deepEqual(fx.requestLines(), [`GET ${storesPath()}/${storeId}/secrets`, `POST ${storesPath()}/${storeId}/secrets`])
    const listed = await fetch(`${fx.emulator.url}${storesPath()}/${storeId}/secrets/${created.id}`, { headers: { authorization: `Bearer ${fx.token}` } })
    const body = (await listed.json()) as { result: { scopes: string[] } }
    assert.deepEqual(body.result.scopes, ["workers"])
  })

  test("a secret created elsewhere without the workers scope gains it in the same write", async () => {
    const provider = fx.provider()
    const storeId = (await provider.resolveStore()).id
    await seed(storeId, ["GATEWAY_KEY"], ["ai_gateway"])
    const updated = await provider.upsert("GATEWAY_KEY", new SecretText("new"))
    const got = await fetch(`${fx.emulator.url}${storesPath()}/${storeId}/secrets/${updated.id}`, { headers: { authorization: `Bearer ${fx.token}` } })
    assert.deepEqual(((await got.json()) as { result: { scopes: string[] } }).result.scopes, ["ai_gateway", "workers"])
  })

  test("a create race (secret_name_already_exists) becomes an update of the winner's secret", async () => {
    const provider = fx.provider()
    await provider.resolveStore()
    // Both lookups are answered late, so both see no secret and both create.
    fx.emulator.setFault({ kind: "latency", ms: 150, method: "GET", path: "/accounts/*/secrets_store/stores/*/secrets", next: 2 })
    const [a, b] = await Promise.all([provider.upsert("RACED", new SecretText("a")), fx.provider().upsert("RACED", new SecretText("b"))])
    assert.equal(a.id, b.id)
    assert.deepEqual([a.action, b.action].sort(), ["created", "updated"])
  })

  test("quota reached: the error gives the numbers, and updates still work", async () => {
    fx.emulator.setQuota(2, fx.accountId)
    const provider = fx.provider()
    await provider.upsert("ONE", new SecretText("1"))
    await provider.upsert("TWO", new SecretText("2"))
    const error = await rejection(provider.upsert("THREE", new SecretText("3")))
    assert.equal(error.code, "cloudflare_quota_exceeded")
    assert.match(error.message, new RegExp(`cannot create THREE: Cloudflare account ${fx.accountId} holds 2 of its 2 secrets`))
    assert.match(error.message, /\(Cloudflare: maximum_secrets_exceeded: max 2\)$/)
    assert.doesNotMatch(error.message, /too (large|long)/)
    assert.match(error.hint ?? "", /layer secret delete/)
    assert.deepEqual(error.details, { quota: 2, usage: 2 })
    assert.equal((await provider.upsert("TWO", new SecretText("2b"))).action, "updated")
  })

  test("delete by exact name: true, then false", async () => {
    const provider = fx.provider()
    await provider.upsert("TEMP", new SecretText("x"))
    await provider.upsert("TEMP_2", new SecretText("x"))
    assert.equal(await provider.delete("TEMP"), true)
    assert.equal(await provider.delete("TEMP"), false)
    assert.ok(await provider.find("TEMP_2"), "the near name survives")
  })
})

describe("exact-name lookup and pagination", () => {
  beforeEach(async () => {
    fx = await startCloudflareFixture({ withDefaultStore: true, emulator: { quota: 1_000 } })
  })
  afterEach(() => fx.close())

  test("listAll walks every page; listPage says when there is a next one", async () => {
    const provider = fx.provider()
    const storeId = (await provider.resolveStore()).id
    const names = Array.from({ length: 230 }, (_, index) => `S_${String(index).padStart(3, "0")}`)
    await seed(storeId, names.slice(0, 100))
    await seed(storeId, names.slice(100, 200))
    await seed(storeId, names.slice(200))
    fx.emulator.resetRequestLog()
    const all = await provider.listAll()
    assert.deepEqual(all.map((secret) => secret.name).sort(), names)
    assert.equal(fx.emulator.requests.length, 3, "three pages of 100, no extra empty page")
    const first = await provider.listPage(1)
    assert.equal(first.nextPage, 2)
    const last = await provider.listPage(3)
    assert.equal(last.nextPage, undefined)
    assert.equal(last.secrets.length, 30)
    for (const secret of all) assert.match(secret.modified, /^\d{4}-\d\d-\d\dT/)
  })

  test("find keeps paging until the exact name, past near matches on earlier pages", async () => {
    const provider = fx.provider()
    const storeId = (await provider.resolveStore()).id
    // 150 names containing "KEY" that sort before "KEY" itself, so the exact one is on page 2.
    await seed(storeId, Array.from({ length: 150 }, (_, index) => `A_KEY_${String(index).padStart(3, "0")}`))
    await seed(storeId, ["KEY", "KEYS", "MY_KEY"])
    fx.emulator.resetRequestLog()
    const found = await provider.find("KEY")
    assert.equal(found?.name, "KEY")
    assert.equal(fx.emulator.requests.length, 2)
    assert.ok(fx.emulator.requests.every((request) => request.query.includes("search=KEY")))
  })

  test("a name that only has near matches is not found, after the last page", async () => {
    const provider = fx.provider()
    const storeId = (await provider.resolveStore()).id
    await seed(storeId, Array.from({ length: 120 }, (_, index) => `DB_URL_${index}`))
    fx.emulator.resetRequestLog()
    assert.equal(await provider.find("DB_URL"), undefined)
    assert.equal(fx.emulator.requests.length, 2)
    assert.equal(await provider.find("db_url_1"), undefined, "names are case-sensitive")
  })
})

describe("checks before any request", () => {
  beforeEach(async () => {
    fx = await startCloudflareFixture({ withDefaultStore: true })
  })
  afterEach(() => fx.close())

  const badNames: [string, RegExp][] = [
    ["", /is empty/],
    ["has space", /characters outside the allowed set/],
    ["dotted.name", /characters outside the allowed set/],
    ["ünïcode", /characters outside the allowed set/],
    ["N".repeat(256), /is 256 characters long/],
  ]
  for (const [name, problem] of badNames) {
    test(`the name ${JSON.stringify(name.slice(0, 20))} is refused by upsert, find and delete with nothing sent`, async () => {
      const provider = fx.provider()
      for (const call of [() => provider.upsert(name, new SecretText("v")), () => provider.find(name), () => provider.delete(name)]) {
        const error = await rejection(call())
        assert.equal(error.code, "invalid_secret_name")
        assert.match(error.message, problem)
        assert.match(error.message, /1 to 255 characters of A-Z, a-z, 0-9, _ and -/)
      }
      assert.deepEqual(fx.emulator.requests, [])
    })
  }

  test("a value over 65,536 UTF-8 bytes is refused with both numbers, nothing sent", async () => {
    const provider = fx.provider()
    const ascii = await rejection(provider.upsert("BIG", new SecretText("x".repeat(65_537))))
    assert.equal(ascii.code, "value_too_large")
    assert.match(ascii.message, /is 65,537 bytes; Cloudflare Secrets Store holds at most 65,536 UTF-8 bytes/)
    // 32,769 characters but 65,538 bytes: the limit is on bytes.
    const multibyte = await rejection(provider.upsert("BIG", new SecretText("é".repeat(32_769))))
    assert.match(multibyte.message, /65,538 bytes/)
    const empty = await rejection(provider.upsert("EMPTY", new SecretText("")))
    assert.equal(empty.code, "empty_value")
    assert.deepEqual(fx.emulator.requests, [])
  })

  test("a value of exactly 65,536 bytes is accepted", async () => {
    const written = await fx.provider().upsert("MAX", new SecretText("é".repeat(32_768)))
    assert.equal(written.action, "created")
  })

  test("a malformed account id is refused when the provider is made", () => {
    assert.throws(
      () => createCloudflareProvider({ accountId: "ACME", apiToken: fx.token, home: fx.home, baseUrl: fx.emulator.url }),
      (error: unknown) => isLayerError(error) && error.code === "invalid_account_id" && /is not a Cloudflare account id \(32 hexadecimal digits\)/.test(error.message),
    )
    assert.deepEqual(fx.emulator.requests, [])
  })

  test("no error, debug line or result carries the value or the token", async () => {
    const canary = "CANARY-VALUE-6f1e2d"
    const provider = fx.provider()
    fx.emulator.setFault({ kind: "server_error", status: 500, next: 1 })
    const written = await provider.upsert("CANARY", new SecretText(canary))
    fx.emulator.setQuota(1, fx.accountId)
    const error = await rejection(provider.upsert("CANARY_2", new SecretText(canary)))
    const everything = JSON.stringify({ written, error: { message: error.message, hint: error.hint, details: error.details }, debug: fx.debugLines })
    assert.ok(!everything.includes(canary), "no value")
    assert.ok(!everything.includes(fx.token), "no token")
  })
})

providerCases("cloudflare (API emulator)", async () => {
  const fixture = await startCloudflareFixture({ withDefaultStore: true, emulator: { quota: 1_000 } })
  return { provider: fixture.provider(), pageSize: 100, cleanup: () => fixture.close() }
})

describe("listing without total_pages (older API answers)", () => {
  test("pages are followed one by one until a short page, every secret once", async () => {
    // A real HTTP peer that answers like older Cloudflare responses: result_info without
    // total_pages or total_count, so only a full page may have a successor.
    const { createServer } = await import("node:http")
    const names = Array.from({ length: 150 }, (_, i) => `S_${String(i).padStart(3, "0")}`)
    const storeId = "0".repeat(32)
    const seenPages: number[] = []
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x")
      res.setHeader("content-type", "application/json")
      if (url.pathname.endsWith("/secrets_store/stores")) {
        res.end(JSON.stringify({ success: true, errors: [], messages: [], result: [{ id: storeId, name: "default_secrets_store", created: "2026-01-01T00:00:00Z", modified: "2026-01-01T00:00:00Z" }], result_info: { page: 1, per_page: 100, count: 1 } }))
        return
      }
      const page = Number(url.searchParams.get("page") ?? 1)
      const perPage = Number(url.searchParams.get("per_page") ?? 100)
      seenPages.push(page)
      const items = names.slice((page - 1) * perPage, page * perPage).map((name, i) => ({
        id: `${page}${i}`.padStart(32, "a"), store_id: storeId, name, status: "active", scopes: ["workers"], created: "2026-01-01T00:00:00Z", modified: "2026-01-01T00:00:00Z",
      }))
      res.end(JSON.stringify({ success: true, errors: [], messages: [], result: items, result_info: { page, per_page: perPage, count: items.length } }))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const port = (server.address() as { port: number }).port
      const { mkdtemp } = await import("node:fs/promises")
      const { tmpdir } = await import("node:os")
      const home = await mkdtemp(`${tmpdir()}/layeron-pages-`)
      const provider = createCloudflareProvider({ accountId: "a".repeat(32), apiToken: "test-token-not-secret", home, baseUrl: `http://127.0.0.1:${port}/client/v4` })
      const all = await provider.listAll()
      assert.deepEqual(all.map((s) => s.name), names)
      assert.deepEqual(seenPages, [1, 2])
    } finally {
      server.close()
    }
  })
})
