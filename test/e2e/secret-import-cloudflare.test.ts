/**
 * `layer secret import` of a 100-entry .env into a Cloudflare environment (the emulator),
 * through the built CLI: every value lands, the requests are counted (one listing, the new
 * undeclared secrets in one bulk request, then one write per other entry: no lookup per
 * secret), a bad entry anywhere sends nothing at all, and no value reaches the output. A
 * failed bulk request says exactly what landed, writes nothing else, and a rerun converges.
 */
import assert from "node:assert/strict"
import { after, afterEach, before, beforeEach, describe, test } from "node:test"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { DEFAULT_API, cloudflareConfig, createProject, jsonOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"

const KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
const value = (i: number) => `import-canary-${i.toString().padStart(3, "0")}-${"v".repeat(i)}`

let emulator: Emulator
let accountId: string
let token: string
let project: TestProject

before(async () => {
  emulator = await startEmulator({ pendingDelayMs: 0, quota: 250 })
})
after(() => emulator.close())
beforeEach(async () => {
  // An account per test: the sealing key one project creates must not meet another project.
  accountId = emulator.addAccount({ name: "Acme", withDefaultStore: true }).id
  token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  project = await createProject({ "layeron.config.ts": cloudflareConfig(accountId), "src/api.ts": DEFAULT_API })
})
afterEach(() => project.cleanup())

const env = () => ({ CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token, LAYERON_MAX_RETRY_WAIT_MS: "200" })
const storeId = () => /stores\/([0-9a-f]{32})/.exec(emulator.requests.find((r) => /\/stores\/[0-9a-f]{32}\//.test(r.path))?.path ?? "")?.[1] ?? ""

/** 97 undeclared names, then the declared SESSION_KEY (convention), STRIPE_SECRET (adopted name) and webhook-key. */
function hundredEntries(): string {
  const lines = Array.from({ length: 97 }, (_, i) => `TOKEN_${i}=${value(i)}`)
  lines.push(`SESSION_KEY=${KEY}`, `STRIPE_SECRET="${value(97)}"`, `webhook-key='${value(98)}'`)
  return `${lines.join("\n")}\n`
}

describe("secret import into Cloudflare", () => {
  test("--dry-run on an account without a store writes nothing at all: no store is created to list it", async () => {
    const bare = emulator.addAccount({ name: "Bare", withDefaultStore: false }).id
    const bareToken = emulator.addToken({ kind: "user", accountIds: [bare], permissions: [...PERMISSIONS] })
    const own = await createProject({ "layeron.config.ts": cloudflareConfig(bare), "src/api.ts": DEFAULT_API })
    try {
      await own.write(".env", "TOKEN_A=one\nSESSION_KEY=" + KEY + "\n")
      emulator.resetRequestLog()
      const run = await own.layer(["secret", "import", ".env", "--env", "production", "--dry-run", "--json"], { env: { ...env(), CLOUDFLARE_API_TOKEN: bareToken } })
      assert.equal(run.code, 0, run.stderr)
      const doc = jsonOf<{ dryRun: boolean; secrets: { key: string; action: string }[] }>(run)
      assert.equal(doc.dryRun, true)
      assert.deepEqual(doc.secrets.map((row) => [row.key, row.action]), [["TOKEN_A", "create"], ["SESSION_KEY", "create"]])
      const writes = emulator.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)
      assert.deepEqual(writes, [], "the dry run sent a write")
    } finally {
      await own.cleanup()
    }
  })

  test("100 entries: one listing, one bulk request for the 97 new undeclared secrets and one write per declared one, every value in the store, progress on stderr, no value shown", async () => {
    await project.write(".env", hundredEntries())
    emulator.resetRequestLog()
    const run = await project.layer(["secret", "import", ".env", "--env", "production", "--yes", "--json"], { env: env() })
    assert.equal(run.code, 0, run.stderr)
    for (let i = 0; i < 99; i++) assert.ok(!(run.stdout + run.stderr).includes(value(i)), `value ${i} appeared in the output`)
    assert.ok(!(run.stdout + run.stderr).includes(KEY))
    const doc = jsonOf<{ secrets: { key: string; action: string; physicalName: string; next: { status: string; command: string | null } }[] }>(run)
    assert.equal(doc.secrets.length, 100)
    assert.ok(doc.secrets.every((row) => row.action === "created"))
    assert.match(run.stderr, /importing 97 new secrets in one request/)
    assert.match(run.stderr, /importing 98\/100: lo_[0-9a-f]{24} \(auth\/session-key\)/)
    assert.match(run.stderr, /importing 100\/100: lo_[0-9a-f]{24} \(default\/webhook-key\)/)
    // Not deployed yet: the declared secrets are not bound until `layer deploy`.
    assert.deepEqual(doc.secrets.find((row) => row.key === "SESSION_KEY")?.next, { status: "after_deploy", command: "layer deploy --env production" })
    assert.deepEqual(doc.secrets.find((row) => row.key === "TOKEN_0")?.next, { status: "not_bound", command: null })

    const store = storeId()
    for (let i = 0; i < 97; i++) assert.equal(emulator.getSecretValue(accountId, store, `TOKEN_${i}`), value(i))
    assert.equal(emulator.getSecretValue(accountId, store, "STRIPE_SECRET"), value(97))
    assert.equal(emulator.getSecretValue(accountId, store, doc.secrets.find((row) => row.key === "SESSION_KEY")!.physicalName), KEY)

    const lines = emulator.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{32}/g, ":id").replace(/lo_[0-9a-f]{24}/g, "lo_*")}`)
    const writes = lines.filter((line) => !line.startsWith("GET"))
    const reads = lines.filter((line) => line.startsWith("GET"))
    // The 97 new undeclared secrets in one bulk POST, the 3 declared ones each on their recorded
    // path and, first write of a declared secret in this environment, the sealing key.
    assert.equal(writes.length, 5, writes.join("\n"))
    assert.ok(writes.every((line) => line.startsWith("POST")), "all created")
    // The store lookup, the quota, one listing, and the provider's exact-name lookup before each
    // declared create (its guard against a concurrent create; Cloudflare's search is not exact),
    // the sealing key's lookup, and each declared secret's metadata read again under the
    // environment lock (what settles a crashed write), and the checkout check's one look for a
    // stored sealing key while the state has no public key yet: 3 + 4 + 1 + 3 + 1.
    assert.ok(reads.length <= 12, `${reads.length} reads:\n${reads.join("\n")}`)

    // Again: every secret is in the listing, so each write is one PATCH; the only other reads are
    // the listing, the sealing key's lookups (its anchor is checked before anything is sealed) and
    // the 3 declared secrets' metadata under the lock: 6 secret lookups, no per-entry read.
    emulator.resetRequestLog()
    const again = await project.layer(["secret", "import", ".env", "--env", "production", "--yes", "--json"], { env: env() })
    assert.equal(again.code, 0, again.stderr)
    const second = emulator.requests.map((r) => r.method)
    const secondReads = emulator.requests.filter((r) => r.method === "GET").map((r) => r.path.replace(/[0-9a-f]{32}/g, ":id").replace(/lo_[0-9a-f]{24}/g, "lo_*"))
    // SESSION_KEY is auth/session-key, which rotates: its current version already holds the value,
    // so it is `unchanged` and not written again (a write would add a second version of it).
    assert.equal(jsonOf<{ secrets: { key: string; action: string }[] }>(again).secrets.find((row) => row.key === "SESSION_KEY")?.action, "unchanged")
    assert.equal(second.filter((method) => method === "PATCH").length, 99)
    assert.ok(second.filter((method) => method === "GET").length <= 6, `reads:\n${secondReads.join("\n")}`)
    assert.equal(second.length, 99 + second.filter((method) => method === "GET").length, "nothing but the reads and the PATCHes")
  })

  test("one bad entry among 100 sends no request at all", async () => {
    await project.write(".env", hundredEntries().replace(`TOKEN_50=${value(50)}`, "TOKEN_50="))
    emulator.resetRequestLog()
    const run = await project.layer(["secret", "import", ".env", "--env", "production", "--yes"], { env: env() })
    assert.equal(run.code, 1)
    assert.match(run.stderr, /^error: \.env line 51: TOKEN_50 has an empty value; nothing was written$/m)
    assert.deepEqual(emulator.requests, [])
  })

  test("an import the account's quota cannot hold is refused before the first write", async () => {
    const small = await startEmulator({ pendingDelayMs: 0 })
    try {
      const account = small.addAccount({ name: "Small", withDefaultStore: true }).id
      const smallToken = small.addToken({ kind: "user", accountIds: [account], permissions: [...PERMISSIONS] })
      await project.write("layeron.config.ts", cloudflareConfig(account))
      await project.write(".env", hundredEntries())
      const run = await project.layer(["secret", "import", ".env", "--env", "production", "--yes"], { env: { ...env(), CLOUDFLARE_API_BASE_URL: small.url, CLOUDFLARE_API_TOKEN: smallToken } })
      assert.equal(run.code, 1)
      assert.match(run.stderr, /the import creates 101 secrets in production, but the account holds 0 of its 100 secrets \(Secrets Store quota\); nothing was written/)
      assert.deepEqual(small.requests.filter((r) => r.method !== "GET"), [], "a write was sent")
    } finally {
      await small.close()
    }
  })

  test("after a deploy bound them, an import says the running Workers read the new values now", async () => {
    await project.write("a.env", `SESSION_KEY=${KEY}\nSTRIPE_SECRET=${value(1)}\nwebhook-key=${value(2)}\nauth/signing-key=AAECAwQFBgcICQoLDA0ODw\n`)
    const first = await project.layer(["secret", "import", "a.env", "--env", "production", "--yes"], { env: env() })
    assert.equal(first.code, 0, first.stderr)
    const deployed = await project.layer(["deploy", "--env", "production", "--yes"], { env: env() })
    assert.equal(deployed.code, 0, `${deployed.stdout}\n${deployed.stderr}`)
    const run = await project.layer(["secret", "import", "a.env", "--env", "production", "--yes"], { env: env() })
    assert.equal(run.code, 0, run.stderr)
    // Before that deploy, `secret set` and `secret list` said the deploy was needed (checked below through a new secret).
    assert.match(run.stdout, /next: nothing to do: auth\/session-key, payments\/stripe, default\/webhook-key, auth\/signing-key are bound to the running Workers/)
  })

  test("secret set and secret list say when a value needs `layer deploy` before the Workers see it", async () => {
    const set = await project.layer(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { ...env(), V: value(3) } })
    assert.equal(set.code, 0, set.stderr)
    assert.match(set.stdout, /^next: payments\/stripe is not bound to the running Workers yet; `layer deploy --env production` binds it$/m)
    const list = await project.layer(["secret", "list", "--env", "production"], { env: env() })
    assert.match(list.stdout, /^1 present but not bound to the running Workers yet \(payments\/stripe\): `layer deploy --env production` binds it$/m)
  })
})

describe("secret import into Cloudflare: a failed bulk request", () => {
  interface ErrorDocument {
    error: { code: string; message: string; hint: string | null; details: { batch: { landed: string[]; notLanded: string[]; unknown: string[] }; writtenSecrets: string[]; notWrittenSecrets: string[]; unknownSecrets: string[]; rolledBack: boolean } }
  }
  const file = `TOKEN_A=${value(1)}\nTOKEN_B=${value(2)}\nSESSION_KEY=${KEY}\n`
  const store = () => emulator.accounts.find((account) => account.id === accountId)!.stores[0]!
  const stored = (name: string) => emulator.getSecretValue(accountId, store().id, name)
  const storedNames = () => store().secrets.map((secret) => secret.name)

  test("refused: nothing landed, and it says so; no declared secret was written either; the rerun writes them all", async () => {
    await project.write(".env", file)
    emulator.setFault({ kind: "error_answer", status: 400, code: 1001, message: "Bad request", method: "POST", path: "/accounts/*/secrets_store/stores/*/secrets", next: 1 })
    const run = await project.layer(["secret", "import", ".env", "--env", "production", "--yes", "--json"], { env: env() })
    assert.equal(run.code, 1, run.stderr)
    const { error } = jsonOf<ErrorDocument>(run)
    assert.equal(error.code, "cloudflare_api_error")
    assert.deepEqual(error.details.batch, { landed: [], notLanded: ["TOKEN_A", "TOKEN_B"], unknown: [] })
    assert.deepEqual(error.details.writtenSecrets, [])
    assert.equal(error.details.notWrittenSecrets.length, 3)
    assert.match(error.message, /^import stopped at the bulk creation of 2 new secrets from \.env, 0 of 3 written: .*not in the store: TOKEN_A, TOKEN_B; the other 1 entry was not written: lo_[0-9a-f]{24} \(auth\/session-key\)$/)
    assert.deepEqual(storedNames(), [], "nothing in the store: not even the sealing key")
    assert.ok(!(run.stdout + run.stderr).includes(value(1)) && !(run.stdout + run.stderr).includes(KEY), "no value in the output")

    const human = await project.layer(["secret", "import", ".env", "--env", "production", "--yes"], { env: env() })
    assert.equal(human.code, 0, human.stderr)
    assert.equal(stored("TOKEN_A"), value(1))
    assert.equal(stored("TOKEN_B"), value(2))
  })

  test("an answer lost after the bulk landed: every new secret reported in the store, in words and in --json; the rerun updates them and writes the rest", async () => {
    await project.write(".env", file)
    emulator.setFault({ kind: "malformed_result", result: "absent", method: "POST", next: 1 })
    const run = await project.layer(["secret", "import", ".env", "--env", "production", "--yes"], { env: env() })
    assert.equal(run.code, 1)
    assert.match(run.stderr, /^error: import stopped at the bulk creation of 2 new secrets from \.env, 2 of 3 written: .*in the store now: TOKEN_A, TOKEN_B; the other 1 entry was not written: lo_[0-9a-f]{24} \(auth\/session-key\)$/m)
    assert.match(run.stderr, /running the command again creates what is missing and updates what landed/)
    assert.deepEqual(storedNames().sort(), ["TOKEN_A", "TOKEN_B"], "the bulk landed; nothing else was written")

    emulator.setFault({ kind: "malformed_result", result: "absent", method: "POST", next: 1 })
    await project.write(".env", `TOKEN_C=${value(3)}\n${file}`)
    const json = await project.layer(["secret", "import", ".env", "--env", "production", "--yes", "--json"], { env: env() })
    const { error } = jsonOf<ErrorDocument>(json)
    assert.equal(error.code, "cloudflare_unexpected_answer")
    assert.deepEqual(error.details.batch, { landed: ["TOKEN_C"], notLanded: [], unknown: [] })
    assert.deepEqual(error.details.writtenSecrets, ["TOKEN_C"])
    assert.equal(error.details.notWrittenSecrets.length, 3, "TOKEN_A and TOKEN_B (updates) and the declared secret")

    const rerun = await project.layer(["secret", "import", ".env", "--env", "production", "--yes", "--json"], { env: env() })
    assert.equal(rerun.code, 0, rerun.stderr)
    assert.deepEqual(jsonOf<{ secrets: { key: string; action: string }[] }>(rerun).secrets.map((row) => [row.key, row.action]), [["TOKEN_C", "updated"], ["TOKEN_A", "updated"], ["TOKEN_B", "updated"], ["SESSION_KEY", "created"]])
    for (const [name, i] of [["TOKEN_A", 1], ["TOKEN_B", 2], ["TOKEN_C", 3]] as const) assert.equal(stored(name), value(i))
  })

  test("a declared write refused after the bulk landed: the bulk's secrets are reported written, the declared one not; the rerun converges", async () => {
    await project.write("first.env", `SESSION_KEY=${KEY}\n`)
    assert.equal((await project.layer(["secret", "import", "first.env", "--env", "production", "--yes"], { env: env() })).code, 0)
    await project.write(".env", `TOKEN_A=${value(1)}\nTOKEN_B=${value(2)}\nSESSION_KEY=Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA\n`)
    // The declared secret exists, so its write is the import's one PATCH, after the bulk POST.
    emulator.setFault({ kind: "error_answer", status: 400, code: 1001, message: "Bad request", method: "PATCH", next: 1 })
    const run = await project.layer(["secret", "import", ".env", "--env", "production", "--yes", "--json"], { env: env() })
    assert.equal(run.code, 1, run.stderr)
    const { error } = jsonOf<ErrorDocument>(run)
    assert.deepEqual(error.details?.writtenSecrets, ["TOKEN_A", "TOKEN_B"], error.message)
    assert.deepEqual(error.details.notWrittenSecrets.map((name) => name.replace(/lo_[0-9a-f]{24}/, "lo_*")), ["lo_* (auth/session-key)"])
    assert.match(error.message, /^import stopped at \.env line 3 \(lo_[0-9a-f]{24} \(auth\/session-key\)\), 2 of 3 written; written: TOKEN_A, TOKEN_B; not written: lo_/)

    const rerun = await project.layer(["secret", "import", ".env", "--env", "production", "--yes", "--json"], { env: env() })
    assert.equal(rerun.code, 0, rerun.stderr)
    assert.deepEqual(jsonOf<{ secrets: { key: string; action: string }[] }>(rerun).secrets.map((row) => [row.key, row.action]), [["TOKEN_A", "updated"], ["TOKEN_B", "updated"], ["SESSION_KEY", "updated"]])
  })
})
