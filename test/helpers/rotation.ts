/**
 * What rotation tests need to look inside an environment without trusting the code under
 * test: the stored texts (the local store decrypted with the user's key, or the emulator's
 * test-only backdoor), every version opened (sealed ones with the sealing private key read
 * from the store), the state files, and the invariants of docs/design.md#rotation checked on them:
 * - the store and the state agree (same versions, times, and values once unsealed);
 * - no lost version: every value seen as current is still readable unless its policy let
 *   it go (`none` drops the previous current; `retain_for` drops it at its expiry);
 * - no double rotation: a count of versions created per run.
 * Shared by the e2e rotation suites and the reliability suite.
 */
import assert from "node:assert/strict"
import { pollUntil } from "./poll.js"
import { spawnProcess } from "./processes.js"
import type { ChildProcess } from "node:child_process"
import { readFile, readdir } from "node:fs/promises"
import { join } from "node:path"
import { parseStoredValue } from "../../packages/modules/src/envelope/index.js"
import type { Envelope } from "../../packages/modules/src/envelope/index.js"
import { unseal } from "../../packages/modules/src/seal/index.js"
import { createLocalProvider } from "../../packages/cli/src/providers/local/index.js"
import type { SecretState } from "../../packages/cli/src/rotation/types.js"
import { LAYER_BIN, cloudflareConfig } from "./project.js"
import { stateDirOf } from "./temp-project.mjs"
import type { LayerRun, TestProject } from "./project.js"

/** A physical name's stored text, by name. */
/** The default test project's ownership fields (DEFAULT_CONFIG): the local store binds records to them. */
export const TEST_OWNER = { workspace: "acme", project: "shop" }

/** The project's workspace and name as its layeron.config.ts writes them (literal strings), else TEST_OWNER's. */
async function ownerOf(project: TestProject): Promise<{ workspace: string; project: string }> {
  const config = await readFile(join(project.root, "layeron.config.ts"), "utf8").catch(() => "")
  const workspace = /workspace:\s*"([^"]+)"/.exec(config)?.[1]
  const name = /\bname:\s*"([^"]+)"/.exec(config)?.[1]
  return workspace && name ? { workspace, project: name } : TEST_OWNER
}

export type StoredTexts = Map<string, string>

export interface OpenedVersion {
  value: string
  createdAt?: string
  expiresAt?: string
}

export interface OpenedSecret {
  current: string
  versions: Map<string, OpenedVersion>
}

export async function readLocalStore(project: TestProject, environment = "dev"): Promise<StoredTexts> {
  const provider = createLocalProvider({ projectRoot: project.root, environment, home: project.home, owner: await ownerOf(project) })
  const texts = new Map<string, string>()
  for (const [name, text] of await provider.decryptAll()) texts.set(name, text.reveal())
  return texts
}

export function rotationStateDir(project: TestProject, environment = "dev"): string {
  return stateDirOf(project.root, environment)
}

export async function readState(project: TestProject, physicalName: string, environment = "dev"): Promise<SecretState> {
  return JSON.parse(await readFile(join(rotationStateDir(project, environment), `${physicalName}.json`), "utf8")) as SecretState
}

export async function readStates(project: TestProject, environment = "dev"): Promise<Map<string, SecretState>> {
  const dir = rotationStateDir(project, environment)
  const states = new Map<string, SecretState>()
  for (const file of await readdir(dir).catch(() => [] as string[])) {
    if (!file.endsWith(".json") || file === "public-key.json") continue
    states.set(file.slice(0, -5), JSON.parse(await readFile(join(dir, file), "utf8")) as SecretState)
  }
  return states
}

