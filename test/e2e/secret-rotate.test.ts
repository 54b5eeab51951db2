/**
 * `layer secret rotate` end to end on the local provider: the built CLI on a temporary
 * project, its clock pinned with LAYERON_TEST_NOW so that a story of several months runs
 * through the real code paths. After every write the store (decrypted with the user's key)
 * and the rotation state are opened and compared, and no output or file may hold a value.
 */
import assert from "node:assert/strict"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { decodeBase64Url } from "../../packages/modules/src/envelope/index.js"
import { createProject, jsonOf } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"
import {
  ROTATION_API,
  RANDOM_SEEDS,
  assertStoreMatchesState,
  readLocalStore,
  readState,
  readStates,
  rotationStateDir,
  sealingPrivateKey,
  seedRandomSecrets,
} from "../helpers/rotation.js"
import type { OpenedSecret } from "../helpers/rotation.js"
import type { RotateDocument, RotateSecretReport } from "../../packages/cli/src/rotation/report.js"

const IDS = ["auth/session-key", "storage/encryption-key", "default/cookie-key", "auth/signing-key"] as const
type Id = (typeof IDS)[number]

/** Every plaintext ever stored in the test's projects: none may reach an output or a file. */
const plaintexts = new Set<string>(Object.values(RANDOM_SEEDS))

async function layer(project: TestProject, args: string[], env: Record<string, string | undefined> = {}): Promise<LayerRun> {
  const run = await project.layer(args, { env })
  for (const value of plaintexts) {
    assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), `a value appeared in the output of layer ${args.join(" ")}`)
  }
  return run
}

async function rotate(project: TestProject, args: string[], at?: string): Promise<{ run: LayerRun; doc: RotateDocument; rows: Record<Id, RotateSecretReport> }> {
  const run = await layer(project, ["secret", "rotate", "--json", ...args], at ? { LAYERON_TEST_NOW: at } : {})
  const doc = jsonOf<RotateDocument>(run)
  const rows = Object.fromEntries(doc.secrets.map((row) => [`${row.namespace}/${row.name}`, row])) as Record<Id, RotateSecretReport>
  return { run, doc, rows }
}

/** Open every rotating secret in the store, check it against its state, and remember its values. */
async function openAll(project: TestProject, rows: Record<Id, RotateSecretReport>): Promise<Record<Id, OpenedSecret>> {
  const texts = await readLocalStore(project)
  const key = await sealingPrivateKey(project, texts)
  const opened = {} as Record<Id, OpenedSecret>
  for (const id of IDS) {
    const name = rows[id].physicalName
    opened[id] = await assertStoreMatchesState(name, texts.get(name)!, await readState(project, name), key)
    for (const version of opened[id].versions.values()) plaintexts.add(version.value)
  }
  return opened
}

const summary = (rows: Record<Id, RotateSecretReport>) => Object.fromEntries(IDS.map((id) => [id, rows[id].status]))

