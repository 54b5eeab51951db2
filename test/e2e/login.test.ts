/**
 * `layer login | whoami | logout`, run as a user would: the built CLI in a child process
 * (and a real pseudo-terminal for the prompt) against the Cloudflare API emulator. Every
 * failure must name the problem and the fix, exit non-zero and leave nothing behind; no
 * output may ever contain the token.
 */
import assert from "node:assert/strict"
import { chmod, mkdir, readFile, readdir, writeFile } from "node:fs/promises"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { after, afterEach, before, beforeEach, describe, test } from "node:test"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { createProject, jsonOf, modeOf } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"

let emulator: Emulator
let accountId: string
let token: string
let project: TestProject
/** Every token a test used: none may appear in any output. */
const tokens: string[] = []

before(async () => {
  emulator = await startEmulator({ pendingDelayMs: 0 })
  accountId = emulator.addAccount({ name: "Acme Production" }).id
  token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  tokens.push(token)
})
after(() => emulator.close())
beforeEach(async () => {
  project = await createProject()
  emulator.resetRequestLog()
})
afterEach(() => project.cleanup())

/** The emulator, short waits, and no keychain unless a test adds one. */
function apiEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { CLOUDFLARE_API_BASE_URL: emulator.url, LAYERON_MAX_RETRY_WAIT_MS: "200", ...extra }
}

async function layer(args: string[], options: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<LayerRun> {
  const run = await project.layer(args, { input: options.input, env: apiEnv(options.env) })
  assertNoToken(run.stdout + run.stderr)
  return run
}

function assertNoToken(text: string): void {
  for (const secret of tokens) assert.ok(!text.includes(secret), "a token appeared in the output")
}

const credentialsFile = () => join(project.home, "credentials.json")

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  )
}

/** A failed login: exit 1, the error's code in --json, and no credentials anywhere. */
async function assertFailedLogin(run: LayerRun, code: string): Promise<{ message: string; hint: string | null }> {
  assert.equal(run.code, 1, run.stderr)
  const { error } = jsonOf<{ error: { code: string; message: string; hint: string | null } }>(run)
  assert.equal(error.code, code, error.message)
  assert.match(run.stderr, /^error: /m)
  assert.match(run.stderr, /^hint: /m)
  assert.equal(await exists(credentialsFile()), false, "nothing written")
  for (const secret of tokens) assert.deepEqual(await project.filesContaining(secret), [], "no token on disk")
  return error
}

