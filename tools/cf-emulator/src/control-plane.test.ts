// The HTTP control plane (/__emulator/*) that tests in other processes use, and the
// `cf-emulator` bin: start-up facts, seeded account and token, bad flags, clean Ctrl-C.
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { after, before, describe, it } from "node:test"
import { startFixture, type Fixture } from "./emulator.test-support.js"

async function control(f: Fixture, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${f.emulator.controlUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" } }),
  })
  return { status: response.status, json: await response.json() }
}

describe("the HTTP control plane", () => {
  let f: Fixture
  before(async () => (f = await startFixture()))
  after(() => f.emulator.close())

  it("lists its endpoints", async () => {
    const res = await control(f, "GET", "")
    assert.equal(res.status, 200)
    assert.ok(res.json.endpoints.includes("POST /__emulator/faults"))
  })

  it("adds an account and a token that the API then accepts", async () => {
    const account = await control(f, "POST", "/accounts", { name: "Spawned", withDefaultStore: true })
    assert.equal(account.status, 201)
    const token = await control(f, "POST", "/tokens", { kind: "account", accountIds: [account.json.id], permissions: ["secrets_store_read"] })
    assert.equal(token.status, 201)
    assert.match(token.json.value, /^cfat_/)
    const verify = await fetch(`${f.emulator.url}/accounts/${account.json.id}/tokens/verify`, { headers: { authorization: `Bearer ${token.json.value}` } })
    assert.equal(verify.status, 200)
    assert.equal((await control(f, "PATCH", "/tokens", { value: token.json.value, status: "disabled" })).status, 200)
    const disabled = await fetch(`${f.emulator.url}/accounts/${account.json.id}/secrets_store/stores`, { headers: { authorization: `Bearer ${token.json.value}` } })
    assert.equal(disabled.status, 401)
  })

  it("sets, lists and clears faults; the next API request meets them", async () => {
    const set = await control(f, "POST", "/faults", { kind: "server_error", status: 503, next: 1 })
    assert.equal(set.status, 200)
    assert.deepEqual(
      (await control(f, "GET", "/faults")).json.map((entry: { id: string }) => entry.id),
      [set.json.id],
    )
    const faulted = await fetch(`${f.emulator.url}/user/tokens/verify`, { headers: { authorization: `Bearer ${f.token}` } })
    assert.equal(faulted.status, 503)
    await control(f, "POST", "/faults", { kind: "rate_limit" })
    const one = await control(f, "POST", "/faults", { kind: "latency", ms: 1 })
    assert.equal((await control(f, "DELETE", `/faults/${one.json.id}`)).status, 200)
    assert.equal((await control(f, "GET", "/faults")).json.length, 1)
    assert.equal((await control(f, "DELETE", "/faults")).status, 200)
    assert.deepEqual((await control(f, "GET", "/faults")).json, [])
  })

  it("serves and resets the request log", async () => {
    await control(f, "DELETE", "/requests")
    await fetch(`${f.emulator.url}/user/tokens/verify`, { headers: { authorization: `Bearer ${f.token}` } })
    const log = await control(f, "GET", "/requests")
    assert.deepEqual(
      log.json.map(({ method, path, status }: { method: string; path: string; status: number }) => ({ method, path, status })),
      [{ method: "GET", path: "/user/tokens/verify", status: 200 }],
    )
  })

  it("sets the quota, advances the clock and lists scripts", async () => {
    assert.equal((await control(f, "POST", "/quota", { quota: 7, accountId: f.accountId })).status, 200)
    const quota = await fetch(`${f.emulator.url}/accounts/${f.accountId}/secrets_store/quota`, { headers: { authorization: `Bearer ${f.token}` } })
    assert.equal(((await quota.json()) as { result: { secrets: { quota: number } } }).result.secrets.quota, 7)
    assert.equal((await control(f, "POST", "/clock", { advanceMs: 1000 })).status, 200)
    assert.deepEqual((await control(f, "GET", "/scripts")).json, [])
  })

  it("shows secret metadata but never a value", async () => {
    const storeId = await f.createStore()
    await f.createSecrets(storeId, ["SHOWN"])
    const accounts = await control(f, "GET", "/accounts")
    const text = JSON.stringify(accounts.json)
    assert.ok(text.includes("SHOWN"))
    assert.ok(!text.includes("value-of-SHOWN"))
  })

  it("answers bad input with 400 and a message, and unknown endpoints with 404", async () => {
    const badFault = await control(f, "POST", "/faults", { kind: "meteor" })
    assert.equal(badFault.status, 400)
    assert.match(badFault.json.error, /fault\.kind must be one of/)
    const badJson = await control(f, "POST", "/tokens", "{nope")
    assert.equal(badJson.status, 400)
    assert.match(badJson.json.error, /not valid JSON/)
    const badToken = await control(f, "POST", "/tokens", { kind: "robot", accountIds: [], permissions: [] })
    assert.match(badToken.json.error, /kind must be "user" or "account"/)
    const badClock = await control(f, "POST", "/clock", { advanceMs: -5 })
    assert.match(badClock.json.error, /non-negative/)
    const unknown = await control(f, "GET", "/secret-values")
    assert.equal(unknown.status, 404)
    assert.match(unknown.json.error, /no control endpoint GET \/secret-values/)
  })
})

describe("the cf-emulator bin", () => {
  const bin = fileURLToPath(new URL("./bin.ts", import.meta.url))
  const run = (args: string[]) =>
    spawn(process.execPath, ["--import", "tsx", "--conditions=source", bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })

  it("prints its URL, account and test token as JSON, serves them, and stops cleanly on SIGINT", async () => {
    const token = `test_${"t".repeat(40)}`
    const child = run(["--port", "0", "--json", "--token", token, "--with-store"])
    let stdout = ""
    child.stdout.setEncoding("utf8")
    for await (const chunk of child.stdout) {
      stdout += chunk
      if (stdout.includes("\n")) break
    }
    const facts = JSON.parse(stdout) as { url: string; port: number; controlUrl: string; accountId: string; token: string }
    assert.match(facts.url, /^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/)
    assert.equal(facts.token, token)
    const stores = await fetch(`${facts.url}/accounts/${facts.accountId}/secrets_store/stores`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(stores.status, 200)
    assert.equal(((await stores.json()) as { result: unknown[] }).result.length, 1)
    child.kill("SIGINT")
    const [code] = await once(child, "exit")
    assert.equal(code, 0)
  })

  it("refuses a bad flag with a message and the usage, exit code 1", async () => {
    for (const args of [["--port", "eighty"], ["--bogus"], ["--token", "short"]]) {
      const child = run(args)
      let stderr = ""
      child.stderr.setEncoding("utf8")
      child.stderr.on("data", (chunk: string) => (stderr += chunk))
      const [code] = await once(child, "exit")
      assert.equal(code, 1, args.join(" "))
      assert.match(stderr, /^cf-emulator: /)
    }
  })
})
