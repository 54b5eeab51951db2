/**
 * `layer secret rotate --env production` against Cloudflare (the emulator): the requests a
 * rotation costs, faults in the middle of a batch (some rotated, some not, a rerun completes
 * the rest), a write that landed although the client gave up on it, writes by others
 * detected through `modified`, and a batch paced under the API rate limit.
 */
import assert from "node:assert/strict"
import { cp } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { createProject, jsonOf } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { addEmulatorAccount } from "../helpers/emulator-project.js"
import {
  ROTATION_API,
  RANDOM_SEEDS,
  assertStoreMatchesState,
  cloudflareConfig,
  emulatorTarget,
  envArgs,
  layerOn,
  openStored,
  readStates,
  sealingPrivateKey,
  seedRandomSecrets,
} from "../helpers/rotation.js"
import type { RotationTarget } from "../helpers/rotation.js"
import type { RotateDocument } from "../../packages/cli/src/rotation/report.js"

const T0 = "2026-01-01T00:00:00.000Z"
const DAY = 86_400_000
const daysAfter = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString()

interface Fixture {
  emulator: Emulator
  accountId: string
  token: string
  project: TestProject
  target: RotationTarget
}

async function start(options: Parameters<typeof startEmulator>[0] = {}, env: Record<string, string> = {}): Promise<Fixture> {
  const emulator = await startEmulator({ pendingDelayMs: 0, ...options })
  const { accountId, token } = addEmulatorAccount(emulator)
  const project = await createProject({ "layeron.config.ts": cloudflareConfig(accountId), "src/api.ts": ROTATION_API })
  const target = emulatorTarget(project, emulator, accountId, token, env)
  try {
    // Seeding is setup, not the case under test: the CLI's default timeouts, so a loaded machine cannot fail it.
    await seedRandomSecrets(project, T0, { ...target.env, LAYERON_REQUEST_TIMEOUT_MS: undefined, LAYERON_MAX_RETRY_WAIT_MS: undefined }, envArgs(target))
  } catch (error) {
    // The caller never gets the fixture to stop: close it here, or the open emulator keeps the file's process alive.
    await stop({ emulator, project } as Fixture)
    throw error
  }
  return { emulator, accountId, token, project, target }
}

async function stop(fx: Fixture | undefined): Promise<void> {
  await fx?.project.cleanup()
  await fx?.emulator.close()
}

async function rotate(fx: Fixture, args: string[], at: string, env: Record<string, string> = {}): Promise<{ run: LayerRun; doc: RotateDocument }> {
  const run = await layerOn(fx.target, ["secret", "rotate", "--json", ...args], { LAYERON_TEST_NOW: at, ...env })
  for (const value of Object.values(RANDOM_SEEDS)) assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), "a value in the output")
  assert.ok(!run.stdout.includes(fx.token) && !run.stderr.includes(fx.token), "the token in the output")
  return { run, doc: jsonOf<RotateDocument>(run) }
}

const statuses = (doc: RotateDocument) => Object.fromEntries(doc.secrets.map((row) => [`${row.namespace}/${row.name}`, row.status]))

/** The store and the state agree for every rotating secret; returns their current version ids. */
async function consistent(fx: Fixture): Promise<Record<string, string>> {
  const texts = await fx.target.readTexts()
  const key = await sealingPrivateKey(fx.project, texts, "production")
  const currents: Record<string, string> = {}
  for (const [name, state] of await readStates(fx.project, "production")) {
    currents[state.secret] = (await assertStoreMatchesState(name, texts.get(name)!, state, key)).current
  }
  return currents
}

/** The emulator's id of a secret, for faults aimed at its PATCH. */
function secretId(fx: Fixture, physicalName: string): string {
  const secret = fx.emulator.accounts.find((a) => a.id === fx.accountId)!.stores[0]!.secrets.find((s) => s.name === physicalName)
  assert.ok(secret, physicalName)
  return secret.id
}

