/**
 * Rotation state files: written atomically with a stable key order, read back as written,
 * and any hand edit that breaks a rule refused with the file's path and the broken rule.
 */
import assert from "node:assert/strict"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { generateSealingKeyPair, seal } from "@layeron/modules/seal"
import { isLayerError } from "../errors.js"
import { secretStatePath } from "./paths.js"
import { parseSecretState, readSecretState, writeSecretState } from "./state-file.js"
import { STATE_FORMAT } from "./types.js"
import type { SecretState } from "./types.js"

const NAME = "lo_0123456789abcdef01234567"
let root: string
let valid: SecretState

before(async () => {
  root = await mkdtemp(join(tmpdir(), "layeron-state-"))
  const { publicKey } = await generateSealingKeyPair()
  const sealed = (versionId: string) => seal(publicKey, "c2VjcmV0", { physicalName: NAME, versionId })
  valid = {
    format: STATE_FORMAT,
    secret: "auth/session-key",
    physicalName: NAME,
    kind: "random",
    policy: { everyDays: 30, retain: { mode: "retain_for", days: 14 } },
    provider: { kind: "local", secretId: "abc", modified: "2026-01-01T00:00:00.000Z" },
    current: "v2",
    versions: {
      v10: { sealed: await sealed("v10"), createdAt: "2025-01-01T00:00:00.000Z", expiresAt: "2025-02-01T00:00:00.000Z" },
      v2: { sealed: await sealed("v2"), createdAt: "2026-01-01T00:00:00.000Z" },
    },
    log: [{ at: "2026-01-01T00:00:00.000Z", action: "rotate", version: "v2", command: "layer secret rotate --env dev --apply" }],
  }
})
after(() => rm(root, { recursive: true, force: true }))