/** The sealing private key as stored: the texts must hold `layeron/sealing-key` (named in public-key.json). */
export async function sealingPrivateKey(project: TestProject, texts: StoredTexts, environment = "dev"): Promise<JsonWebKey> {
  const publicKey = JSON.parse(await readFile(join(rotationStateDir(project, environment), "public-key.json"), "utf8")) as { physicalName: string; pending?: true }
  assert.equal(publicKey.pending, undefined, "public-key.json is still pending")
  const text = texts.get(publicKey.physicalName)
  assert.ok(text, `the sealing key ${publicKey.physicalName} is not in the store`)
  return JSON.parse(text) as JsonWebKey
}

/** Every version of a stored text, sealed ones opened. */
export async function openStored(text: string, physicalName: string, privateKey: JsonWebKey): Promise<OpenedSecret> {
  const { envelope } = parseStoredValue(text)
  return openEnvelope(envelope, physicalName, privateKey)
}

/** Every version the state records, opened (its copies are all sealed). */
export async function openState(state: SecretState, privateKey: JsonWebKey): Promise<OpenedSecret> {
  assert.ok(state.current, `${state.physicalName}: the state has no current version`)
  return openEnvelope({ current: state.current, versions: state.versions }, state.physicalName, privateKey)
}

async function openEnvelope(envelope: Envelope, physicalName: string, privateKey: JsonWebKey): Promise<OpenedSecret> {
  const versions = new Map<string, OpenedVersion>()
  for (const [id, version] of Object.entries(envelope.versions)) {
    const value = version.sealed !== undefined ? await unseal(privateKey, version.sealed, { physicalName, versionId: id }) : version.value!
    versions.set(id, { value, ...(version.createdAt ? { createdAt: version.createdAt } : {}), ...(version.expiresAt ? { expiresAt: version.expiresAt } : {}) })
  }
  return { current: envelope.current, versions }
}

/**
 * The store and the state tell the same story: no pending intent, the same current, the
 * same versions with the same times, and every sealed copy opens to the stored value.
 * A plain stored text (written by `secret set`) counts as v1 with the state's times.
 */
export async function assertStoreMatchesState(physicalName: string, text: string, state: SecretState, privateKey: JsonWebKey): Promise<OpenedSecret> {
  assert.equal(state.pending, undefined, `${physicalName}: a pending intent is left in the state`)
  const stored = await openStored(text, physicalName, privateKey)
  const recorded = await openState(state, privateKey)
  assert.equal(stored.current, recorded.current, `${physicalName}: current differs between store and state`)
  assert.deepEqual([...stored.versions.keys()].sort(), [...recorded.versions.keys()].sort(), `${physicalName}: versions differ between store and state`)
  for (const [id, version] of stored.versions) {
    const copy = recorded.versions.get(id)!
    assert.equal(copy.value, version.value, `${physicalName} ${id}: the sealed copy in the state opens to another value than the store's`)
    if (version.createdAt !== undefined) assert.equal(copy.createdAt, version.createdAt, `${physicalName} ${id}: createdAt differs`)
    assert.equal(copy.expiresAt, version.expiresAt, `${physicalName} ${id}: expiresAt differs`)
  }
  return stored
}

/** A value seen as current at some point, and when it stopped being current (if known). */
export interface Sighting {
  physicalName: string
  version: string
  value: string
}

/** The current version of every given secret in the texts (a rotation test's "what readers saw"). */
export async function sightCurrents(texts: StoredTexts, physicalNames: readonly string[], privateKey: JsonWebKey | undefined): Promise<Sighting[]> {
  const seen: Sighting[] = []
  for (const physicalName of physicalNames) {
    const text = texts.get(physicalName)
    if (text === undefined) continue
    const { envelope } = parseStoredValue(text)
    const current = envelope.versions[envelope.current]!
    // The current version is always plain; no key needed.
    if (current.value !== undefined) seen.push({ physicalName, version: envelope.current, value: current.value })
    else if (privateKey) seen.push({ physicalName, version: envelope.current, value: await unseal(privateKey, current.sealed!, { physicalName, versionId: envelope.current }) })
  }
  return seen
}