describe("layer secret rotate on the local provider: months of rotations", () => {
  let project: TestProject
  before(async () => {
    project = await createProject({ "src/api.ts": ROTATION_API })
  })
  after(async () => {
    await project.cleanup()
  })

  it("plans an empty environment: random secrets missing, a generated one due for its first value", async () => {
    const { run, doc, rows } = await rotate(project, ["--at", "2026-01-01T00:00:00Z"])
    assert.equal(run.code, 2, run.stderr)
    assert.equal(doc.environment, "dev")
    assert.equal(doc.at, "2026-01-01T00:00:00.000Z")
    assert.equal(doc.mode, "plan")
    assert.deepEqual(summary(rows), { "auth/session-key": "missing", "storage/encryption-key": "missing", "default/cookie-key": "missing", "auth/signing-key": "due" })
    assert.equal(doc.secrets.length, 4, "the static secret has no rotation and is not in the plan")
    assert.match(rows["auth/session-key"].hint ?? "", /layer deploy/)
    assert.deepEqual([rows["auth/signing-key"].reason, rows["auth/signing-key"].newVersion], ["first_value", "v1"])
    assert.deepEqual(rows["auth/signing-key"].versions, { kept: [], expiring: [], dropped: [], added: ["v1"] })
    assert.match(rows["auth/signing-key"].physicalName, /^lo_[0-9a-f]{24}$/)
    // The policy is `rotation` here as in `secret list --json` (and in the config); `policy` is kept for existing readers.
    const list = jsonOf<{ secrets: { namespace: string; name: string; rotation: unknown }[] }>(await layer(project, ["secret", "list", "--json"]))
    for (const row of doc.secrets) {
      assert.deepEqual(row.rotation, row.policy)
      assert.deepEqual(row.rotation, list.secrets.find((listed) => listed.namespace === row.namespace && listed.name === row.name)?.rotation)
    }
  })

  it("plans after the first values: the next due time of each schedule, exit 2 while something is due", async () => {
    await seedRandomSecrets(project, "2026-01-01T00:00:00Z")
    const { run, rows } = await rotate(project, ["--at", "2026-01-02T00:00:00Z"])
    assert.equal(run.code, 2, run.stderr)
    assert.deepEqual(summary(rows), { "auth/session-key": "not_due", "storage/encryption-key": "not_due", "default/cookie-key": "not_due", "auth/signing-key": "due" })
    assert.deepEqual(
      IDS.slice(0, 3).map((id) => [rows[id].lastRotation, rows[id].nextDue]),
      [
        ["2026-01-01T00:00:00.000Z", "2026-01-31T00:00:00.000Z"],
        ["2026-01-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"],
        ["2026-01-01T00:00:00.000Z", "2026-01-08T00:00:00.000Z"],
      ],
    )
    assert.deepEqual(rows["auth/session-key"].versions, { kept: ["v1"], expiring: [], dropped: [], added: [] })
    // Plain 32-byte value as stored by `secret set`, shown with its size against the limit.
    assert.deepEqual(rows["auth/session-key"].size, { bytes: 129, limit: 65_536, ratio: 129 / 65_536, status: "ok" })
  })

  it("--apply writes the generated secret's first value of its declared size, and nothing else", async () => {
    const { run, doc, rows } = await rotate(project, ["--apply", "--yes"], "2026-01-02T00:00:00Z")
    assert.equal(run.code, 0, run.stderr)
    assert.equal(doc.mode, "apply")
    assert.deepEqual(summary(rows), { "auth/session-key": "not_due", "storage/encryption-key": "not_due", "default/cookie-key": "not_due", "auth/signing-key": "rotated" })
    assert.deepEqual([rows["auth/signing-key"].lastRotation, rows["auth/signing-key"].nextDue], ["2026-01-02T00:00:00.000Z", "2026-01-05T00:00:00.000Z"])
    const opened = await openAll(project, rows)
    const signing = opened["auth/signing-key"]
    assert.equal(signing.current, "v1")
    assert.equal(decodeBase64Url(signing.versions.get("v1")!.value).length, 16)
    assert.deepEqual(doc.summary, { due: 0, not_due: 3, missing: 0, external_value_required: 0, conflict: 0, rotated: 1, failed: 0 })
  })

  it("plans at exact boundaries: due from the instant last + everyDays, and from a startAt slot", async () => {
    const before = await rotate(project, ["--at", "2026-01-04T23:59:59.999Z"])
    assert.equal(before.run.code, 0, "nothing due: exit 0")
    assert.equal(before.rows["auth/signing-key"].nextDue, "2026-01-05T00:00:00.000Z", "first rotation at startAt, not at last + 7 days")
    const atStart = await rotate(project, ["--at", "2026-01-05T00:00:00Z"])
    assert.equal(atStart.rows["auth/signing-key"].status, "due")
    const sessionBefore = await rotate(project, ["--at", "2026-01-30T23:59:59.999Z"])
    assert.equal(sessionBefore.rows["auth/session-key"].status, "not_due")
    const sessionAt = await rotate(project, ["--at", "2026-01-31T00:00:00Z"])
    assert.equal(sessionAt.rows["auth/session-key"].status, "due")
    assert.deepEqual(sessionAt.rows["auth/session-key"].versions, { kept: ["v1"], expiring: [{ id: "v1", expiresAt: "2026-02-14T00:00:00.000Z" }], dropped: [], added: ["v2"] })
    // An offset in --at is the same instant.
    const offset = await rotate(project, ["--at", "2026-01-31T01:00:00+01:00"])
    assert.equal(offset.doc.at, "2026-01-31T00:00:00.000Z")
  })

  it("--apply rotates every due secret by its retain mode: retain_for expires, retain_forever keeps, none drops", async () => {
    const texts = await readLocalStore(project)
    const { rows: planned } = await rotate(project, ["--at", "2026-04-02T00:00:00Z"])
    assert.deepEqual(summary(planned), Object.fromEntries(IDS.map((id) => [id, "due"])))
    assert.deepEqual(planned["default/cookie-key"].versions, { kept: [], expiring: [], dropped: ["v1"], added: ["v2"] })
    assert.deepEqual(planned["storage/encryption-key"].versions, { kept: ["v1"], expiring: [], dropped: [], added: ["v2"] })
    const seen = Object.fromEntries(IDS.map((id) => [id, texts.get(planned[id].physicalName)!]))

    const { run, rows } = await rotate(project, ["--apply", "--yes"], "2026-04-02T00:00:00Z")
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(summary(rows), Object.fromEntries(IDS.map((id) => [id, "rotated"])))
    const opened = await openAll(project, rows)
    for (const id of IDS) {
      assert.equal(opened[id].current, "v2", id)
      assert.equal(opened[id].versions.get("v2")!.createdAt, "2026-04-02T00:00:00.000Z", id)
    }
    // The old current values are the ones readers had (the store's text before), carried sealed.
    assert.equal(opened["auth/session-key"].versions.get("v1")!.value, seen["auth/session-key"])
    assert.equal(opened["auth/session-key"].versions.get("v1")!.expiresAt, "2026-04-16T00:00:00.000Z")
    assert.equal(opened["storage/encryption-key"].versions.get("v1")!.value, seen["storage/encryption-key"])
    assert.equal(opened["storage/encryption-key"].versions.get("v1")!.expiresAt, undefined)
    assert.deepEqual([...opened["default/cookie-key"].versions.keys()], ["v2"])
    assert.equal(opened["auth/signing-key"].versions.get("v1")!.expiresAt, "2026-04-05T00:00:00.000Z")
    // New values: fresh, of the declared sizes.
    const sizes: Record<Id, number> = { "auth/session-key": 32, "storage/encryption-key": 64, "default/cookie-key": 32, "auth/signing-key": 16 }
    for (const id of IDS) {
      const value = opened[id].versions.get("v2")!.value
      assert.equal(decodeBase64Url(value).length, sizes[id], id)
      assert.notEqual(value, opened[id].versions.get("v1")?.value, id)
    }
  })

  it("a later run drops what expired, keeps what has not, and logs every write with its command", async () => {
    const { run, rows } = await rotate(project, ["--apply", "--yes"], "2026-05-03T00:00:00Z")
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(summary(rows), { "auth/session-key": "rotated", "storage/encryption-key": "not_due", "default/cookie-key": "rotated", "auth/signing-key": "rotated" })
    assert.deepEqual(rows["auth/session-key"].versions, { kept: ["v2"], expiring: [{ id: "v2", expiresAt: "2026-05-17T00:00:00.000Z" }], dropped: ["v1"], added: ["v3"] })
    assert.equal(rows["auth/signing-key"].nextDue, "2026-05-04T00:00:00.000Z", "the next startAt slot after the rotation")
    const opened = await openAll(project, rows)
    assert.deepEqual([...opened["auth/session-key"].versions.keys()].sort(), ["v2", "v3"])
    assert.deepEqual([...opened["storage/encryption-key"].versions.keys()].sort(), ["v1", "v2"])
    assert.deepEqual([...opened["auth/signing-key"].versions.keys()].sort(), ["v2", "v3"])

    const state = await readState(project, rows["auth/session-key"].physicalName)
    assert.deepEqual(
      state.log.map((entry) => [entry.at, entry.action, entry.version, entry.command]),
      [
        ["2026-01-01T00:00:00.000Z", "set", "v1", "layer secret set auth/session-key"],
        ["2026-04-02T00:00:00.000Z", "rotate", "v2", "layer secret rotate --env dev --apply"],
        ["2026-05-03T00:00:00.000Z", "rotate", "v3", "layer secret rotate --env dev --apply"],
      ],
    )
    assert.deepEqual(state.policy, { everyDays: 30, retain: { mode: "retain_for", days: 14 } })
    assert.equal(state.provider.kind, "local")
  })

  it("shows people a table, the problems under it and a summary; progress on stderr for a batch", async () => {
    const plan = await layer(project, ["secret", "rotate", "--at", "2026-08-01T00:00:00Z"])
    assert.equal(plan.code, 2)
    const lines = plan.stdout.split("\n")
    assert.equal(lines[0], "rotation plan for dev at 2026-08-01T00:00:00Z")
    assert.match(lines[1] ?? "", /^SECRET\s+STATUS\s+LAST ROTATION\s+NEXT DUE\s+VERSIONS\s+SIZE$/)
    assert.match(plan.stdout, /^auth\/session-key\s+due\s+2026-05-03T00:00:00Z\s+2026-06-02T00:00:00Z\s+v4 \(current, new\), v3 until 2026-08-15T00:00:00Z; drop v2\s+\d+ B \(\d\.\d %\)$/m)
    assert.match(plan.stdout, /^4 due, 0 not due · `layer secret rotate --env dev --apply` writes them$/m)
    assert.equal(plan.stderr, "")

    const applied = await layer(project, ["secret", "rotate", "--apply", "--yes"], { LAYERON_TEST_NOW: "2026-08-01T00:00:00Z" })
    assert.equal(applied.code, 0, applied.stderr)
    assert.match(applied.stdout, /^4 rotated, 0 not due$/m)
    // Not a terminal: one plain line per rotation, in completion order.
    const progress = applied.stderr.trim().split("\n")
    assert.equal(progress.length, 4, applied.stderr)
    for (const line of progress) assert.match(line, /^\[[1-4]\/4\] rotated [a-z/-]+ to v\d$/)
    await openAll(project, (await rotate(project, ["--at", "2026-08-01T00:00:00Z"])).rows)
  })

  it("leaves no plaintext in any file of the project or LAYERON_HOME", async () => {
    for (const value of plaintexts) assert.deepEqual(await project.filesContaining(value), [], "a file holds a value")
    const states = await readStates(project)
    assert.equal(states.size, 4)
    for (const state of states.values()) assert.doesNotMatch(JSON.stringify(state), /"value"/)
  })
})