describe("state files", () => {
  test("written atomically (no temp file left), versions in id order, read back equal", async () => {
    await writeSecretState(root, "dev", valid)
    const path = secretStatePath(root, "dev", NAME)
    assert.deepEqual(await readdir(join(root, ".layeron", "secret-rotation", "dev")), [`${NAME}.json`])
    const text = await readFile(path, "utf8")
    assert.ok(text.indexOf('"v2"') < text.indexOf('"v10"'), "v2 before v10")
    assert.ok(text.endsWith("}\n"))
    assert.deepEqual(await readSecretState(root, "dev", NAME), valid)
    assert.equal(await readSecretState(root, "dev", "lo_ffffffffffffffffffffffff"), undefined, "no file: no state")
  })

  const edits: Array<[string, (state: Record<string, any>) => unknown, RegExp]> = [
    ["not JSON", () => "{", /not valid JSON/],
    ["an array", () => [], /not a JSON object/],
    ["another format", (s) => ({ ...s, format: "layeron.secret-rotation/v9" }), /"format" must be "layeron\.secret-rotation\/v1"/],
    ["another secret's file", (s) => ({ ...s, physicalName: "lo_ffffffffffffffffffffffff" }), /"physicalName" must be "lo_0123456789abcdef01234567" \(the file's name\)/],
    ["an unknown kind", (s) => ({ ...s, kind: "magic" }), /"kind" must be static, random or generated/],
    ["a plaintext value", (s) => ({ ...s, versions: { ...s.versions, v2: { value: "c2VjcmV0" } } }), /versions\.v2 holds a plaintext "value"; state files hold sealed copies only/],
    ["a damaged sealed copy", (s) => ({ ...s, versions: { ...s.versions, v2: { sealed: "ls1.nope" } } }), /versions\.v2\.sealed is not a sealed value/],
    ["a bad version id", (s) => ({ ...s, versions: { ...s.versions, "v 3": s.versions.v2 } }), /version id "v 3" must match/],
    ["a bad time", (s) => ({ ...s, versions: { ...s.versions, v2: { ...s.versions.v2, createdAt: "yesterday" } } }), /versions\.v2\.createdAt is not an RFC 3339 time/],
    ["current not among the versions", (s) => ({ ...s, current: "v7" }), /"current" must name one of "versions"/],
    ["a policy below one day", (s) => ({ ...s, policy: { everyDays: 0, retain: { mode: "none" } } }), /"policy\.everyDays" must be a whole number of days/],
    ["an unknown retain mode", (s) => ({ ...s, policy: { everyDays: 30, retain: { mode: "keep" } } }), /"policy\.retain\.mode" must be none, retain_for or retain_forever/],
    ["retain_for without days", (s) => ({ ...s, policy: { everyDays: 30, retain: { mode: "retain_for" } } }), /"policy\.retain\.days" must be a whole number of days/],
    ["an unknown provider", (s) => ({ ...s, provider: { kind: "vault" } }), /"provider\.kind" must be local or cloudflare/],
    ["a numeric modified", (s) => ({ ...s, provider: { ...s.provider, modified: 5 } }), /"provider\.modified" must be a string/],
    ["a log that is not a list", (s) => ({ ...s, log: {} }), /"log" must be an array/],
    ["a log entry without a time", (s) => ({ ...s, log: [{ action: "rotate", version: "v2", command: "x" }] }), /log\[0\]\.at is not an RFC 3339 time/],
    ["a pending intent without versions", (s) => ({ ...s, pending: { action: "rotate", versionId: "v3", current: "v3", command: "x", startedAt: "2026-01-01T00:00:00Z" } }), /"pending\.versions" must be an object/],
    ["a pending intent whose current is not among its versions", (s) => ({ ...s, pending: { action: "rotate", versionId: "v3", current: "v3", command: "x", startedAt: "2026-01-01T00:00:00Z", versions: s.versions } }), /"pending\.current" must name one of "pending\.versions"/],
    ["a pending intent with a plaintext", (s) => ({ ...s, pending: { action: "rotate", versionId: "v2", current: "v2", command: "x", startedAt: "2026-01-01T00:00:00Z", versions: { v2: { value: "x" } } } }), /pending\.versions\.v2 holds a plaintext "value"/],
  ]
  for (const [what, edit, message] of edits) {
    test(`refuses ${what}, naming the file and how to restore it`, () => {
      const path = `/project/.layeron/secret-rotation/dev/${NAME}.json`
      const edited = edit(structuredClone(valid) as unknown as Record<string, any>)
      const text = typeof edited === "string" ? edited : JSON.stringify(edited)
      assert.throws(() => parseSecretState(text, path, NAME), (error) => {
        assert.ok(isLayerError(error))
        assert.equal(error.code, "invalid_state")
        assert.ok(error.message.startsWith(`rotation state ${path} is invalid: `), error.message)
        assert.match(error.message, message)
        assert.match(error.hint ?? "", /restore it from version control \(git checkout -- .+\)/)
        assert.deepEqual(error.details, { file: path })
        assert.doesNotMatch(error.message, /c2VjcmV0/, "no value in the message")
        return true
      })
    })
  }

  test("an unreadable file is refused with its path, not treated as missing", async (t) => {
    const path = secretStatePath(root, "dev", NAME)
    await rm(path, { recursive: true, force: true })
    await writeFile(path, "{}", { mode: 0o000 })
    if (process.getuid?.() === 0) {
      t.skip("running as root, which reads a mode-000 file: the EISDIR case below covers the read failure")
      return
    }
    await assert.rejects(readSecretState(root, "dev", NAME), (error: unknown) => isLayerError(error) && error.code === "state_unreadable" && error.message.includes(path) && /EACCES/.test(error.message))
  })

  test("a state path that cannot be read as a file (a directory) is refused with its path, as any user", async () => {
    const path = secretStatePath(root, "dev", NAME)
    await rm(path, { recursive: true, force: true })
    await mkdir(path)
    await assert.rejects(readSecretState(root, "dev", NAME), (error: unknown) => isLayerError(error) && error.code === "state_unreadable" && error.message.includes(path) && /EISDIR/.test(error.message))
    await rm(path, { recursive: true, force: true })
  })
})
