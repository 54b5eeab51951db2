/**
 * A team and its CI, with real git and the Cloudflare emulator: a bare repository as origin,
 * the owner's checkout, a CI clone that rotates `production` on a schedule and pushes the
 * state back, a developer's clone that pulls it, a stale clone refused without writing, two
 * clones rotating at once (one wins, the other refuses, nothing lost), and a teammate's fresh
 * clone with its own LAYERON_HOME whose `dev` is its own. Also the local environment's side:
 * an old committed local state moved once, and a lost LAYERON_HOME reset explicitly.
 */
import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { access, mkdir, readFile, readdir, rename, rm, symlink, writeFile } from "node:fs/promises"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import { after, before, describe, it } from "node:test"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { REPO_ROOT, createProject, jsonOf, listFiles, runLayer, sha256 } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"
import { assertStoreMatchesState, cloudflareConfig, openStored, sealingPrivateKey } from "../helpers/rotation.js"
import type { StoredTexts } from "../helpers/rotation.js"
import type { SecretState } from "../../packages/cli/src/rotation/types.js"

const run = promisify(execFile)

const TEAM_API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
export const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
export const encryptionKey = secret.random({ name: "encryption-key", namespace: "storage", rotation: { everyDays: 30, retain: { mode: "retain_forever" } } })
app.use(sessionKey)
app.use(encryptionKey)
app.get("/", (c) => c.text("ok"))
export default app
`

/** What the team's .gitignore keeps local (what `layer init` writes; node_modules is a symlink here, so no slash). */
const GITIGNORE = ".layeron/local/\n.layeron/locks/\n.layeron/deploy/\nnode_modules\n"

const T0 = "2026-06-01T00:00:00.000Z"
const DAY = 86_400_000
const daysAfter = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString()
const SHARED = join(".layeron", "secret-rotation", "production")

interface Checkout {
  name: string
  root: string
  /** This checkout's own LAYERON_HOME (each machine has one). */
  home: string
  layer(args: string[], at: string, extra?: Record<string, string>): Promise<LayerRun>
  git(...args: string[]): Promise<string>
}

describe("a team and its CI", () => {
  let emulator: Emulator
  let accountId: string
  let token: string
  let owner: TestProject
  let origin: string
  const clones: Checkout[] = []

  const gitEnv = (home: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Layeron Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Layeron Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
  })
  const git = async (cwd: string, home: string, ...args: string[]): Promise<string> => (await run("git", ["-c", "init.defaultBranch=main", ...args], { cwd, env: gitEnv(home) })).stdout
  const cloudEnv = () => ({ CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token, LAYERON_MAX_RETRY_WAIT_MS: "300" })

  async function clone(name: string): Promise<Checkout> {
    const root = join(owner.base, name)
    const home = join(owner.base, `${name}-home`, "layeron")
    await mkdir(join(owner.base, `${name}-user`), { recursive: true })
    await git(owner.base, join(owner.base, "user"), "clone", "--quiet", origin, root)
    await symlink(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir")
    const env = (at: string, extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(owner.base, `${name}-user`), LAYERON_HOME: home, LAYERON_TEST_NOW: at, ...cloudEnv(), ...extra })
    const checkout: Checkout = {
      name,
      root,
      home,
      layer: (args, at, extra) => runLayer(args, { cwd: root, env: env(at, extra) }),
      git: (...args) => git(root, join(owner.base, `${name}-user`), ...args),
    }
    clones.push(checkout)
    return checkout
  }

  /** The stored texts of production, read through the emulator's test-only door. */
  function storedTexts(): StoredTexts {
    const texts: StoredTexts = new Map()
    const store = emulator.accounts.find((a) => a.id === accountId)!.stores[0]!
    for (const { name } of store.secrets) {
      const value = emulator.getSecretValue(accountId, store.id, name)
      if (value !== undefined) texts.set(name, value)
    }
    return texts
  }
  const storeModified = () => Object.fromEntries(emulator.accounts.find((a) => a.id === accountId)!.stores[0]!.secrets.map((s) => [s.name, s.modified]))

  async function stateBytes(root: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const file of await listFiles(join(root, ".layeron"))) out[relative(root, file)] = sha256(await readFile(file))
    return out
  }

  /** Every state file of production agrees with the store, and each secret's versions open. */
  async function consistentWith(root: string): Promise<Record<string, string[]>> {
    const texts = storedTexts()
    const key = await sealingPrivateKey({ root } as TestProject, texts, "production")
    const versions: Record<string, string[]> = {}
    for (const file of await readdir(join(root, SHARED))) {
      if (file === "public-key.json") continue
      const state = JSON.parse(await readFile(join(root, SHARED, file), "utf8")) as SecretState
      const opened = await assertStoreMatchesState(state.physicalName, texts.get(state.physicalName)!, state, key)
      versions[state.secret] = [...opened.versions.keys()]
    }
    return versions
  }

  const rotated = (doc: { secrets: { namespace: string; name: string; status: string }[] }) =>
    doc.secrets.filter((s) => s.status === "rotated").map((s) => `${s.namespace}/${s.name}`).sort()

  before(async () => {
    emulator = await startEmulator({ pendingDelayMs: 0 })
    accountId = emulator.addAccount({ name: "Acme", withDefaultStore: true }).id
    token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
    owner = await createProject({ "layeron.config.ts": cloudflareConfig(accountId), "src/api.ts": TEAM_API, ".gitignore": GITIGNORE })
    origin = join(owner.base, "origin.git")
    await git(owner.base, join(owner.base, "user"), "init", "--quiet", "--bare", origin)

    // The owner deploys both environments, then commits what the README says to commit.
    const env = { ...cloudEnv(), LAYERON_TEST_NOW: T0 }
    for (const args of [["deploy", "--env", "production", "--yes"], ["deploy", "--env", "dev"]]) {
      const deployed = await owner.layer(args, { env })
      assert.equal(deployed.code, 0, deployed.stderr)
    }
    const ownerGit = (...args: string[]) => git(owner.root, join(owner.base, "user"), ...args)
    await ownerGit("init", "--quiet")
    await ownerGit("add", "-A")
    await ownerGit("commit", "--quiet", "-m", "shop: first deploy")
    await ownerGit("remote", "add", "origin", origin)
    await ownerGit("push", "--quiet", "origin", "main")
  })

  after(async () => {
    await owner?.cleanup()
    await emulator?.close()
  })

  it("commits the shared state and nothing local", async () => {
    const tracked = (await git(owner.root, join(owner.base, "user"), "ls-files")).split("\n").filter(Boolean)
    assert.ok(tracked.some((path) => path.startsWith(".layeron/secret-rotation/production/")), tracked.join(", "))
    assert.deepEqual(tracked.filter((path) => path.startsWith(".layeron/") && !path.startsWith(".layeron/secret-rotation/production/")), [])
  })

  it("CI rotates on schedule and pushes the state; a developer pulls and sees nothing due, no conflict; a stale clone is refused without writing", async () => {
    const developer = await clone("developer")
    const stale = await clone("stale-ci")
    const ci = await clone("ci")
    const at = daysAfter(31)

    // The CI job: a plan as a gate (2: something is due), then --apply, then commit what changed.
    const gate = await ci.layer(["secret", "rotate", "--env", "production", "--json"], at)
    assert.equal(gate.code, 2, gate.stderr)
    const applied = await ci.layer(["secret", "rotate", "--env", "production", "--apply", "--yes", "--json"], at)
    assert.equal(applied.code, 0, applied.stderr)
    const doc = jsonOf<{ secrets: { namespace: string; name: string; status: string }[]; changedFiles: string[] }>(applied)
    assert.deepEqual(rotated(doc), ["auth/session-key", "storage/encryption-key"])
    assert.equal(doc.changedFiles.length, 2)
    assert.ok(doc.changedFiles.every((file) => file.startsWith(".layeron/secret-rotation/production/lo_")), doc.changedFiles.join(", "))
    assert.deepEqual((await ci.git("status", "--porcelain")).split("\n").filter(Boolean).map((line) => line.slice(3)).sort(), [...doc.changedFiles].sort())
    await ci.git("add", "--", ...doc.changedFiles)
    await ci.git("commit", "--quiet", "-m", `layeron: rotate production (${rotated(doc).join(", ")})`)
    await ci.git("push", "--quiet", "origin", "main")

    // The developer pulls: a fast-forward, and the plan has nothing to do.
    await developer.git("pull", "--quiet", "--ff-only")
    const plan = await developer.layer(["secret", "rotate", "--env", "production", "--json"], daysAfter(32))
    assert.equal(plan.code, 0, plan.stderr)
    assert.deepEqual(jsonOf<{ secrets: { status: string }[] }>(plan).secrets.map((s) => s.status), ["not_due", "not_due"])
    assert.deepEqual(await consistentWith(developer.root), { "auth/session-key": ["v1", "v2"], "storage/encryption-key": ["v1", "v2"] })

    // A second CI run from a clone that did not pull: refused, nothing written anywhere.
    const before = { state: await stateBytes(stale.root), store: storeModified() }
    const refusedPlan = await stale.layer(["secret", "rotate", "--env", "production", "--json"], at)
    assert.equal(refusedPlan.code, 1, refusedPlan.stderr)
    const stalePlan = jsonOf<{ secrets: { status: string; conflicts?: string[]; hint?: string }[] }>(refusedPlan)
    assert.deepEqual(stalePlan.secrets.map((s) => [s.status, s.conflicts]), [["conflict", ["modified_elsewhere"]], ["conflict", ["modified_elsewhere"]]])
    assert.match(stalePlan.secrets[0]!.hint!, /this checkout's state is behind: `git pull`/)
    const refusedApply = await stale.layer(["secret", "rotate", "--env", "production", "--apply", "--yes", "--json"], at)
    assert.equal(refusedApply.code, 1)
    const error = jsonOf<{ error: { code: string; hint: string } }>(refusedApply).error
    assert.equal(error.code, "rotation_conflict")
    assert.match(error.hint, /`git pull` and run again/)
    assert.deepEqual({ state: await stateBytes(stale.root), store: storeModified() }, before)
    await stale.git("pull", "--quiet", "--ff-only")
    assert.equal((await stale.layer(["secret", "rotate", "--env", "production"], at)).code, 0)
  })

  it("two clones rotating at once: one wins, the other refuses, nothing lost", async () => {
    const a = await clone("clone-a")
    const b = await clone("clone-b")
    const at = daysAfter(62)
    const gateFile = join(owner.base, "a-may-answer")
    const beforeA = await stateBytes(a.root)

    // A has planned and waits at its confirmation; meanwhile B rotates everything.
    const pending = layerInPty(
      { root: a.root, env: (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, HOME: join(owner.base, "clone-a-user"), LAYERON_HOME: a.home, LAYERON_TEST_NOW: at, ...cloudEnv(), ...extra }) } as unknown as TestProject,
      ["secret", "rotate", "--env", "production", "--apply"],
      [{ expect: "[y/N]", send: "y\r", gate: gateFile }],
    )
    await until(async () => access(`${gateFile}.reached`).then(() => true))
    const winner = await b.layer(["secret", "rotate", "--env", "production", "--apply", "--yes", "--json"], at)
    assert.equal(winner.code, 0, winner.stderr)
    assert.deepEqual(rotated(jsonOf(winner)), ["auth/session-key", "storage/encryption-key"])
    const storeAfterB = storeModified()
    await writeFile(gateFile, "")
    const loser = await pending
    assert.equal(loser.exitCode, 1, loser.output)
    assert.match(loser.output, /was written by someone else since the plan/)
    assert.deepEqual(storeModified(), storeAfterB, "the refused run wrote to the store")
    assert.deepEqual(await stateBytes(a.root), beforeA, "the refused run changed its state")

    // B pushes; A pulls without a conflict and agrees with the store: v3 current, nothing lost.
    const changed = jsonOf<{ changedFiles: string[] }>(winner).changedFiles
    await b.git("pull", "--quiet", "--ff-only")
    await b.git("add", "--", ...changed)
    await b.git("commit", "--quiet", "-m", "layeron: rotate production")
    await b.git("push", "--quiet", "origin", "main")
    await a.git("pull", "--quiet", "--ff-only")
    assert.equal((await a.layer(["secret", "rotate", "--env", "production"], at)).code, 0)
    const versions = await consistentWith(a.root)
    // retain_for 14 days: v1 expired and was dropped at the second rotation; retain_forever keeps all.
    assert.deepEqual(versions, { "auth/session-key": ["v2", "v3"], "storage/encryption-key": ["v1", "v2", "v3"] })
    const key = await sealingPrivateKey({ root: a.root } as TestProject, storedTexts(), "production")
    const state = JSON.parse(await readFile(join(a.root, SHARED, changed[0]!.split("/").pop()!), "utf8")) as SecretState
    assert.equal((await openStored(storedTexts().get(state.physicalName)!, state.physicalName, key)).current, "v3")
  })

  it("a teammate's fresh clone with its own LAYERON_HOME gets its own dev: deploy, list, no conflict, no file deleted", async () => {
    // An older CLI committed dev's state under .layeron/secret-rotation/dev/: simulate it.
    const ownerGit = (...args: string[]) => git(owner.root, join(owner.base, "user"), ...args)
    await ownerGit("pull", "--quiet", "--ff-only", "origin", "main")
    await rename(join(owner.root, ".layeron", "local", "dev", "rotation"), join(owner.root, ".layeron", "secret-rotation", "dev"))
    await ownerGit("add", "-A")
    await ownerGit("commit", "--quiet", "-m", "old layout: dev state committed")
    await ownerGit("push", "--quiet", "origin", "main")

    const teammate = await clone("teammate")
    const tracked = (await teammate.git("ls-files")).split("\n").filter(Boolean).sort()
    const deployed = await teammate.layer(["deploy", "--env", "dev", "--json"], daysAfter(63))
    assert.equal(deployed.code, 0, deployed.stderr)
    assert.deepEqual(
      jsonOf<{ nodes: { kind: string; status: string }[] }>(deployed).nodes.filter((n) => n.kind === "secret" || n.kind === "sealing_key").map((n) => n.status),
      ["created", "created", "created"],
    )
    const list = await teammate.layer(["secret", "list", "--env", "dev", "--json"], daysAfter(63))
    assert.equal(list.code, 0, list.stderr)
    assert.ok(jsonOf<{ secrets: { status: string }[] }>(list).secrets.every((s) => s.status === "present"))
    const plan = await teammate.layer(["secret", "rotate", "--env", "dev"], daysAfter(63))
    assert.equal(plan.code, 0, plan.stdout + plan.stderr)
    assert.equal(await teammate.git("status", "--porcelain"), "", "the teammate's checkout changed a tracked file")
    assert.deepEqual((await teammate.git("ls-files")).split("\n").filter(Boolean).sort(), tracked)
    await access(join(teammate.root, ".layeron", "local", "dev", "rotation", "public-key.json"))

    // The owner's own checkout moves its old committed dev state next to its store, once.
    const ownerRun = (args: string[]) => owner.layer(args, { env: { ...cloudEnv(), LAYERON_TEST_NOW: daysAfter(63) } })
    const movedFrom = join(owner.root, ".layeron", "secret-rotation", "dev")
    const bytesBefore = Object.fromEntries(await Promise.all((await readdir(movedFrom)).map(async (f) => [f, sha256(await readFile(join(movedFrom, f)))])))
    const first = await ownerRun(["secret", "list", "--env", "dev"])
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stderr, /warning: moved the rotation state of local environment "dev" from \.layeron\/secret-rotation\/dev\/ to \.layeron\/local\/dev\/rotation\/.*git rm -r --cached/s)
    const movedTo = join(owner.root, ".layeron", "local", "dev", "rotation")
    assert.deepEqual(Object.fromEntries(await Promise.all((await readdir(movedTo)).map(async (f) => [f, sha256(await readFile(join(movedTo, f)))]))), bytesBefore)
    await assert.rejects(access(movedFrom))
    // Its history came along: deployed at T0, both secrets are simply due (no conflict, no missing state).
    const second = await ownerRun(["secret", "rotate", "--env", "dev", "--json"])
    assert.equal(second.code, 2, second.stderr)
    assert.deepEqual(jsonOf<{ secrets: { status: string }[] }>(second).secrets.map((s) => s.status), ["due", "due"])
    assert.doesNotMatch(second.stderr, /moved the rotation state/)
  })

  it("a lost LAYERON_HOME: a clear refusal with nothing written, then one explicit reset", async () => {
    const laptop = await clone("new-laptop")
    assert.equal((await laptop.layer(["deploy", "--env", "dev"], daysAfter(64))).code, 0)
    await rm(laptop.home, { recursive: true, force: true })
    const before = await stateBytes(laptop.root)
    const set = await laptop.layer(["secret", "set", "auth/session-key", "--value-env", "V", "--env", "dev", "--json"], daysAfter(64), { V: "c2Vzc2lvbi1rZXktc2VlZC12YWx1ZS0zMi1ieXRlcyE" })
    assert.equal(set.code, 1)
    const error = jsonOf<{ error: { code: string; message: string; hint: string } }>(set).error
    assert.equal(error.code, "local_store_key_lost")
    assert.match(error.message, /the local store of "dev" \(.+\.layeron\/local\/dev, 3 secrets\) was encrypted with a key this LAYERON_HOME does not have: there is no key at .+local-store\.key/)
    assert.match(error.hint, /`layer secret reset-local --env dev` \(it deletes this environment's local values, its sealing key and its rotation history/)
    assert.doesNotMatch(error.hint, /layer secret set/)
    assert.deepEqual(await stateBytes(laptop.root), before)
    await assert.rejects(access(join(laptop.home, "local-store.key")), "a new key was created although the command refused")

    const production = await laptop.layer(["secret", "reset-local", "--env", "production", "--yes", "--json"], daysAfter(64))
    assert.equal(jsonOf<{ error: { code: string } }>(production).error.code, "not_a_local_environment")
    const reset = await laptop.layer(["secret", "reset-local", "--env", "dev", "--yes", "--json"], daysAfter(64))
    assert.equal(reset.code, 0, reset.stderr)
    assert.deepEqual(jsonOf<{ removed: unknown }>(reset).removed, { secrets: 3, stateFiles: 2 })
    assert.equal((await laptop.layer(["deploy", "--env", "dev"], daysAfter(64))).code, 0)
    const list = await laptop.layer(["secret", "list", "--env", "dev", "--json"], daysAfter(64))
    assert.ok(jsonOf<{ secrets: { status: string }[] }>(list).secrets.every((s) => s.status === "present"))
    assert.equal(await laptop.git("status", "--porcelain"), "")
  })
})

async function until(probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the first rotation to reach its confirmation")
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