describe("layer secret rotate: conflicts and policy changes", () => {
  let project: TestProject
  let names: Record<Id, string>
  before(async () => {
    project = await createProject({ "src/api.ts": ROTATION_API })
    await seedRandomSecrets(project, "2026-01-01T00:00:00Z")
    const { run, rows } = await rotate(project, ["--apply", "--yes"], "2026-03-01T00:00:00Z")
    assert.equal(run.code, 0, run.stderr)
    names = Object.fromEntries(IDS.map((id) => [id, rows[id].physicalName])) as Record<Id, string>
  })
  after(async () => {
    await project.cleanup()
  })

  const stateFile = (id: Id) => join(rotationStateDir(project), `${names[id]}.json`)

  it("a write the state did not see (another checkout's `secret set`) is a conflict for secrets that keep history", async () => {
    const stale = await readFile(stateFile("auth/session-key"), "utf8")
    const staleCookie = await readFile(stateFile("default/cookie-key"), "utf8")
    // Another checkout writes both; this checkout's state files stay as they were.
    for (const id of ["auth/session-key", "default/cookie-key"] as const) {
      const set = await layer(project, ["secret", "set", id, "--value-env", "V"], { V: RANDOM_SEEDS[id]!, LAYERON_TEST_NOW: "2026-03-02T00:00:00Z" })
      assert.equal(set.code, 0, set.stderr)
    }
    await writeFile(stateFile("auth/session-key"), stale)
    await writeFile(stateFile("default/cookie-key"), staleCookie)

    const plan = await rotate(project, ["--at", "2026-06-01T00:00:00Z"])
    assert.equal(plan.run.code, 1, "a conflict needs a decision: exit 1, with the plan printed")
    const row = plan.rows["auth/session-key"]
    assert.equal(row.status, "conflict")
    assert.deepEqual(row.conflicts, ["modified_elsewhere"])
    assert.match(row.detail ?? "", /written outside this state \(the store says modified .+, the state .+\)/)
    assert.match(row.hint ?? "", /--discard-history/)
    // retain none carries nothing: a foreign write is simply the latest value.
    assert.equal(plan.rows["default/cookie-key"].status, "due")
    assert.equal(plan.rows["storage/encryption-key"].status, "due")

    const text = await layer(project, ["secret", "rotate", "--at", "2026-06-01T00:00:00Z"])
    assert.match(text.stdout, /^auth\/session-key: conflict: it was written outside this state/m)
    assert.match(text.stdout, /^ {2}a rotation would drop versions the state cannot see; .+--discard-history/m)
  })

  it("--apply refuses the whole run while a conflict stands, naming each secret and the flag", async () => {
    const before = await project.snapshot()
    const run = await layer(project, ["secret", "rotate", "--apply", "--yes", "--json"], { LAYERON_TEST_NOW: "2026-06-01T00:00:00Z" })
    assert.equal(run.code, 1)
    const { error } = jsonOf<{ error: { code: string; message: string; hint: string; details: { secrets: { secret: string; reasons: string[] }[] } } }>(run)
    assert.equal(error.code, "rotation_conflict")
    assert.match(error.message, /^1 secret is in conflict in dev, so nothing was written: auth\/session-key \(lo_[0-9a-f]{24}\): it was written outside this state/)
    assert.match(error.hint, /--discard-history/)
    assert.deepEqual(error.details.secrets.map((s) => [s.secret, s.reasons]), [["auth/session-key", ["modified_elsewhere"]]])
    assert.deepEqual(await project.snapshot(), before, "nothing written")
  })

  it("--discard-history rotates the conflicted secret now with a fresh envelope, ids continuing", async () => {
    const { run, rows } = await rotate(project, ["--apply", "--yes", "--discard-history"], "2026-03-03T00:00:00Z")
    assert.equal(run.code, 0, run.stderr)
    const row = rows["auth/session-key"]
    assert.deepEqual([row.status, row.reason, row.newVersion], ["rotated", "history_discarded", "v3"])
    assert.deepEqual(row.versions, { kept: [], expiring: [], dropped: ["v1", "v2"], added: ["v3"] })
    const texts = await readLocalStore(project)
    const opened = await assertStoreMatchesState(names["auth/session-key"], texts.get(names["auth/session-key"])!, await readState(project, names["auth/session-key"]), await sealingPrivateKey(project, texts))
    assert.deepEqual([...opened.versions.keys()], ["v3"])
    assert.equal((await rotate(project, ["--at", "2026-03-04T00:00:00Z"])).rows["auth/session-key"].status, "not_due", "the conflict is resolved")
  })

  it("a changed rotation policy is a conflict until accepted; accepting it when nothing is due only records it", async () => {
    await project.write("src/api.ts", ROTATION_API.replace("everyDays: 90, retain: { mode: \"retain_forever\" }", "everyDays: 120, retain: { mode: \"retain_forever\" }"))
    const plan = await rotate(project, ["--at", "2026-03-05T00:00:00Z"])
    assert.equal(plan.run.code, 1)
    const row = plan.rows["storage/encryption-key"]
    assert.deepEqual([row.status, row.conflicts], ["conflict", ["policy_changed"]])
    assert.equal(row.detail, "its rotation policy changed since the last write (every 90d, retain_forever → every 120d, retain_forever)")
    assert.match(row.hint ?? "", /--accept-policy-change/)

    const storeFile = join(project.root, ".layeron", "local", "dev", `${names["storage/encryption-key"]}.json`)
    const storedBefore = await readFile(storeFile, "utf8")
    const accepted = await rotate(project, ["--apply", "--yes", "--accept-policy-change"], "2026-03-05T00:00:00Z")
    assert.equal(accepted.run.code, 0, accepted.run.stderr)
    assert.equal(accepted.rows["storage/encryption-key"].status, "not_due")
    assert.equal(accepted.rows["storage/encryption-key"].nextDue, "2026-05-01T00:00:00.000Z", "the new interval counts from the last rotation (2026-01-01)")
    assert.equal(await readFile(storeFile, "utf8"), storedBefore, "the store was not written")
    assert.equal((await readState(project, names["storage/encryption-key"])).policy?.everyDays, 120)
    assert.equal((await rotate(project, ["--at", "2026-03-05T00:00:00Z"])).rows["storage/encryption-key"].status, "not_due")
    await project.write("src/api.ts", ROTATION_API)
  })
})

