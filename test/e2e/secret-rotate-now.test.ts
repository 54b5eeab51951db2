/**
 * A key's bad day, end to end on the local provider and on Cloudflare (the emulator):
 * `layer secret rotate NAME --now` rotates only the named secret (random bytes, generated
 * bytes, a key pair whose next key is promoted), `layer secret versions` lists every version
 * newest first with its state, and `layer secret revoke` removes a version from the store,
 * the state and the anchor. Every refusal (the current version, an unknown version, a static
 * secret's only version, an unknown or static NAME, no terminal, a tampered state) exits 1
 * with nothing written: the store's texts and every state file byte-identical.
 */
import assert from "node:assert/strict"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { createProject, jsonOf } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { addEmulatorAccount } from "../helpers/emulator-project.js"
import {
  RANDOM_SEEDS,
  assertStoreMatchesState,
  cloudflareConfig,
  emulatorTarget,
  envArgs,
  layerOn,
  localTarget,
  readStates,
  rotationStateDir,
  sealingPrivateKey,
  seedRandomSecrets,
} from "../helpers/rotation.js"
import type { RotationTarget } from "../helpers/rotation.js"
import type { RotateDocument } from "../../packages/cli/src/rotation/report.js"
import type { SecretVersionsDocument } from "../../packages/cli/src/commands/secret-versions.js"
import type { SecretRevokeDocument } from "../../packages/cli/src/commands/secret-revoke.js"

/** ROTATION_API plus a rotating ES256 key pair. */
export const INCIDENT_API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
export const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
export const encryptionKey = secret.random({ name: "encryption-key", namespace: "storage", bytes: 64, rotation: { everyDays: 90, retain: { mode: "retain_forever" } } })
export const cookieKey = secret.random({ name: "cookie-key", rotation: { everyDays: 7 } })
export const signingKey = secret.generated({ name: "signing-key", namespace: "auth", bytes: 16, rotation: { everyDays: 7, startAt: "2026-01-05T00:00:00Z", retain: { mode: "retain_for", days: 3 } } })
export const tokenKey = secret.generated({ name: "token-key", namespace: "auth", generate: "ES256", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
export const stripe = secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" })
app.use(sessionKey)
app.use(encryptionKey)
app.use(cookieKey)
app.use(signingKey)
app.use(tokenKey)
app.use(stripe)
export default app
`

const T0 = "2026-01-01T00:00:00.000Z"
const DAY = 86_400_000
const daysAfter = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString()
const STATIC_VALUE = "sk_test_incident_static_value_0001"

interface Fixture {
  project: TestProject
  target: RotationTarget
  /** Every value the test wrote or saw: none may reach an output. */
  values: Set<string>
  names: Map<string, string>
  /** Cloudflare only: a write straight through the API (the dashboard, wrangler), value only: the comment stays. */
  foreignWrite?: (physicalName: string, value: string) => Promise<void>
  cleanup(): Promise<void>
}

async function localFixture(): Promise<Fixture> {
  const project = await createProject({ "src/api.ts": INCIDENT_API })
  return prepare(project, localTarget(project), async () => project.cleanup())
}

async function emulatorFixture(): Promise<Fixture> {
  const emulator: Emulator = await startEmulator({ pendingDelayMs: 0 })
  const { accountId, token } = addEmulatorAccount(emulator)
  const project = await createProject({ "layeron.config.ts": cloudflareConfig(accountId), "src/api.ts": INCIDENT_API })
  const target = emulatorTarget(project, emulator, accountId, token, { LAYERON_MAX_RETRY_WAIT_MS: "2000" })
  const fx = await prepare(project, target, async () => {
    await project.cleanup()
    await emulator.close()
  })
  fx.foreignWrite = async (physicalName, value) => {
    const store = emulator.accounts.find((account) => account.id === accountId)!.stores[0]!
    const id = store.secrets.find((secret) => secret.name === physicalName)!.id
    const response = await fetch(`${emulator.url}/accounts/${accountId}/secrets_store/stores/${store.id}/secrets/${id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ value }),
    })
    assert.equal(response.status, 200)
  }
  return fx
}

