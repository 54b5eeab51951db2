/**
 * Credential resolution and storage on real files: which token and account win, how the
 * file is written and repaired, when a keychain counts as present. (The full login flow
 * against the emulator is in test/e2e/login.test.ts.)
 */
import assert from "node:assert/strict"
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { isLayerError } from "../errors.js"
import { SecretText } from "../providers/provider.js"
import { credentialsFilePath, readCredentialsFile } from "./file-store.js"
import { tokenFingerprint } from "./fingerprint.js"
import { detectKeychain } from "./keychain.js"
import { resolveCloudflareCredentials } from "./resolve.js"
import { loadStoredToken, removeCredentials, saveCredentials } from "./storage.js"
import type { StorageContext } from "./storage.js"

const ACCOUNT_A = "a".repeat(32)
const ACCOUNT_B = "b".repeat(32)
const TOKEN = "CANARY_tok_0123456789abcdefghijklmnopqrst"

let base: string
before(async () => {
  base = await mkdtemp(join(tmpdir(), "layeron-credentials-"))
})
after(() => rm(base, { recursive: true, force: true }))

let counter = 0
/** A fresh LAYERON_HOME (not created) with no keychain, and the warnings it produced. */
function context(env: NodeJS.ProcessEnv = {}): StorageContext & { warnings: string[] } {
  const warnings: string[] = []
  return { home: join(base, `home-${counter++}`, "layeron"), env: { PATH: "", ...env }, warn: (message) => warnings.push(message), warnings }
}

async function save(ctx: StorageContext, accountId = ACCOUNT_A): Promise<void> {
  await saveCredentials(ctx, { accountId, tokenKind: "user", apiToken: new SecretText(TOKEN), now: new Date("2026-05-24T00:00:00Z") })
}

describe("saving and loading", () => {
  test("without a keychain the token goes to a 0600 file in a 0700 home, and comes back", async () => {
    const ctx = context()
    const storage = await saveCredentials(ctx, { accountId: ACCOUNT_A, tokenKind: "user", apiToken: new SecretText(TOKEN), now: new Date() })
    assert.deepEqual(storage, { kind: "file", path: credentialsFilePath(ctx.home) })
    assert.equal((await stat(credentialsFilePath(ctx.home))).mode & 0o777, 0o600)
    assert.equal((await stat(ctx.home)).mode & 0o777, 0o700)
    const loaded = await loadStoredToken(ctx)
    assert.equal(loaded?.source, "file")
    assert.equal(loaded?.apiToken.reveal(), TOKEN)
    assert.equal(loaded?.accountId, ACCOUNT_A)
    assert.equal(String(loaded?.apiToken), "[redacted]")
    assert.ok(!JSON.stringify(loaded).includes(TOKEN), "serializing loaded credentials shows no token")
  })

  test("a file and directory open to others are narrowed, with warnings", async () => {
    const ctx = context()
    await save(ctx)
    await chmod(credentialsFilePath(ctx.home), 0o640)
    await chmod(ctx.home, 0o750)
    await loadStoredToken(ctx)
    assert.equal((await stat(credentialsFilePath(ctx.home))).mode & 0o777, 0o600)
    assert.equal((await stat(ctx.home)).mode & 0o777, 0o700)
    assert.equal(ctx.warnings.length, 2)
    assert.match(ctx.warnings.join("\n"), /mode 0640\); it is now 0600/)
    assert.ok(!ctx.warnings.join("").includes(TOKEN))
  })

  test("a damaged or foreign file is refused with the way out, never quoted", async () => {
    const ctx = context()
    await mkdir(ctx.home, { recursive: true })
    for (const content of ["not json", JSON.stringify({ format: "other/v9" }), JSON.stringify({ format: "layeron.credentials/v1", cloudflare: { storage: "file", accountId: ACCOUNT_A, tokenKind: "user" } })]) {
      await writeFile(credentialsFilePath(ctx.home), content, { mode: 0o600 })
      await assert.rejects(readCredentialsFile(ctx.home, ctx.warn), (error: unknown) => isLayerError(error) && error.code === "credentials_corrupt" && /layer logout/.test(error.hint ?? ""))
    }
  })

  test("remove deletes the file and reports it; a second remove reports nothing", async () => {
    const ctx = context()
    await save(ctx)
    assert.deepEqual((await removeCredentials(ctx)).removed, [credentialsFilePath(ctx.home)])
    assert.deepEqual((await removeCredentials(ctx)).removed, [])
    assert.equal(await loadStoredToken(ctx), undefined)
  })
})