describe("rotation on Cloudflare: the requests it costs", () => {
  let fx: Fixture
  before(async () => {
    fx = await start()
  })
  after(() => stop(fx))

  it("a plan is one listing; each rotation is a fresh lookup and one PATCH", async () => {
    fx.emulator.resetRequestLog()
    const { run: plan, doc } = await rotate(fx, [], daysAfter(100))
    assert.equal(plan.code, 2, plan.stderr)
    assert.deepEqual(statuses(doc), { "auth/session-key": "due", "storage/encryption-key": "due", "default/cookie-key": "due", "auth/signing-key": "due" })
    assert.deepEqual(fx.emulator.requests.map((r) => r.method), ["GET"], "one listing page")

    fx.emulator.resetRequestLog()
    const { run, doc: applied } = await rotate(fx, ["--apply", "--yes", "--debug"], daysAfter(100))
    assert.equal(run.code, 0, run.stderr)
    assert.equal(applied.summary.rotated, 4)
    assert.match(run.stderr, /^debug: cloudflare PATCH \/accounts\/.+ -> 200/m)
    // No value (old, new or the sealing key) and no token in any output, --debug included.
    const texts = await fx.target.readTexts()
    const key = await sealingPrivateKey(fx.project, texts, "production")
    for (const [name, text] of texts) {
      const values = doc.secrets.some((row) => row.physicalName === name) ? [...(await openStored(text, name, key)).versions.values()].map((v) => v.value) : [text]
      for (const value of values) assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), `a value of ${name} in the output`)
    }
    const methods = fx.emulator.requests.map((r) => r.method)
    // One listing, one fresh lookup per rotation (the `modified` its intent records); the
    // provider writes a secret it has just found without looking it up again. signing-key is
    // new: not found, so the provider looks once more before its create (a POST).
    assert.deepEqual([methods.filter((m) => m === "GET").length, methods.filter((m) => m === "PATCH").length, methods.filter((m) => m === "POST").length], [1 + 4 + 1, 3, 1])
    assert.deepEqual(await consistent(fx), { "auth/session-key": "v2", "storage/encryption-key": "v2", "default/cookie-key": "v2", "auth/signing-key": "v1" })
  })
})