/** Seed the random secrets and the static one, then one scheduled apply: every rotating secret holds a value. */
async function prepare(project: TestProject, target: RotationTarget, cleanup: () => Promise<void>): Promise<Fixture> {
  const fx: Fixture = { project, target, values: new Set(Object.values(RANDOM_SEEDS)), names: new Map(), cleanup }
  try {
    await seedRandomSecrets(project, T0, target.env, envArgs(target))
    const set = await layerOn(target, ["secret", "set", "payments/stripe", "--value-env", "V"], { V: STATIC_VALUE, LAYERON_TEST_NOW: T0 })
    assert.equal(set.code, 0, set.stderr)
    fx.values.add(STATIC_VALUE)
    const applied = await rotate(fx, ["--apply", "--yes"], T0)
    assert.equal(applied.run.code, 0, applied.run.stderr)
    for (const row of applied.doc.secrets) fx.names.set(`${row.namespace}/${row.name}`, row.physicalName)
  } catch (error) {
    await cleanup()
    throw error
  }
  return fx
}

async function layer(fx: Fixture, args: string[], env: Record<string, string | undefined> = {}): Promise<LayerRun> {
  const run = await layerOn(fx.target, args, env)
  for (const value of fx.values) assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), `a value appeared in the output of layer ${args.join(" ")}`)
  return run
}

async function rotate(fx: Fixture, args: string[], at: string): Promise<{ run: LayerRun; doc: RotateDocument }> {
  const run = await layer(fx, ["secret", "rotate", "--json", ...args], { LAYERON_TEST_NOW: at })
  return { run, doc: jsonOf<RotateDocument>(run) }
}

async function versions(fx: Fixture, name: string, at: string): Promise<SecretVersionsDocument> {
  const run = await layer(fx, ["secret", "versions", name, "--json"], { LAYERON_TEST_NOW: at })
  assert.equal(run.code, 0, run.stderr)
  return jsonOf<SecretVersionsDocument>(run)
}

/** The store's texts and every state file, to prove a refusal wrote nothing. */
async function everything(fx: Fixture): Promise<{ texts: Map<string, string>; states: Map<string, string> }> {
  const texts = await fx.target.readTexts()
  const states = new Map<string, string>()
  for (const physicalName of (await readStates(fx.project, fx.target.environment)).keys()) {
    states.set(physicalName, await readFile(join(rotationStateDir(fx.project, fx.target.environment), `${physicalName}.json`), "utf8"))
  }
  return { texts, states }
}

/** Open a secret in the store and check it against its state; remember its values (never to be printed). */
async function openChecked(fx: Fixture, id: string) {
  const texts = await fx.target.readTexts()
  const key = await sealingPrivateKey(fx.project, texts, fx.target.environment)
  const name = fx.names.get(id)!
  const states = await readStates(fx.project, fx.target.environment)
  const opened = await assertStoreMatchesState(name, texts.get(name)!, states.get(name)!, key)
  for (const version of opened.versions.values()) fx.values.add(version.value)
  return { opened, state: states.get(name)!, text: texts.get(name)! }
}

async function refused(fx: Fixture, args: string[], code: string, message: RegExp, env: Record<string, string | undefined> = {}): Promise<LayerRun> {
  const before = await everything(fx)
  const run = await layer(fx, [...args, "--json"], { LAYERON_TEST_NOW: daysAfter(3), ...env })
  assert.equal(run.code, 1, `${args.join(" ")}: ${run.stdout}${run.stderr}`)
  const error = (JSON.parse(run.stdout) as { error: { code: string; message: string; hint?: string } }).error
  assert.equal(error.code, code, error.message)
  assert.match(error.message, message)
  // A NAME that resolves to nothing stops before any write is in view; every other refusal says so.
  if (code !== "unknown_secret") assert.match(error.message, /nothing was written/i)
  assert.deepEqual(await everything(fx), before, `${args.join(" ")} wrote something`)
  return run
}