describe("layer login stores a verified token", () => {
  test("from stdin: verified, stored in a 0600 file in a 0700 LAYERON_HOME, and said so", async () => {
    const run = await layer(["login", "--from-stdin", "--json"], { input: `${token}\n` })
    assert.equal(run.code, 0, run.stderr)
    const document = jsonOf<Record<string, unknown>>(run)
    assert.equal(document.accountId, accountId)
    assert.equal(document.accountName, "Acme Production")
    assert.equal(document.tokenKind, "user")
    assert.equal(document.tokenStatus, "active")
    assert.equal(document.tokenFrom, "stdin")
    assert.match(String(document.tokenFingerprint), /^sha256:[0-9a-f]{8}$/)
    assert.deepEqual(document.storage, { kind: "file", path: credentialsFile() })
    assert.deepEqual(document.secretsStore, { access: true, stores: 0 })
    assert.deepEqual(document.workersScripts, { access: true, scripts: 0 })
    assert.deepEqual(document.permissions, {
      confirmed: ["Account Secrets Store Read", "Account Workers Scripts Read"],
      missing: [],
      unconfirmed: ["Account Secrets Store Edit", "Account Workers Scripts Edit"],
      note: "Cloudflare does not say which permissions a token has; reads confirm Read, and write access (Edit) can only be confirmed by writing: the first `layer secret set` and `layer deploy` do",
    })
    assert.equal(await modeOf(credentialsFile()), 0o600)
    assert.equal(await modeOf(project.home), 0o700)
    assert.deepEqual(await project.filesContaining(token), ["home/layeron/credentials.json"], "the token is in the credentials file only")
    assert.deepEqual(
      emulator.requests.map((request) => `${request.method} ${request.path}`),
      ["GET /user/tokens/verify", "GET /accounts", `GET /accounts/${accountId}/secrets_store/stores`, `GET /accounts/${accountId}/workers/scripts`],
    )
  })

  test("a Secrets Store token without Workers Scripts logs in, but is told plainly that deploy will fail and what to add", async () => {
    const storeOnly = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: ["secrets_store_read"] })
    tokens.push(storeOnly)
    const run = await layer(["login", "--from-stdin", "--json"], { input: storeOnly })
    assert.equal(run.code, 0, run.stderr)
    const document = jsonOf<{ workersScripts: { access: boolean; problem: string }; permissions: { confirmed: string[]; missing: string[]; unconfirmed: string[] } }>(run)
    assert.equal(document.workersScripts.access, false)
    assert.deepEqual(document.permissions.confirmed, ["Account Secrets Store Read"])
    assert.deepEqual(document.permissions.missing, ["Account Workers Scripts Read"])
    assert.deepEqual(document.permissions.unconfirmed, ["Account Secrets Store Edit"])
    assert.match(run.stderr, /cannot read Workers scripts on account [0-9a-f]{32}, so `layer deploy` will fail; add "Workers Scripts Edit"/)
    const human = await layer(["login", "--from-stdin"], { input: storeOnly })
    assert.match(human.stdout, /Workers Scripts: NOT reachable/)
    assert.match(human.stdout, /Not confirmed: Account Secrets Store Edit \(.*can only be confirmed by writing/)
  })

  test("an account-owned token that GET /accounts refuses (400) logs in with --account-id, and is asked for it without", async () => {
    const refused = emulator.addToken({ kind: "account", accountIds: [accountId], permissions: [...PERMISSIONS], accountList: "refuses" })
    tokens.push(refused)
    const run = await layer(["login", "--from-stdin", "--json", "--account-id", accountId], { input: refused })
    assert.equal(run.code, 0, run.stderr)
    assert.equal(jsonOf<{ tokenKind: string }>(run).tokenKind, "account")
    await project.cleanup()
    project = await createProject()
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json"], { input: refused }), "account_id_required")
    assert.match(error.hint ?? "", /--account-id/)
  })

  test("a malformed token (Cloudflare's 400 6003/6111) is 'not a well-formed token', not a generic error", async () => {
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json"], { input: "too-short-to-be-a-token" }), "cloudflare_token_malformed")
    assert.match(error.hint ?? "", /copy the whole token again/)
  })

  test("the human output says where the token went and shows only its fingerprint", async () => {
    const run = await layer(["login", "--from-stdin"], { input: token })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, new RegExp(`Logged in to Cloudflare account Acme Production \\(${accountId}\\)`))
    assert.match(run.stdout, /Token sha256:[0-9a-f]{8} \(user token, active\) stored in .*credentials\.json \(mode 0600, readable only by you; no OS keychain is available\)/)
  })

  test("from CLOUDFLARE_API_TOKEN", async () => {
    const run = await layer(["login", "--json"], { env: { CLOUDFLARE_API_TOKEN: token } })
    assert.equal(run.code, 0, run.stderr)
    assert.equal(jsonOf<{ tokenFrom: string }>(run).tokenFrom, "CLOUDFLARE_API_TOKEN")
    assert.equal(await modeOf(credentialsFile()), 0o600)
  })

  test("from a hidden prompt at a terminal: nothing echoed", async () => {
    const run = await layerInPty(project, ["login"], [{ expect: "Cloudflare API token (input hidden): ", send: `${token}\r` }], apiEnv())
    assert.equal(run.exitCode, 0, run.output)
    assert.match(run.output, /Logged in to Cloudflare account Acme Production/)
    assertNoToken(run.output)
    assert.equal(await modeOf(credentialsFile()), 0o600)
  })

  test("an account-owned token (cfat_) is verified on its account", async () => {
    const accountToken = emulator.addToken({ kind: "account", accountIds: [accountId], permissions: ["secrets_store_write"] })
    tokens.push(accountToken)
    assert.match(accountToken, /^cfat_/)
    const run = await layer(["login", "--from-stdin", "--json"], { input: accountToken })
    assert.equal(run.code, 0, run.stderr)
    assert.equal(jsonOf<{ tokenKind: string }>(run).tokenKind, "account")
    assert.ok(emulator.requests.some((request) => request.path === `/accounts/${accountId}/tokens/verify`))
  })

  test("the account of the project's Cloudflare environment is chosen among several", async () => {
    const other = emulator.addAccount({ name: "Acme Staging" }).id
    const both = emulator.addToken({ kind: "user", accountIds: [accountId, other], permissions: [...PERMISSIONS] })
    tokens.push(both)
    await project.write(
      "layeron.config.ts",
      `import { project } from "@layeron/core"
export default project({ workspace: "acme", name: "shop", backends: { api: "./src/api.ts" },
  environments: { dev: { provider: "local" }, production: { provider: "cloudflare", accountId: "${other}" } } })
`,
    )
    const run = await layer(["login", "--from-stdin", "--json"], { input: both })
    assert.equal(run.code, 0, run.stderr)
    const document = jsonOf<{ accountId: string; accountIdSource: string }>(run)
    assert.equal(document.accountId, other)
    assert.equal(document.accountIdSource, "environments.production.accountId")
  })
})