/**
 * No lost version: each sighting is still in `final` with the same value, unless the
 * secret's retain mode let it go at `now` (`none`: only the current stays; `retain_for`:
 * gone once expired).
 */
export function assertNothingLost(sightings: readonly Sighting[], finals: ReadonlyMap<string, OpenedSecret>, retainModes: ReadonlyMap<string, "none" | "retain_for" | "retain_forever">, now: Date): void {
  for (const sighting of sightings) {
    const final = finals.get(sighting.physicalName)
    assert.ok(final, `${sighting.physicalName} is gone from the store`)
    const version = final.versions.get(sighting.version)
    const mode = retainModes.get(sighting.physicalName)
    if (!version) {
      const allowed = mode === "none" ? final.current !== sighting.version : mode === "retain_for"
      assert.ok(allowed, `${sighting.physicalName} ${sighting.version} (seen as current) was lost under retain mode ${mode}`)
      continue
    }
    assert.equal(version.value, sighting.value, `${sighting.physicalName} ${sighting.version} now holds another value than the one readers saw`)
    if (mode === "retain_forever") assert.equal(version.expiresAt, undefined, `${sighting.physicalName} ${sighting.version} got an expiry under retain_forever`)
    if (version.expiresAt !== undefined) assert.ok(Date.parse(version.expiresAt) > now.getTime() || final.current !== sighting.version, "an expired version is current")
  }
}

/** N of the current `v<N>`: "exactly one new version" means it went up by one. */
export function currentNumber(secret: OpenedSecret): number {
  const n = /^v(\d+)$/.exec(secret.current)?.[1]
  assert.ok(n, `current ${secret.current} is not a v<N> id`)
  return Number(n)
}

/**
 * Declarations covering every rotation shape: retain_for, retain_forever, none (the
 * default), a generated secret with startAt, and a static one that rotation ignores.
 */
