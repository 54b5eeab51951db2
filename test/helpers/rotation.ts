/**
 * What rotation tests need to look inside an environment without trusting the code under
 * test: the stored texts (the local store decrypted with the user's key, or the emulator's
 * test-only backdoor), every version opened (sealed ones with the sealing private key read
 * from the store), the state files, and the invariants of DESIGN §7 checked on them:
 * - the store and the state agree (same versions, times, and values once unsealed);
 * - no lost version: every value seen as current is still readable unless its policy let
 *   it go (`none` drops the previous current; `retain_for` drops it at its expiry);
 * - no double rotation: a count of versions created per run.
 * Shared by the e2e rotation suites and the reliability suite.
 */
import assert from "node:assert/strict"
import { readFile, readdir } from "node:fs/promises"
import { join } from "node:path"
import { parseStoredValue } from "../../packages/modules/src/envelope/index.js"
import type { Envelope } from "../../packages/modules/src/envelope/index.js"
import { unseal } from "../../packages/modules/src/seal/index.js"
import { createLocalProvider } from "../../packages/cli/src/providers/local/index.js"
import type { SecretState } from "../../packages/cli/src/rotation/types.js"
import type { TestProject } from "./project.js"

/** A physical name's stored text, by name. */
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
  const provider = createLocalProvider({ projectRoot: project.root, environment, home: project.home })
  const texts = new Map<string, string>()
  for (const [name, text] of await provider.decryptAll()) texts.set(name, text.reveal())
  return texts
}

export function rotationStateDir(project: TestProject, environment = "dev"): string {
  return join(project.root, ".layeron", "secret-rotation", environment)
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