describe("layer login refuses, explains, and writes nothing", () => {
  test("a wrong token", async () => {
    const wrong = "W".repeat(40)
    tokens.push(wrong)
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json"], { input: wrong }), "token_invalid")
    assert.match(error.message, /Cloudflare does not recognise this API token/)
    assert.match(error.hint ?? "", /Account Secrets Store Edit/)
  })

  test("an expired token", async () => {
    const expired = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS], status: "expired" })
    tokens.push(expired)
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json"], { input: expired }), "token_expired")
    assert.match(error.message, /this API token is expired/)
    assert.match(error.hint ?? "", /roll the token/)
  })

  test("a token without Secrets Store access", async () => {
    const scriptsOnly = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: ["workers_scripts_write"] })
    tokens.push(scriptsOnly)
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json"], { input: scriptsOnly }), "secrets_store_access_missing")
    assert.match(error.message, new RegExp(`cannot use Secrets Store on account ${accountId} \\(Acme Production\\)`))
    assert.match(error.hint ?? "", /add the permission "Account Secrets Store Edit"/)
  })

  test("an account id the token cannot reach: the accounts it can are listed", async () => {
    const wrongAccount = "f".repeat(32)
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json", "--account-id", wrongAccount], { input: token }), "account_not_accessible")
    assert.match(error.message, new RegExp(`cannot access account ${wrongAccount} \\(from --account-id\\); it can access ${accountId} \\(Acme Production\\)`))
  })

  test("a malformed account id is refused before the token is read or anything is sent", async () => {
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json", "--account-id", "acme"], { input: token }), "invalid_account_id")
    assert.match(error.message, /--account-id "acme" is not a Cloudflare account id \(32 hexadecimal digits\)/)
    assert.deepEqual(emulator.requests, [])
  })

  test("a token that reaches several accounts, without --account-id", async () => {
    const second = emulator.addAccount({ name: "Side Project" }).id
    const wide = emulator.addToken({ kind: "user", accountIds: [accountId, second], permissions: [...PERMISSIONS] })
    tokens.push(wide)
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json"], { input: wide }), "account_ambiguous")
    assert.match(error.message, new RegExp(`reaches 2 accounts: ${accountId} \\(Acme Production\\), ${second} \\(Side Project\\)`))
    assert.match(error.hint ?? "", /--account-id/)
    const chosen = await layer(["login", "--from-stdin", "--json", "--account-id", second], { input: wide })
    assert.equal(chosen.code, 0, chosen.stderr)
    assert.equal(jsonOf<{ accountId: string }>(chosen).accountId, second)
  })

  test("an unreachable API (a closed port)", async () => {
    const port = await closedPort()
    const run = await layer(["login", "--from-stdin", "--json"], { input: token, env: { CLOUDFLARE_API_BASE_URL: `http://127.0.0.1:${port}/client/v4` } })
    const error = await assertFailedLogin(run, "cloudflare_unreachable")
    assert.match(error.message, new RegExp(`could not reach the Cloudflare API at http://127\\.0\\.0\\.1:${port}/client/v4 \\(connection refused\\)`))
    assert.match(error.hint ?? "", /check the network connection.*CLOUDFLARE_API_BASE_URL/)
  })

  test("no token anywhere and no terminal to ask at", async () => {
    const error = await assertFailedLogin(await layer(["login", "--json"]), "no_token_source")
    assert.match(error.hint ?? "", /--from-stdin/)
  })

  test("an empty stdin", async () => {
    await assertFailedLogin(await layer(["login", "--from-stdin", "--json"], { input: "\n" }), "empty_token")
  })

  test("a token with a line break inside is refused without being quoted", async () => {
    const broken = `${token.slice(0, 20)}\n${token.slice(20)}`
    const error = await assertFailedLogin(await layer(["login", "--from-stdin", "--json"], { input: broken }), "invalid_token")
    assert.match(error.message, /spaces, line breaks or non-ASCII/)
    assert.deepEqual(emulator.requests, [])
  })
})