describe("layer secret rotate --apply at a terminal", () => {
  let project: TestProject
  before(async () => {
    project = await createProject({ "src/api.ts": ROTATION_API })
    await seedRandomSecrets(project, "2026-01-01T00:00:00Z")
  })
  after(async () => {
    await project.cleanup()
  })

  it("shows what is due and asks; no is nothing written", async () => {
    const before = await project.snapshot()
    const run = await layerInPty(project, ["secret", "rotate", "--apply"], [{ expect: "[y/N]", send: "n\r" }], { LAYERON_TEST_NOW: "2026-03-01T00:00:00Z" })
    assert.equal(run.exitCode, 1, run.output)
    assert.match(run.output, /rotations due in dev:/)
    assert.match(run.output, /Rotate 3 secrets in dev\? \[y\/N\]/)
    assert.match(run.output, /nothing was rotated: the rotation was not confirmed/)
    assert.deepEqual(await project.snapshot(), before)
  })

  it("yes rotates, with a progress line rewritten in place", async () => {
    const run = await layerInPty(project, ["secret", "rotate", "--apply"], [{ expect: "[y/N]", send: "y\r" }], { LAYERON_TEST_NOW: "2026-03-01T00:00:00Z" })
    assert.equal(run.exitCode, 0, run.output)
    assert.match(run.output, /\r\u001b\[2K/, "the progress line is cleared in place")
    assert.match(run.output, /3 rotated, 1 not due/)
    const { rows } = await rotate(project, ["--at", "2026-03-01T00:00:00Z"])
    for (const id of IDS) assert.equal(rows[id].status, "not_due")
  })
})