describe("resolveCloudflareCredentials", () => {
  const production = (accountId?: string) => ({ name: "production", ...(accountId ? { accountId } : {}) })

  test("no token anywhere: not_logged_in, with how to log in", async () => {
    await assert.rejects(resolveCloudflareCredentials(production(ACCOUNT_A), context()), (error: unknown) => isLayerError(error) && error.code === "not_logged_in" && /layer login/.test(error.hint ?? ""))
  })

  test("CLOUDFLARE_API_TOKEN wins over a stored token", async () => {
    const ctx = context({ CLOUDFLARE_API_TOKEN: " env-token-0123456789 \n" })
    await save(ctx)
    const resolved = await resolveCloudflareCredentials(production(ACCOUNT_A), ctx)
    assert.equal(resolved.source, "env")
    assert.equal(resolved.apiToken.reveal(), "env-token-0123456789")
  })

  test("the account: config, then CLOUDFLARE_ACCOUNT_ID, then the login's", async () => {
    const stored = context()
    await save(stored, ACCOUNT_A)
    assert.deepEqual(pick(await resolveCloudflareCredentials(production(), stored)), [ACCOUNT_A, "login"])
    const withEnv = { ...stored, env: { CLOUDFLARE_ACCOUNT_ID: ACCOUNT_B.toUpperCase() } }
    assert.deepEqual(pick(await resolveCloudflareCredentials(production(), withEnv)), [ACCOUNT_B, "CLOUDFLARE_ACCOUNT_ID"])
    assert.deepEqual(pick(await resolveCloudflareCredentials(production(ACCOUNT_A), withEnv)), [ACCOUNT_A, "config"])
    assert.match(stored.warnings.join("\n"), /CLOUDFLARE_ACCOUNT_ID \("B+"\) differs from environments\.production\.accountId \(a+\); using the config.s/)
  })

  test("a token but no account anywhere: missing_account_id naming the three ways", async () => {
    const ctx = context({ CLOUDFLARE_API_TOKEN: "env-token-0123456789" })
    await assert.rejects(resolveCloudflareCredentials(production(), ctx), (error: unknown) => isLayerError(error) && error.code === "missing_account_id" && /accountId.*CLOUDFLARE_ACCOUNT_ID.*--account-id/.test(error.hint ?? ""))
  })

  test("a malformed account id is named with its source", async () => {
    const ctx = context({ CLOUDFLARE_API_TOKEN: "env-token-0123456789", CLOUDFLARE_ACCOUNT_ID: "acme" })
    await assert.rejects(resolveCloudflareCredentials(production(), ctx), (error: unknown) => isLayerError(error) && error.code === "invalid_account_id" && /CLOUDFLARE_ACCOUNT_ID "acme"/.test(error.message))
  })
})

describe("keychain detection: detected, never assumed", () => {
  let bin: string
  before(async () => {
    bin = join(base, "bin")
    await mkdir(bin)
    await writeFile(join(bin, "secret-tool"), "#!/bin/sh\nexit 0\n", { mode: 0o755 })
    await writeFile(join(bin, "security"), "#!/bin/sh\nexit 0\n", { mode: 0o755 })
  })

  test("Linux: secret-tool on PATH and a session bus are both needed", async () => {
    assert.equal(await detectKeychain({ env: { PATH: "" }, platform: "linux" }), undefined)
    assert.equal(await detectKeychain({ env: { PATH: bin }, platform: "linux" }), undefined, "no session bus (SSH, CI)")
    assert.equal((await detectKeychain({ env: { PATH: bin, DBUS_SESSION_BUS_ADDRESS: "unix:path=/x" }, platform: "linux" }))?.kind, "secret-service")
  })

  test("macOS: the security tool", async () => {
    assert.equal((await detectKeychain({ env: { PATH: bin }, platform: "darwin" }))?.kind, "macos-keychain")
  })

  test("LAYERON_CREDENTIALS_STORE=file turns it off; another value is an error naming the choices", async () => {
    assert.equal(await detectKeychain({ env: { PATH: bin, DBUS_SESSION_BUS_ADDRESS: "unix:path=/x", LAYERON_CREDENTIALS_STORE: "file" }, platform: "linux" }), undefined)
    await assert.rejects(detectKeychain({ env: { LAYERON_CREDENTIALS_STORE: "vault" }, platform: "linux" }), (error: unknown) => isLayerError(error) && /"auto" or "file"/.test(error.message))
  })
})

test("the fingerprint is sha256: and 8 hex digits of the token's SHA-256, as sha256sum prints it", () => {
  // printf '%s' CANARY_tok_0123456789abcdefghijklmnopqrst | sha256sum | cut -c1-8
  assert.equal(tokenFingerprint(new SecretText(TOKEN)), "sha256:e2fd0f3c")
  assert.ok(!tokenFingerprint(new SecretText(TOKEN)).includes(TOKEN))
})

function pick(credentials: { accountId: string; accountIdSource: string }): [string, string] {
  return [credentials.accountId, credentials.accountIdSource]
}