describe("layer whoami and layer logout", () => {
  test("whoami shows the source, account, fingerprint and verification; logout removes the file", async () => {
    const login = await layer(["login", "--from-stdin", "--json"], { input: token })
    const fingerprint = jsonOf<{ tokenFingerprint: string }>(login).tokenFingerprint

    const who = await layer(["whoami", "--json"])
    assert.equal(who.code, 0, who.stderr)
    assert.deepEqual(jsonOf(who), {
      source: "file",
      location: credentialsFile(),
      tokenFingerprint: fingerprint,
      accountId,
      accountIdSource: "layer login",
      tokenKind: "user",
      verification: { status: "active", expiresOn: null },
      secretsStore: { access: true, stores: 0 },
      workersScripts: { access: true, scripts: 0 },
      permissions: {
        confirmed: ["Account Secrets Store Read", "Account Workers Scripts Read"],
        missing: [],
        unconfirmed: ["Account Secrets Store Edit", "Account Workers Scripts Edit"],
        note: "Cloudflare does not say which permissions a token has; reads confirm Read, and write access (Edit) can only be confirmed by writing: the first `layer secret set` and `layer deploy` do",
      },
    })
    const human = await layer(["whoami"])
    assert.match(human.stdout, new RegExp(`Token: +${fingerprint} \\(user token, active\\)`))
    assert.match(human.stdout, /Source: +file .*credentials\.json/)

    const out = await layer(["logout", "--json"])
    assert.equal(out.code, 0, out.stderr)
    assert.deepEqual(jsonOf(out), { loggedOut: true, removed: [credentialsFile()], envTokenStillSet: false })
    assert.equal(await exists(credentialsFile()), false)

    const nobody = await layer(["whoami", "--json"])
    assert.equal(nobody.code, 1)
    assert.equal(jsonOf<{ error: { code: string } }>(nobody).error.code, "not_logged_in")
    const again = await layer(["logout"])
    assert.match(again.stdout, /nothing to remove/)
  })

  test("CLOUDFLARE_API_TOKEN takes precedence over the stored token, and whoami says so", async () => {
    await layer(["login", "--from-stdin"], { input: token })
    const other = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
    tokens.push(other)
    const who = await layer(["whoami", "--json"], { env: { CLOUDFLARE_API_TOKEN: other, CLOUDFLARE_ACCOUNT_ID: accountId } })
    assert.equal(who.code, 0, who.stderr)
    const document = jsonOf<{ source: string; accountIdSource: string }>(who)
    assert.equal(document.source, "env")
    assert.equal(document.accountIdSource, "CLOUDFLARE_ACCOUNT_ID")
    const out = await layer(["logout"], { env: { CLOUDFLARE_API_TOKEN: other } })
    assert.match(out.stderr, /CLOUDFLARE_API_TOKEN is still set/)
  })

  test("whoami exits 1 when the account is unreachable with the token, and says which account", async () => {
    await layer(["login", "--from-stdin"], { input: token })
    const other = emulator.addAccount({ name: "Someone else" }).id
    const who = await layer(["whoami", "--json"], { env: { CLOUDFLARE_ACCOUNT_ID: other } })
    assert.equal(who.code, 1)
    const document = jsonOf<{ accountId: string; secretsStore: { access: boolean; problem: string } }>(who)
    assert.equal(document.accountId, other)
    assert.equal(document.secretsStore.access, false)
    assert.match(who.stderr, new RegExp(`cannot access Cloudflare account ${other}`))
  })

  test("whoami with a revoked token fails, still naming which token it checked", async () => {
    const doomed = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
    tokens.push(doomed)
    await layer(["login", "--from-stdin"], { input: doomed })
    emulator.setTokenStatus(doomed, "disabled")
    const who = await layer(["whoami", "--json"])
    assert.equal(who.code, 1)
    const { error } = jsonOf<{ error: { code: string; details: Record<string, unknown> } }>(who)
    assert.equal(error.code, "token_disabled")
    assert.equal(error.details.source, "file")
    assert.match(String(error.details.tokenFingerprint), /^sha256:/)
  })

  test("a credentials file others can read is narrowed to 0600 (and its directory to 0700), with a warning", async () => {
    await layer(["login", "--from-stdin"], { input: token })
    await chmod(credentialsFile(), 0o644)
    await chmod(project.home, 0o755)
    const who = await layer(["whoami"])
    assert.equal(who.code, 0, who.stderr)
    assert.match(who.stderr, /credentials\.json was readable by other users \(mode 0644\); it is now 0600/)
    assert.match(who.stderr, /roll it/)
    assert.match(who.stderr, /was open to other users \(mode 0755\); it is now 0700/)
    assert.equal(await modeOf(credentialsFile()), 0o600)
    assert.equal(await modeOf(project.home), 0o700)
  })

  test("a damaged credentials file is reported with the way out", async () => {
    await mkdir(project.home, { recursive: true, mode: 0o700 })
    await writeFile(credentialsFile(), "{oops", { mode: 0o600 })
    const who = await layer(["whoami", "--json"])
    assert.equal(who.code, 1)
    const { error } = jsonOf<{ error: { code: string; hint: string } }>(who)
    assert.equal(error.code, "credentials_corrupt")
    assert.match(error.hint, /layer logout.*layer login/)
    const out = await layer(["logout"])
    assert.equal(out.code, 0, out.stderr)
    assert.equal(await exists(credentialsFile()), false)
  })
})