describe("rotation on Cloudflare: failures in the middle of a batch", () => {
  let fx: Fixture
  before(async () => {
    // A short retry budget makes the 503s fail fast; the request timeout stays the default, so a
    // slow machine's healthy requests are not failed too (the faults here are 503s, not delays).
    fx = await start({}, { LAYERON_MAX_RETRY_WAIT_MS: "100" })
  })
  after(() => stop(fx))

  it("Cloudflare failing for two secrets: the other two rotate, exit 1 with what failed; a rerun completes the rest", async () => {
    const plan = (await rotate(fx, [], daysAfter(100))).doc
    const name = (id: string) => plan.secrets.find((row) => `${row.namespace}/${row.name}` === id)!.physicalName
    for (const id of ["auth/session-key", "default/cookie-key"]) {
      fx.emulator.setFault({ kind: "server_error", status: 503, method: "PATCH", path: `/accounts/*/secrets_store/stores/*/secrets/${secretId(fx, name(id))}` })
    }
    const { run, doc } = await rotate(fx, ["--apply", "--yes"], daysAfter(100))
    assert.equal(run.code, 1, "part of the batch failed")
    assert.deepEqual(statuses(doc), { "auth/session-key": "failed", "storage/encryption-key": "rotated", "default/cookie-key": "failed", "auth/signing-key": "rotated" })
    const failed = doc.secrets.find((row) => row.name === "session-key")!
    assert.equal(failed.error?.code, "cloudflare_unavailable")
    assert.match(failed.error?.message ?? "", /Cloudflare kept failing on PATCH .+ \(last answer HTTP 503/)
    assert.equal(doc.summary.failed, 2)
    // The failed writes' intents stay for the next run to settle (they might have landed).
    const states = await readStates(fx.project, "production")
    assert.ok(states.get(name("auth/session-key"))?.pending)
    assert.equal(states.get(name("storage/encryption-key"))?.pending, undefined)
    const human = await layerOn(fx.target, ["secret", "rotate", "--at", daysAfter(100)], { LAYERON_TEST_NOW: daysAfter(100) })
    assert.match(human.stdout, /^auth\/session-key\s+due\s/m, "not landed: still due")

    fx.emulator.clearFaults()
    const rerun = await rotate(fx, ["--apply", "--yes"], daysAfter(100))
    assert.equal(rerun.run.code, 0, rerun.run.stderr)
    assert.deepEqual(statuses(rerun.doc), { "auth/session-key": "rotated", "storage/encryption-key": "not_due", "default/cookie-key": "rotated", "auth/signing-key": "not_due" })
    assert.deepEqual(await consistent(fx), { "auth/session-key": "v2", "storage/encryption-key": "v2", "default/cookie-key": "v2", "auth/signing-key": "v1" })
  })
})

describe("rotation on Cloudflare: writes by others", () => {
  let fx: Fixture
  let teammate: TestProject
  before(async () => {
    fx = await start()
    teammate = await createProject({ "layeron.config.ts": cloudflareConfig(fx.accountId), "src/api.ts": ROTATION_API })
  })
  after(async () => {
    await teammate.cleanup()
    await stop(fx)
  })

  it("another checkout's `secret set` and a direct API write are conflicts, found by `modified`", async () => {
    // The teammate pulled the committed state (public key included), then writes the secret.
    await cp(join(fx.project.root, ".layeron", "secret-rotation"), join(teammate.root, ".layeron", "secret-rotation"), { recursive: true })
    const set = await teammate.layer(["secret", "set", "auth/session-key", "--value-env", "V", "--env", "production"], { env: { ...fx.target.env, V: RANDOM_SEEDS["auth/session-key"]! } })
    assert.equal(set.code, 0, set.stderr)
    const { run, doc } = await rotate(fx, [], daysAfter(100))
    assert.equal(run.code, 1)
    const row = doc.secrets.find((r) => r.name === "session-key")!
    assert.deepEqual([row.status, row.conflicts], ["conflict", ["modified_elsewhere"]])

    // A write straight through the API (the dashboard, wrangler, a script).
    const encryption = doc.secrets.find((r) => r.name === "encryption-key")!.physicalName
    const store = fx.emulator.accounts.find((a) => a.id === fx.accountId)!.stores[0]!
    const response = await fetch(`${fx.emulator.url}/accounts/${fx.accountId}/secrets_store/stores/${store.id}/secrets/${secretId(fx, encryption)}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${fx.token}`, "content-type": "application/json" },
      body: JSON.stringify({ value: "written-by-someone-else" }),
    })
    assert.equal(response.status, 200)
    const after = (await rotate(fx, [], daysAfter(100))).doc
    assert.deepEqual(after.secrets.filter((r) => r.status === "conflict").map((r) => r.name).sort(), ["encryption-key", "session-key"])
    const refused = await rotate(fx, ["--apply", "--yes"], daysAfter(100)).catch(() => undefined)
    assert.equal(refused?.run.code, 1)
  })

  it("--discard-history rotates them now; afterwards the store and this checkout's state agree again", async () => {
    const { run, doc } = await rotate(fx, ["--apply", "--yes", "--discard-history"], daysAfter(100))
    assert.equal(run.code, 0, run.stderr)
    assert.equal(doc.secrets.find((r) => r.name === "session-key")?.reason, "history_discarded")
    const currents = await consistent(fx)
    assert.equal(currents["storage/encryption-key"], "v2")
    const texts = await fx.target.readTexts()
    assert.ok(![...texts.values()].some((text) => text.includes("written-by-someone-else")), "the foreign value is not carried")
  })
})

describe("rotation on Cloudflare: paced under the API rate limit", () => {
  let fx: Fixture
  before(async () => {
    // Seeding runs unlimited (three separate `secret set` processes cannot pace each other); then
    // Cloudflare's rule at small numbers: more than 8 requests in 2 s blocks the token for a minute.
    fx = await start({}, { LAYERON_API_RATE_LIMIT: "6/2" })
    fx.emulator.setRateLimit({ requests: 8, windowMs: 2_000, blockMs: 60_000 })
  })
  after(() => stop(fx))

  it("a batch needing more requests than the limit allows is paced, never blocked", async () => {
    fx.emulator.resetRequestLog()
    const { run, doc } = await rotate(fx, ["--apply", "--yes", "--concurrency", "4"], daysAfter(100))
    assert.equal(run.code, 0, run.stderr)
    assert.equal(doc.summary.rotated, 4)
    assert.ok(fx.emulator.requests.length > 8, `${fx.emulator.requests.length} requests`)
    assert.deepEqual(fx.emulator.requests.filter((r) => r.status !== 200).map((r) => `${r.method} ${r.status} ${r.faults.join(",")}`), [])
  })
})
