/**
 * `layer secret set | list | delete --env production` against Cloudflare (the emulator), with
 * credentials from `layer login` or the environment: the built CLI in a child process, as a
 * user runs it. Counts requests, and checks that no value or token reaches any output.
 */
import assert from "node:assert/strict"
import { after, afterEach, before, beforeEach, describe, test } from "node:test"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { DEFAULT_API, createProject, jsonOf, cloudflareConfig } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { addEmulatorAccount } from "../helpers/emulator-project.js"

let emulator: Emulator
let accountId: string
let token: string
let project: TestProject

const VALUE = "sk_live_CANARY_0b9c1f7e"

const config = cloudflareConfig

before(async () => {
  emulator = await startEmulator({ pendingDelayMs: 0 })
  ;({ accountId, token } = addEmulatorAccount(emulator))
})
after(() => emulator.close())
beforeEach(async () => {
  project = await createProject({ "layeron.config.ts": config(accountId), "src/api.ts": DEFAULT_API })
  emulator.resetRequestLog()
})
afterEach(() => project.cleanup())

async function layer(args: string[], options: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<LayerRun> {
  const run = await project.layer(args, { input: options.input, env: { CLOUDFLARE_API_BASE_URL: emulator.url, LAYERON_MAX_RETRY_WAIT_MS: "200", ...options.env } })
  const shown = run.stdout + run.stderr
  assert.ok(!shown.includes(token), "the token appeared in the output")
  assert.ok(!shown.includes(VALUE), "the value appeared in the output")
  return run
}

async function login(): Promise<void> {
  const run = await layer(["login", "--from-stdin"], { input: token })
  assert.equal(run.code, 0, run.stderr)
}

const storeId = () => {
  const request = emulator.requests.find((entry) => /\/secrets_store\/stores\/[0-9a-f]{32}\//.test(entry.path))
  return /stores\/([0-9a-f]{32})/.exec(request?.path ?? "")?.[1] ?? ""
}

describe("secret set/list/delete on a Cloudflare environment", () => {
  test("with stored credentials: set creates, a second set updates in place with one lookup and one write", async () => {
    await login()
    const first = await layer(["secret", "set", "API_TOKEN", "--from-stdin", "--env", "production", "--json"], { input: VALUE })
    assert.equal(first.code, 0, first.stderr)
    const created = jsonOf<{ action: string; physicalName: string; environment: string }>(first)
    assert.deepEqual([created.action, created.physicalName, created.environment], ["created", "API_TOKEN", "production"])
    const store = storeId()
    assert.equal(emulator.getSecretValue(accountId, store, "API_TOKEN"), VALUE)

    emulator.resetRequestLog()
    const second = await layer(["secret", "set", "API_TOKEN", "--from-stdin", "--env", "production", "--json"], { input: `${VALUE}-2` })
    assert.equal(second.code, 0, second.stderr)
    assert.equal(jsonOf<{ action: string }>(second).action, "updated")
    assert.deepEqual(
      emulator.requests.map((request) => request.method),
      ["GET", "PATCH"],
      "the store id is cached: one lookup, one write",
    )
    assert.equal(emulator.getSecretValue(accountId, store, "API_TOKEN"), `${VALUE}-2`)
  })

  test("list shows the secret as present, and delete removes it", async () => {
    await login()
    await layer(["secret", "set", "OLD_TOKEN", "--from-stdin", "--env", "production"], { input: VALUE })
    const listed = await layer(["secret", "list", "--env", "production", "--json"])
    assert.equal(listed.code, 0, listed.stderr)
    const secrets = jsonOf<{ environment: string; secrets: { physicalName: string; status: string }[] }>(listed).secrets
    assert.equal(secrets.find((secret) => secret.physicalName === "OLD_TOKEN")?.status, "present")

    const deleted = await layer(["secret", "delete", "OLD_TOKEN", "--env", "production", "--yes"])
    assert.equal(deleted.code, 0, deleted.stderr)
    assert.equal(emulator.getSecretValue(accountId, storeId(), "OLD_TOKEN"), undefined)
  })

  test("with CLOUDFLARE_API_TOKEN instead of a login", async () => {
    const run = await layer(["secret", "set", "ENV_TOKEN_SECRET", "--from-stdin", "--env", "production"], { input: VALUE, env: { CLOUDFLARE_API_TOKEN: token } })
    assert.equal(run.code, 0, run.stderr)
  })

  test("--debug shows method, path and status of each request, never a value or token", async () => {
    await login()
    const run = await layer(["secret", "set", "DEBUGGED", "--from-stdin", "--env", "production", "--debug"], { input: VALUE })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, /debug: cloudflare GET \/accounts\/[0-9a-f]{32}\/secrets_store\/stores\/[0-9a-f]{32}\/secrets\?\S+ -> 200 \(\d+ ms\)/)
    assert.match(run.stderr, /debug: cloudflare POST \/accounts\/[0-9a-f]{32}\/secrets_store\/stores\/[0-9a-f]{32}\/secrets -> 200/)
    assert.match(run.stderr, /debug: cloudflare: account [0-9a-f]{32} \(from config\), token from file/)
  })
})

describe("failures on a Cloudflare environment", () => {
  test("not logged in: told how to log in, nothing sent", async () => {
    const run = await layer(["secret", "set", "X_SECRET", "--from-stdin", "--env", "production", "--json"], { input: VALUE })
    assert.equal(run.code, 1)
    const { error } = jsonOf<{ error: { code: string; hint: string } }>(run)
    assert.equal(error.code, "not_logged_in")
    assert.match(error.hint, /layer login/)
    assert.deepEqual(emulator.requests, [])
  })

  test("a value over 65,536 bytes is refused before any request", async () => {
    await login()
    emulator.resetRequestLog()
    const run = await layer(["secret", "set", "HUGE", "--from-stdin", "--env", "production", "--json"], { input: "x".repeat(65_537) })
    assert.equal(run.code, 1)
    assert.match(jsonOf<{ error: { message: string } }>(run).error.message, /65,537 (UTF-8 )?bytes/)
    assert.deepEqual(emulator.requests, [])
  })

  test("a revoked token is explained with the fix", async () => {
    const doomed = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
    const run = await layer(["secret", "set", "X_SECRET", "--from-stdin", "--env", "production", "--json"], {
      input: VALUE,
      env: { CLOUDFLARE_API_TOKEN: `${doomed.slice(0, -4)}zzzz` },
    })
    assert.equal(run.code, 1)
    const { error } = jsonOf<{ error: { code: string; hint: string } }>(run)
    assert.equal(error.code, "cloudflare_auth_failed")
    assert.match(error.hint, /layer whoami.*layer login/)
  })

  test("Cloudflare's 5-minute rate-limit block ends the command at once with when to retry", async () => {
    await login()
    emulator.setFault({ kind: "rate_limit", retryAfterSeconds: 300 })
    try {
      const run = await layer(["secret", "set", "BLOCKED", "--from-stdin", "--env", "production", "--json"], { input: VALUE, env: { LAYERON_MAX_RETRY_WAIT_MS: undefined } })
      assert.equal(run.code, 1)
      const { error } = jsonOf<{ error: { code: string; message: string; hint: string } }>(run)
      assert.equal(error.code, "cloudflare_rate_limited")
      assert.match(error.message, /blocks API requests of this user for 300 s.*layer waits at most 90 s/)
      assert.match(error.hint, /run the command again after /)
    } finally {
      emulator.clearFaults()
    }
  })
})