describe("the OS keychain (Secret Service through secret-tool)", () => {
  let keyring: string
  let keychainEnv: Record<string, string>
  beforeEach(async () => {
    keyring = join(project.base, "keyring")
    const bin = join(project.base, "bin")
    await mkdir(keyring)
    await mkdir(bin)
    await writeFile(join(bin, "secret-tool"), FAKE_SECRET_TOOL, { mode: 0o755 })
    keychainEnv = { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, DBUS_SESSION_BUS_ADDRESS: "unix:path=/run/user/test/bus", FAKE_KEYRING: keyring }
  })

  test("login stores the token there (handed over on stdin, never in argv); the file holds no token", async () => {
    const run = await layer(["login", "--from-stdin", "--json"], { input: token, env: keychainEnv })
    assert.equal(run.code, 0, run.stderr)
    const storage = jsonOf<{ storage: { kind: string; keychain: string } }>(run).storage
    assert.equal(storage.kind, "keychain")
    assert.equal(storage.keychain, "secret-service")
    assert.deepEqual(await project.filesContaining(token), [], "no token under the project or LAYERON_HOME")
    assert.equal(JSON.parse(await readFile(credentialsFile(), "utf8")).cloudflare.storage, "secret-service")
    assert.ok(!(await readFile(join(keyring, "argv.log"), "utf8")).includes(token), "the token never appears in argv")

    const who = await layer(["whoami", "--json"], { env: keychainEnv })
    assert.equal(who.code, 0, who.stderr)
    assert.equal(jsonOf<{ source: string }>(who).source, "keychain")

    const out = await layer(["logout", "--json"], { env: keychainEnv })
    assert.equal(jsonOf<{ removed: string[] }>(out).removed.length, 2, "the keychain item and the file")
    assert.deepEqual((await readdir(keyring)).filter((name) => name.startsWith("item_")), [])
  })

  test("without a session bus the keychain is not used", async () => {
    const run = await layer(["login", "--from-stdin", "--json"], { input: token, env: { ...keychainEnv, DBUS_SESSION_BUS_ADDRESS: undefined } })
    assert.equal(jsonOf<{ storage: { kind: string } }>(run).storage.kind, "file")
  })

  test("LAYERON_CREDENTIALS_STORE=file skips it", async () => {
    const run = await layer(["login", "--from-stdin", "--json"], { input: token, env: { ...keychainEnv, LAYERON_CREDENTIALS_STORE: "file" } })
    assert.equal(jsonOf<{ storage: { kind: string } }>(run).storage.kind, "file")
  })
})

/**
 * A stand-in for libsecret's secret-tool: items are files under $FAKE_KEYRING, and every
 * argv is logged so the test can check the token never travels there.
 */
const FAKE_SECRET_TOOL = `#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_KEYRING/argv.log"
command=$1; shift
if [ "$1" = "--label" ]; then shift 2; fi
item="$FAKE_KEYRING/item_$(printf '%s' "$*" | tr ' ' '_')"
case "$command" in
  store) cat > "$item" ;;
  lookup) [ -f "$item" ] || exit 1; cat "$item" ;;
  clear) rm -f "$item" ;;
  *) echo "unknown command $command" >&2; exit 2 ;;
esac
`

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