export const ROTATION_API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
export const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
export const encryptionKey = secret.random({ name: "encryption-key", namespace: "storage", bytes: 64, rotation: { everyDays: 90, retain: { mode: "retain_forever" } } })
export const cookieKey = secret.random({ name: "cookie-key", rotation: { everyDays: 7 } })
export const signingKey = secret.generated({ name: "signing-key", namespace: "auth", bytes: 16, rotation: { everyDays: 7, startAt: "2026-01-05T00:00:00Z", retain: { mode: "retain_for", days: 3 } } })
export const stripe = secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" })
app.use(sessionKey)
app.use(encryptionKey)
app.use(cookieKey)
app.use(signingKey)
app.use(stripe)
export default app
`

/** The random secrets of ROTATION_API with a first value of their declared size (base64url). */
export const RANDOM_SEEDS: Readonly<Record<string, string>> = {
  "auth/session-key": "c2Vzc2lvbi1rZXktc2VlZC12YWx1ZS0zMi1ieXRlcyE",
  "storage/encryption-key": "ZW5jcnlwdGlvbi1rZXktc2VlZC12YWx1ZS02NC1ieXRlcy1sb25nLWVub3VnaC10by1maWxsLXRoZS1ibG9jaw",
  "default/cookie-key": "Y29va2llLWtleS1zZWVkLXZhbHVlLTMyLWJ5dGVzLiE",
}

export const RETAIN_MODES: Readonly<Record<string, "none" | "retain_for" | "retain_forever">> = {
  "auth/session-key": "retain_for",
  "storage/encryption-key": "retain_forever",
  "default/cookie-key": "none",
  "auth/signing-key": "retain_for",
}

/** Write the random seeds with `layer secret set`, as of `at` (through LAYERON_TEST_NOW). */
export async function seedRandomSecrets(project: TestProject, at: string, extraEnv: Record<string, string | undefined> = {}, args: readonly string[] = []): Promise<void> {
  for (const [id, value] of Object.entries(RANDOM_SEEDS)) {
    const run = await project.layer(["secret", "set", id, "--value-env", "SEED", ...args], { env: { SEED: value, LAYERON_TEST_NOW: at, ...extraEnv } })
    assert.equal(run.code, 0, `seeding ${id}: ${run.stderr}`)
  }
}

/** Where a rotation test's secrets live, and how to read them back without the CLI. */
export interface RotationTarget {
  project: TestProject
  /** `--env` for every run. */
  environment: string
  /** Extra environment for every run (the emulator's URL and token for Cloudflare). */
  env: Record<string, string | undefined>
  /** Every stored text of the environment, by physical name. */
  readTexts(): Promise<StoredTexts>
}

export function localTarget(project: TestProject, environment = "dev"): RotationTarget {
  return { project, environment, env: {}, readTexts: () => readLocalStore(project, environment) }
}

/** The built CLI in a child process that the caller may kill at any moment. */
export function startLayer(target: RotationTarget, args: readonly string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<LayerRun> } {
  const { child, done } = spawnProcess(process.execPath, [LAYER_BIN, ...args, "--env", target.environment], { cwd: target.project.root, env: target.project.env({ ...target.env, ...env }) })
  return { child, done }
}

export function layerOn(target: RotationTarget, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<LayerRun> {
  return startLayer(target, args, env).done
}

/**
 * How a crash cycle stops the first run: at a named step (LAYERON_TEST_CRASH_AT), or by SIGKILL
 * `afterMs` after the batch's first write-ahead intent appears (polled), so that the instant
 * falls among the writes whatever the machine's start-up time.
 */
export type Crash = { step: string } | { afterMs: number }

export interface CrashCycleResult {
  /** How the crashing run ended: "SIGKILL", or its exit code when it finished before the kill. */
  crashed: string
  /** Secrets whose new version was in the store when the run died. */
  landedBeforeCrash: number
  /** Pending intents the killed run left for the recovery to settle. */
  pendingLeft: number
}

/**
 * One crash and recovery at `at` (LAYERON_TEST_NOW), every rotating secret due:
 * run `rotate --apply` and stop it by `crash`, look at what readers would see, rerun to
 * completion, and check docs/design.md#rotation's promises: the store and the state agree, no value seen
 * as current is lost (unless its retain mode let it go), each secret got exactly one new
 * version, and a further plan finds nothing due.
 */
export async function crashCycle(target: RotationTarget, at: string, crash: Crash, extraArgs: readonly string[] = []): Promise<CrashCycleResult> {
  const plan = await layerOn(target, ["secret", "rotate", "--json"], { LAYERON_TEST_NOW: at })
  assert.equal(plan.code, 2, `everything should be due at ${at}: ${plan.stdout}${plan.stderr}`)
  const rows = (JSON.parse(plan.stdout) as { secrets: { namespace: string; name: string; physicalName: string; status: string; policy: { retain: { mode: "none" | "retain_for" | "retain_forever" } } }[] }).secrets
  const names = rows.map((row) => row.physicalName)
  const modes = new Map(rows.map((row) => [row.physicalName, row.policy.retain.mode]))
  const before = await target.readTexts()
  const key = before.size > 0 ? await sealingPrivateKey(target.project, before, target.environment).catch(() => undefined) : undefined
  const sightings = await sightCurrents(before, names, key)
  const startNumbers = new Map<string, number>()
  for (const sighting of sightings) startNumbers.set(sighting.physicalName, Number(sighting.version.slice(1)))

  const args = ["secret", "rotate", "--apply", "--yes", "--concurrency", "1", ...extraArgs]
  let crashed: string
  if ("step" in crash) {
    const run = await layerOn(target, args, { LAYERON_TEST_NOW: at, LAYERON_TEST_CRASH_AT: crash.step })
    crashed = run.signal ?? String(run.code)
  } else {
    const { child, done } = startLayer(target, args, { LAYERON_TEST_NOW: at })
    let ended = false
    void done.then(() => (ended = true))
    const anyIntent = async () => [...(await readStates(target.project, target.environment).catch(() => new Map<string, SecretState>())).values()].some((state) => state.pending)
    await pollUntil(async () => ended || (await anyIntent()), { timeoutMs: 60_000, intervalMs: 5, what: "the batch's first write-ahead intent" })
    const timer = setTimeout(() => child.kill("SIGKILL"), crash.afterMs)
    const run = await done
    clearTimeout(timer)
    crashed = run.signal ?? String(run.code)
  }
  const between = await target.readTexts()
  const keyBetween = await sealingPrivateKey(target.project, between, target.environment).catch(() => key)
  const seenBetween = await sightCurrents(between, names, keyBetween)
  sightings.push(...seenBetween)
  const landedBeforeCrash = seenBetween.filter((seen) => Number(seen.version.slice(1)) > (startNumbers.get(seen.physicalName) ?? 0)).length
  const pendingLeft = [...(await readStates(target.project, target.environment)).values()].filter((state) => state.pending).length

  const recovery = await layerOn(target, ["secret", "rotate", "--apply", "--yes", "--json"], { LAYERON_TEST_NOW: at })
  assert.equal(recovery.code, 0, `the recovery run failed: ${recovery.stdout}${recovery.stderr}`)
  const finalTexts = await target.readTexts()
  const finalKey = await sealingPrivateKey(target.project, finalTexts, target.environment)
  const states = await readStates(target.project, target.environment)
  const finals = new Map<string, OpenedSecret>()
  for (const name of names) {
    const state = states.get(name)
    assert.ok(state, `${name}: no state after recovery`)
    finals.set(name, await assertStoreMatchesState(name, finalTexts.get(name)!, state, finalKey))
    assert.equal(currentNumber(finals.get(name)!), (startNumbers.get(name) ?? 0) + 1, `${name}: not exactly one new version (crash ${JSON.stringify(crash)})`)
    assert.equal(finals.get(name)!.versions.get(finals.get(name)!.current)!.createdAt, new Date(at).toISOString(), `${name}: the new version is not from this run`)
    const rotations = state.log.filter((entry) => entry.action === "rotate" && entry.at === new Date(at).toISOString())
    assert.equal(rotations.length, 1, `${name}: ${rotations.length} rotations logged for this run`)
  }
  assertNothingLost(sightings, finals, modes, new Date(at))
  const after = await layerOn(target, ["secret", "rotate", "--json"], { LAYERON_TEST_NOW: at })
  assert.equal(after.code, 0, `a plan after recovery still finds work: ${after.stdout}`)
  return { crashed, landedBeforeCrash, pendingLeft }
}

/** The emulator's side of a Cloudflare environment: the config, the credentials in the environment, and a backdoor reader. */
export { cloudflareConfig }

export interface EmulatorHandle {
  readonly url: string
  readonly accounts: readonly { id: string; stores: readonly { id: string; secrets: readonly { name: string }[] }[] }[]
  getSecretValue(accountId: string, storeId: string, name: string): string | undefined
}

export function emulatorTarget(project: TestProject, emulator: EmulatorHandle, accountId: string, token: string, env: Record<string, string | undefined> = {}): RotationTarget {
  return {
    project,
    environment: "production",
    env: { CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token, LAYERON_MAX_RETRY_WAIT_MS: "300", ...env },
    async readTexts() {
      const texts: StoredTexts = new Map()
      const account = emulator.accounts.find((entry) => entry.id === accountId)
      for (const store of account?.stores ?? []) {
        for (const { name } of store.secrets) {
          const value = emulator.getSecretValue(accountId, store.id, name)
          if (value !== undefined) texts.set(name, value)
        }
      }
      return texts
    },
  }
}

/** `--env` of a target, for `seedRandomSecrets`. */
export function envArgs(target: RotationTarget): string[] {
  return ["--env", target.environment]
}