for (const [label, make] of [
  ["the local provider", localFixture],
  ["Cloudflare (the emulator)", emulatorFixture],
] as const) {
  describe(`a key's bad day on ${label}`, () => {
    let fx: Fixture
    before(async () => {
      fx = await make()
    })
    after(async () => {
      await fx?.cleanup()
    })

    it("versions lists each secret's versions newest first, with its state and times", async () => {
      const session = await versions(fx, "auth/session-key", daysAfter(1))
      const sessionFingerprint = session.versions[0]?.fingerprint
      assert.deepEqual(session, {
        environment: fx.target.environment,
        name: "auth/session-key",
        physicalName: fx.names.get("auth/session-key"),
        versions: [{ id: "v1", state: "current", createdAt: T0, expiresAt: null, fingerprint: sessionFingerprint }],
      })
      // v1 was written by `secret set` (seedRandomSecrets), which records its value's digest: the first 8 hex are the fingerprint set printed.
      assert.match(sessionFingerprint ?? "", /^[0-9a-f]{8}$/)
      const token = await versions(fx, "auth/token-key", daysAfter(1))
      assert.deepEqual(
        token.versions.map((version) => [version.id, version.state, version.createdAt]),
        [
          ["v2", "next", null],
          ["v1", "current", T0],
        ],
      )
      assert.match(token.versions[1]!.fingerprint ?? "", /^[0-9a-f]{8}$/, "the rotation recorded the new value's fingerprint")
      const human = await layer(fx, ["secret", "versions", "auth/token-key"], { LAYERON_TEST_NOW: daysAfter(1) })
      assert.match(human.stdout, /^v2\s+next\s+-\s+-\s+[0-9a-f]{8}$/m)
      assert.match(human.stdout, /^v1\s+current\s+2026-01-01T00:00:00Z\s+-\s+[0-9a-f]{8}$/m)
    })

    it("rotate NAME --now plans only that secret as due (exit 2), and --apply --yes rotates only it", async () => {
      const plan = await rotate(fx, ["auth/session-key", "--now"], daysAfter(2))
      assert.equal(plan.run.code, 2, plan.run.stderr)
      assert.deepEqual(
        plan.doc.secrets.map((row) => [`${row.namespace}/${row.name}`, row.status, row.reason]),
        [["auth/session-key", "due", "forced"]],
      )
      assert.deepEqual(plan.doc.secrets[0]!.versionStates, [
        { id: "v2", state: "current" },
        { id: "v1", state: "retained" },
      ])
      const human = await layer(fx, ["secret", "rotate", "auth/session-key", "--now"], { LAYERON_TEST_NOW: daysAfter(2) })
      assert.match(human.stdout, /v2 \(current, new\), v1 until 2026-01-17T00:00:00Z/)
      assert.match(human.stdout, /`layer secret rotate auth\/session-key --env \S+ --now --apply` writes them/)

      const before = await everything(fx)
      const applied = await rotate(fx, ["auth/session-key", "--now", "--apply", "--yes"], daysAfter(2))
      assert.equal(applied.run.code, 0, applied.run.stderr)
      assert.deepEqual(applied.doc.secrets.map((row) => [row.name, row.status]), [["session-key", "rotated"]])
      const after = await everything(fx)
      const session = fx.names.get("auth/session-key")!
      for (const [name, text] of before.texts) if (name !== session) assert.equal(after.texts.get(name), text, `${name} was written although only auth/session-key was named`)
      for (const [name, text] of before.states) if (name !== session) assert.equal(after.states.get(name), text, `the state of ${name} changed`)
      const { opened, state } = await openChecked(fx, "auth/session-key")
      assert.equal(opened.current, "v2")
      assert.equal(opened.versions.get("v1")!.value, RANDOM_SEEDS["auth/session-key"], "the old value stays readable (retained)")
      assert.equal(opened.versions.get("v1")!.expiresAt, daysAfter(16))
      assert.equal(state.log.at(-1)!.command, `layer secret rotate auth/session-key --env ${fx.target.environment} --apply --now`)

      // The scheduled plan afterwards: nothing else changed its schedule.
      const listed = await versions(fx, "auth/session-key", daysAfter(2))
      assert.deepEqual(
        listed.versions.map((version) => [version.id, version.state, version.createdAt, version.expiresAt]),
        [
          ["v2", "current", daysAfter(2), null],
          ["v1", "retained", T0, daysAfter(16)],
        ],
      )
      assert.match(listed.versions[0]!.fingerprint ?? "", /^[0-9a-f]{8}$/)
    })

    it("rotate a key pair --now: the published next key is promoted and a new next key published", async () => {
      const before = await openChecked(fx, "auth/token-key")
      const next = before.opened.versions.get("v2")!.value
      const plan = await layer(fx, ["secret", "rotate", "auth/token-key", "--now"], { LAYERON_TEST_NOW: daysAfter(2) })
      assert.equal(plan.code, 2, plan.stderr)
      assert.match(plan.stdout, /^auth\/token-key\s+due\s.*\sv3 \(next, new\), v2 \(current\), v1 until 2026-01-17T00:00:00Z\s/m)
      const applied = await rotate(fx, ["auth/token-key", "--now", "--apply", "--yes"], daysAfter(2))
      assert.equal(applied.run.code, 0, applied.run.stderr)
      const { opened } = await openChecked(fx, "auth/token-key")
      assert.equal(opened.current, "v2")
      assert.equal(opened.versions.get("v2")!.value, next, "the key published as next is the one that signs now")
      assert.equal(opened.versions.get("v3")!.createdAt, undefined, "the new next key is undated")
      const listed = await versions(fx, "auth/token-key", daysAfter(2))
      assert.deepEqual(
        listed.versions.map((version) => [version.id, version.state]),
        [
          ["v3", "next"],
          ["v2", "current"],
          ["v1", "retained"],
        ],
      )
    })

    it("revoke removes a retained version from the store, the state and the anchor; versions and the plan no longer carry it", async () => {
      const run = await layer(fx, ["secret", "revoke", "auth/session-key", "v1", "--yes", "--json"], { LAYERON_TEST_NOW: daysAfter(3) })
      assert.equal(run.code, 0, run.stderr)
      const doc = jsonOf<SecretRevokeDocument>(run)
      assert.deepEqual([doc.revoked, doc.alreadyRevoked, doc.versions.map((version) => version.id)], [["v1"], [], ["v2"]])
      const { opened, state, text } = await openChecked(fx, "auth/session-key")
      assert.deepEqual([...opened.versions.keys()], ["v2"])
      assert.ok(!text.includes(RANDOM_SEEDS["auth/session-key"]!), "the revoked value is gone from the store")
      assert.equal(state.log.at(-1)!.action, "revoke")
      assert.deepEqual(state.log.at(-1)!.revoked, ["v1"])
      const listed = await versions(fx, "auth/session-key", daysAfter(3))
      assert.deepEqual(listed.versions.map((version) => version.id), ["v2"])
      const plan = await rotate(fx, ["auth/session-key", "--now"], daysAfter(4))
      assert.deepEqual(plan.doc.secrets[0]!.versionStates?.map((version) => version.id), ["v3", "v2"])
      assert.deepEqual(plan.doc.secrets[0]!.versions, { kept: ["v2"], expiring: [{ id: "v2", expiresAt: daysAfter(18) }], dropped: [], added: ["v3"] })
      // A rerun of the same revoke has nothing to do, and says so.
      const again = await layer(fx, ["secret", "revoke", "auth/session-key", "v1", "--yes", "--json"], { LAYERON_TEST_NOW: daysAfter(3) })
      assert.equal(again.code, 0, again.stderr)
      assert.deepEqual(jsonOf<SecretRevokeDocument>(again).alreadyRevoked.map((entry) => entry.id), ["v1"])
      // A later scheduled rotation carries what is left, from the sealed current.
      const scheduled = await rotate(fx, ["auth/session-key", "--apply", "--yes"], daysAfter(40))
      assert.equal(scheduled.run.code, 0, scheduled.run.stderr)
      const rotated = await openChecked(fx, "auth/session-key")
      assert.deepEqual([...rotated.opened.versions.keys()].sort(), ["v2", "v3"])
    })

    it("revoke of a key pair's retained key leaves the current and next keys", async () => {
      const run = await layer(fx, ["secret", "revoke", "auth/token-key", "v1", "--yes"], { LAYERON_TEST_NOW: daysAfter(3) })
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stdout, /revoked v1 of auth\/token-key/)
      const { opened } = await openChecked(fx, "auth/token-key")
      assert.deepEqual([opened.current, [...opened.versions.keys()].sort()], ["v2", ["v2", "v3"]])
    })

    it("refuses bad input with exit 1 and nothing written", async () => {
      const current = (await versions(fx, "auth/session-key", daysAfter(3))).versions.find((version) => version.state === "current")!.id
      const currentRun = await refused(fx, ["secret", "revoke", "auth/session-key", current, "--yes"], "current_version", new RegExp(`${current} is the current version of auth/session-key`))
      assert.match(currentRun.stdout, /layer secret rotate auth\/session-key --env \S+ --now --apply --yes/)
      await refused(fx, ["secret", "revoke", "auth/session-key", "v9", "--yes"], "unknown_version", /auth\/session-key has no version "v9"; it holds/)
      await refused(fx, ["secret", "revoke", "STRIPE_SECRET", "v1", "--yes"], "current_version", /payments\/stripe is a static secret holding one value \(v1\)/)
      const typo = await refused(fx, ["secret", "rotate", "auth/sesion-key", "--now", "--apply", "--yes"], "unknown_secret", /no declared secret "auth\/sesion-key" in \S+; did you mean auth\/session-key\?/)
      assert.doesNotMatch(typo.stdout, /value-env/)
      await refused(fx, ["secret", "rotate", "payments/stripe", "--now", "--apply", "--yes"], "not_rotatable", /payments\/stripe .* is a static secret/)
      const staticRun = await refused(fx, ["secret", "rotate", "STRIPE_SECRET", "--now"], "not_rotatable", /static secret/)
      assert.match(staticRun.stdout, /layer secret set payments\/stripe/)
      await refused(fx, ["secret", "revoke", "auth/token-key", "v3"], "confirmation_required", /needs confirmation, and stdin is not a terminal/)
      const unknown = await layer(fx, ["secret", "versions", "auth/sesion-key", "--json"])
      assert.equal(unknown.code, 1)
      assert.match(unknown.stdout, /"code":\s*"unknown_secret".*did you mean auth\/session-key\?/s)
    })

    it("a state file tampered with before a revoke is refused by the anchor, nothing written", async () => {
      const name = fx.names.get("storage/encryption-key")!
      const rotated = await rotate(fx, ["storage/encryption-key", "--now", "--apply", "--yes"], daysAfter(5))
      assert.equal(rotated.run.code, 0, rotated.run.stderr)
      const path = join(rotationStateDir(fx.project, fx.target.environment), `${name}.json`)
      const original = await readFile(path, "utf8")
      const tampered = JSON.parse(original) as { versions: Record<string, { createdAt?: string }> }
      tampered.versions.v1!.createdAt = "2025-12-01T00:00:00.000Z"
      await writeFile(path, JSON.stringify(tampered, null, 2) + "\n")
      try {
        await refused(fx, ["secret", "revoke", "storage/encryption-key", "v1", "--yes"], "state_anchor_mismatch", /does not match what the store anchored/)
      } finally {
        await writeFile(path, original)
      }
      const ok = await layer(fx, ["secret", "revoke", "storage/encryption-key", "v1", "--yes"], { LAYERON_TEST_NOW: daysAfter(5) })
      assert.equal(ok.code, 0, ok.stderr)
      const { opened } = await openChecked(fx, "storage/encryption-key")
      assert.deepEqual([...opened.versions.keys()], ["v2"])
    })

    it("at a terminal, revoke shows what goes and asks: no writes nothing, yes revokes (a key pair's next key)", async (t) => {
      if (fx.target.environment !== "dev") return t.skip("the terminal case runs on the local provider")
      const before = await everything(fx)
      const no = await layerInPty(fx.project, ["secret", "revoke", "auth/token-key", "v3"], [{ expect: "[y/N]", send: "n\r" }], { LAYERON_TEST_NOW: daysAfter(6) })
      assert.equal(no.exitCode, 1, no.output)
      assert.match(no.output, /revoking v3 removes it from every reader at once/)
      assert.match(no.output, /Revoke v3 of auth\/token-key in dev\? \[y\/N\]/)
      assert.match(no.output, /nothing was revoked: it was not confirmed/)
      assert.deepEqual(await everything(fx), before)
      const yes = await layerInPty(fx.project, ["secret", "revoke", "auth/token-key", "v3"], [{ expect: "[y/N]", send: "y\r" }], { LAYERON_TEST_NOW: daysAfter(6) })
      assert.equal(yes.exitCode, 0, yes.output)
      assert.match(yes.output, /revoked v3 of auth\/token-key/)
      assert.deepEqual((await versions(fx, "auth/token-key", daysAfter(6))).versions.map((version) => [version.id, version.state]), [["v2", "current"]])
    })

    it("a revoke after a write outside this state (value only, the anchor untouched) is a conflict: the old sealed copies never overwrite it", async (t) => {
      if (!fx.foreignWrite) return t.skip("a direct API write needs Cloudflare (the emulator)")
      const name = fx.names.get("auth/signing-key")!
      const rotated = await rotate(fx, ["auth/signing-key", "--now", "--apply", "--yes"], daysAfter(6))
      assert.equal(rotated.run.code, 0, rotated.run.stderr)
      const foreign = "written-through-the-api-not-by-layer"
      fx.values.add(foreign)
      await fx.foreignWrite(name, foreign)
      await refused(fx, ["secret", "revoke", "auth/signing-key", "v1", "--yes"], "rotation_conflict", /auth\/signing-key .* was written outside this state/)
      assert.equal((await fx.target.readTexts()).get(name), foreign, "the foreign value is still what the store holds")
    })
  })
}
