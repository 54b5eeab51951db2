/**
 * Packing (docs/design.md#packing) end to end on the Cloudflare API emulator: a packed
 * environment keeps its declarations in packs; every writer rewrites a pack from the sealed
 * copies of the other members; a teammate's write and a hostile commit are refused by name.
 */
import assert from "node:assert/strict"
import { cp, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Miniflare } from "miniflare"
import { unseal } from "@layeron/modules/seal"
import { after, afterEach, before, beforeEach, describe, it } from "node:test"
import { cloudflareConfig, createCloudflareProject, startTestEmulator } from "../helpers/emulator-project.js"
import type { CloudflareProject, Emulator } from "../helpers/emulator-project.js"
import { createProject, jsonOf } from "../helpers/project.js"

const API = (count: number) => `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
const app = backend({ name: "api", compatibilityDate: "2026-04-01" })
const keys = [
${Array.from({ length: count }, (_, i) => `  secret.random({ name: "key-${String(i).padStart(3, "0")}", namespace: "app", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }),`).join("\n")}
]
for (const key of keys) app.use(key)
app.use(secret.static({ name: "stripe", namespace: "payments" }))
app.get("/read/:n", async (c) => c.text(await keys[Number(c.req.param("n"))]!.current().text()))
export default app
`

/** The helpers' Cloudflare config (production on the test account) with `packing` set on production. */
function packedConfig(accountId: string, packing = true): string {
  return cloudflareConfig(accountId).replace(`production: { provider: "cloudflare", accountId: "${accountId}" }`, `production: { provider: "cloudflare", accountId: "${accountId}", packing: ${packing} }`)
}

interface PackValue {
  format: string
  pack: string
  members: Record<string, { current: string; versions: Record<string, { value?: string; sealed?: string }> }>
}

let emulator: Emulator
let project: CloudflareProject

before(async () => {
  emulator = await startTestEmulator()
})
after(() => emulator.close())
afterEach(() => project?.cleanup())

async function packedProject(count: number): Promise<CloudflareProject> {
  project = await createCloudflareProject(emulator, { files: { "src/api.ts": API(count) } })
  await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId))
  return project
}

const rotationDir = () => join(project.root, ".layeron/secret-rotation/production")
/** Every file of the committed rotation state, name → text. */
const stateFiles = async () => Object.fromEntries(await Promise.all((await readdir(rotationDir())).sort().map(async (name) => [name, await readFile(join(rotationDir(), name), "utf8")] as const)))
const packsFile = async () => JSON.parse(await readFile(join(rotationDir(), "packs.json"), "utf8")) as { packs: Array<{ physicalName: string; members: Array<{ secret: string; physicalName: string; anchor?: string }> }> }
const packValue = (name: string) => JSON.parse(project.valueOf(name)!) as PackValue

async function deploySecrets(): Promise<void> {
  const run = await project.cf(["deploy", "--env", "production", "--yes", "--json"])
  const nodes = jsonOf<{ nodes: Array<{ kind: string; status: string; id: string; detail?: string }> }>(run).nodes
  const failedSecrets = nodes.filter((node) => (node.kind === "secret" || node.kind === "sealing_key") && node.status === "error")
  assert.deepEqual(failedSecrets, [], run.stderr)
}

describe("packing on the emulator", () => {
  beforeEach(() => emulator.resetRequestLog())

  it("deploy puts every random declaration into one pack beside the sealing key; set rewrites the pack and leaves the others unchanged", async () => {
    await packedProject(5)
    await deploySecrets()
    const file = await packsFile()
    assert.equal(file.packs.length, 1)
    const pack = file.packs[0]!
    assert.equal(pack.members.filter((member) => member.anchor).length, 5)
    // Sealing key + one pack: no unpacked lo_ name of a member is in the store.
    const stored = project.storedSecrets().map((secret) => secret.name)
    assert.equal(stored.length, 2, stored.join(", "))
    for (const member of pack.members) assert.ok(!stored.includes(member.physicalName))
    const value = packValue(pack.physicalName)
    assert.equal(value.format, "layeron.pack/v1")
    assert.equal(value.pack, pack.physicalName)
    assert.deepEqual(Object.keys(value.members).sort(), pack.members.filter((m) => m.anchor).map((m) => m.secret).sort())
    const before = value.members["app/key-001"]!

    const set = await project.cf(["secret", "set", "payments/stripe", "--from-stdin", "--env", "production", "--json"], { input: "sk_test_pack_canary" })
    assert.equal(set.code, 0, set.stderr)
    assert.ok(!(set.stdout + set.stderr).includes("sk_test_pack_canary"))
    const after = packValue(pack.physicalName)
    assert.deepEqual(Object.keys(after.members).sort(), [...Object.keys(value.members), "payments/stripe"].sort(), "every member is still in the pack")
    assert.equal(after.members["payments/stripe"]!.versions[after.members["payments/stripe"]!.current]!.value, "sk_test_pack_canary")
    // The others are carried as their sealed copies: same versions, same current.
    assert.equal(after.members["app/key-001"]!.current, before.current)
    assert.deepEqual(Object.keys(after.members["app/key-001"]!.versions), Object.keys(before.versions))
    assert.equal(project.storedSecrets().length, 2)

    const list = await project.cf(["secret", "list", "--env", "production", "--json"])
    assert.equal(list.code, 0, list.stderr)
    const rows = jsonOf<{ secrets: Array<{ namespace: string; name: string; status: string; kind: string; pack: string | null }> }>(list).secrets
    assert.ok(rows.every((row) => row.status === "present"), JSON.stringify(rows))
    // Each member names its pack; the sealing key is its own secret.
    assert.deepEqual(rows.filter((row) => row.kind !== "sealing_key").map((row) => row.pack), rows.filter((row) => row.kind !== "sealing_key").map(() => pack.physicalName))
    assert.equal(rows.find((row) => row.kind === "sealing_key")?.pack, null)
    const human = await project.cf(["secret", "list", "--env", "production"])
    assert.match(human.stdout, new RegExp(`\\(in pack ${pack.physicalName}\\)`))
  })

  it("rotate --now of one member: a new version for it, every other member unchanged", async () => {
    await packedProject(4)
    await deploySecrets()
    const pack = (await packsFile()).packs[0]!.physicalName
    const before = packValue(pack)
    const run = await project.cf(["secret", "rotate", "app/key-002", "--now", "--apply", "--yes", "--env", "production", "--json"])
    assert.equal(run.code, 0, run.stderr)
    const after = packValue(pack)
    assert.notEqual(after.members["app/key-002"]!.current, before.members["app/key-002"]!.current)
    for (const id of ["app/key-000", "app/key-001", "app/key-003"]) assert.equal(after.members[id]!.current, before.members[id]!.current, id)

    // revoke: the retained version leaves the member's envelope, the others stay as they were.
    const old = before.members["app/key-002"]!.current
    assert.ok(Object.hasOwn(after.members["app/key-002"]!.versions, old), "retain_for keeps the previous version")
    const revoke = await project.cf(["secret", "revoke", "app/key-002", old, "--yes", "--env", "production", "--json"])
    assert.equal(revoke.code, 0, revoke.stderr)
    const revoked = packValue(pack)
    assert.ok(!Object.hasOwn(revoked.members["app/key-002"]!.versions, old))
    assert.equal(revoked.members["app/key-002"]!.current, after.members["app/key-002"]!.current)
    for (const id of ["app/key-000", "app/key-001", "app/key-003"]) assert.deepEqual(Object.keys(revoked.members[id]!.versions), Object.keys(after.members[id]!.versions), id)

    // import: two members in one command, each through its pack.
    await writeFile(join(project.root, "values.env"), `PAYMENTS__STRIPE=sk_import_canary\n`)
    // A full account: a new member joins its pack, which creates no secret.
    emulator.setQuota(project.storedSecrets().length, project.accountId)
    const imported = await project.cf(["secret", "import", "values.env", "--yes", "--env", "production", "--json"])
    emulator.setQuota(100, project.accountId)
    assert.equal(imported.code, 0, imported.stderr)
    assert.ok(!(imported.stdout + imported.stderr).includes("sk_import_canary"))
    const afterImport = packValue(pack)
    const stripe = afterImport.members["payments/stripe"]!
    assert.equal(stripe.versions[stripe.current]!.value, "sk_import_canary")
    assert.equal(Object.keys(afterImport.members).length, 5)
  })

  it("rotate --now of every member at once (several in flight): each gets exactly one new version, none is lost", async () => {
    await packedProject(6)
    await deploySecrets()
    const pack = (await packsFile()).packs[0]!.physicalName
    const before = packValue(pack)
    const run = await project.cf(["secret", "rotate", "--now", "--apply", "--yes", "--concurrency", "4", "--env", "production", "--json"])
    assert.equal(run.code, 0, run.stderr)
    const after = packValue(pack)
    for (let i = 0; i < 6; i++) {
      const id = `app/key-${String(i).padStart(3, "0")}`
      assert.equal(Number(after.members[id]!.current.slice(1)), Number(before.members[id]!.current.slice(1)) + 1, `${id} rotated once`)
    }
    // The states agree with the pack: a set afterwards is not refused.
    const set = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { V: "after-rotation" } })
    assert.equal(set.code, 0, set.stderr)
  })

  it("a teammate's write to another member (the pack's modified moved) is refused by name, nothing written", async () => {
    await packedProject(3)
    await deploySecrets()
    const pack = (await packsFile()).packs[0]!.physicalName
    // A teammate with the same committed state writes another member of the same pack.
    const teammate = await createProject({ "layeron.config.ts": packedConfig(project.accountId), "src/api.ts": API(3) })
    try {
      await cp(rotationDir(), join(teammate.root, ".layeron/secret-rotation/production"), { recursive: true })
      emulator.advanceClock(1000)
      const theirs = await teammate.layer(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production", "--json"], { env: project.apiEnv({ V: "their-value" }) })
      assert.equal(theirs.code, 0, theirs.stderr)
    } finally {
      await teammate.cleanup()
    }
    emulator.advanceClock(1000)
    const valueBefore = project.valueOf(pack)
    const set = await project.cf(["secret", "set", "app/key-000", "--value-env", "V", "--env", "production", "--json"], { env: { V: `${"a".repeat(42)}A` } })
    assert.equal(set.code, 1, set.stdout)
    const error = jsonOf<{ error: { code: string; message: string } }>(set).error
    assert.equal(error.code, "pack_conflict")
    assert.match(error.message, new RegExp(pack))
    assert.equal(project.valueOf(pack), valueBefore)
  })

  it("a hostile commit to a member's sealed copies is refused when the pack is rewritten, nothing written", async () => {
    await packedProject(3)
    await deploySecrets()
    const file = await packsFile()
    const victim = file.packs[0]!.members.find((member) => member.secret === "app/key-001")!
    const path = join(rotationDir(), `${victim.physicalName}.json`)
    const state = JSON.parse(await readFile(path, "utf8"))
    const donor = JSON.parse(await readFile(join(rotationDir(), `${file.packs[0]!.members.find((m) => m.secret === "app/key-000")!.physicalName}.json`), "utf8"))
    // Swap in another member's sealed copy: it would open to a value the attacker chose to move.
    state.versions[state.current].sealed = donor.versions[donor.current].sealed
    await writeFile(path, JSON.stringify(state, null, 2))
    const valueBefore = project.valueOf(file.packs[0]!.physicalName)
    const stateBefore = await stateFiles()
    const set = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production", "--json"], { env: { V: "x-value" } })
    assert.equal(set.code, 1, set.stdout)
    // The refusal came before anything was sent: no intent is left behind in the committed state.
    assert.deepEqual(await stateFiles(), stateBefore)
    const error = jsonOf<{ error: { code: string; message: string } }>(set).error
    assert.equal(error.code, "pack_member_anchor_mismatch")
    assert.match(error.message, /app\/key-001/)
    assert.match(error.message, new RegExp(file.packs[0]!.physicalName))
    assert.equal(project.valueOf(file.packs[0]!.physicalName), valueBefore)
  })
})

describe("100 declarations packed", () => {
  it("fit in at most 3 physical secrets beside the sealing key, and each reads back through the deployed artifacts in workerd", async () => {
    await packedProject(99)
    await deploySecrets()
    const file = await packsFile()
    const packs = file.packs.filter((pack) => pack.members.some((member) => member.anchor))
    assert.ok(packs.length >= 1 && packs.length <= 3, `${packs.length} packs`)
    assert.equal(file.packs.flatMap((pack) => pack.members).length, 100)
    const stored = project.storedSecrets()
    assert.equal(stored.length, packs.length + 1, stored.map((secret) => secret.name).join(", "))

    const deployDir = join(project.root, ".layeron/deploy/production")
    const config = async (worker: string) => JSON.parse((await readFile(join(deployDir, worker, "wrangler.jsonc"), "utf8")).replace(/^\/\/.*$/gm, "")) as {
      compatibility_date: string
      compatibility_flags?: string[]
      secrets_store_secrets?: { binding: string; store_id: string; secret_name: string }[]
      services?: { binding: string; service: string; entrypoint: string; props: { backend: string } }[]
      vars?: Record<string, unknown>
    }
    const product = await config("shop-secret-production")
    const app = await config("shop-api-production")
    assert.equal(product.secrets_store_secrets!.length, packs.length + 1, "one binding per pack and the sealing key's")
    const mf = new Miniflare({
      secretsStorePersist: false,
      workers: [
        {
          name: "shop-api-production",
          modules: true,
          script: await readFile(join(deployDir, "shop-api-production", "index.js"), "utf8"),
          compatibilityDate: app.compatibility_date,
          compatibilityFlags: app.compatibility_flags ?? [],
          serviceBindings: Object.fromEntries(app.services!.map((service) => [service.binding, { name: service.service, entrypoint: service.entrypoint, props: service.props }])),
        },
        {
          name: "shop-secret-production",
          modules: true,
          script: await readFile(join(deployDir, "shop-secret-production", "index.js"), "utf8"),
          compatibilityDate: product.compatibility_date,
          compatibilityFlags: product.compatibility_flags ?? [],
          secretsStoreSecrets: Object.fromEntries(product.secrets_store_secrets!.map((s) => [s.binding, { store_id: s.store_id, secret_name: s.secret_name }])),
          bindings: (product.vars ?? {}) as Record<string, never>,
        },
      ],
    })
    try {
      await mf.ready
      for (const s of product.secrets_store_secrets!) {
        const text = project.valueOf(s.secret_name)
        assert.ok(text !== undefined, `${s.secret_name} is bound but not in the store`)
        await (await mf.getSecretsStoreSecretAPI(s.binding, "shop-secret-production"))().create(text)
      }
      const sealingKey = JSON.parse(project.valueOf(stored.find((secret) => !packs.some((pack) => pack.physicalName === secret.name))!.name)!)
      const members = Object.assign({}, ...packs.map((pack) => packValue(pack.physicalName).members)) as PackValue["members"]
      const worker = (await mf.getWorker("shop-api-production")) as unknown as { fetch(url: string): Promise<{ status: number; text(): Promise<string> }> }
      for (let n = 0; n < 99; n++) {
        const id = `app/key-${String(n).padStart(3, "0")}`
        const response = await worker.fetch(`http://api/read/${n}`)
        const text = await response.text()
        assert.equal(response.status, 200, `${id}: ${text.slice(0, 200)}`)
        const member = members[id]!
        const version = member.versions[member.current]!
        // Written as a value by its own write, carried sealed (to its own lo_ name) by the others': either way the same text.
        const physicalName = file.packs.flatMap((pack) => pack.members).find((m) => m.secret === id)!.physicalName
        const expected = version.value ?? (await unseal(sealingKey, version.sealed!, { physicalName, versionId: member.current }))
        assert.equal(text, expected, id)
      }
    } finally {
      await mf.dispose()
    }
  })
})

describe("secret pack / unpack on the emulator", () => {
  it("packing turned on without `secret pack` is refused by name; pack moves the values (plan, then apply); turned off without unpack is refused; unpack moves them back", async () => {
    project = await createCloudflareProject(emulator, { files: { "src/api.ts": API(4) } })
    await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, false))
    await deploySecrets()
    const setFirst = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { V: "first-static" } })
    assert.equal(setFirst.code, 0, setFirst.stderr)
    // The sealing key and one secret per declaration.
    const unpacked = project.storedSecrets().map((secret) => secret.name)
    assert.equal(unpacked.length, 6, unpacked.join(", "))

    const doctorCheck = async (id: string) => {
      const run = await project.cf(["doctor", "--env", "production", "--json"])
      const check = jsonOf<{ checks: Array<{ id: string; status: string; summary: string; figures?: Record<string, unknown> }> }>(run).checks.find((candidate) => candidate.id === id)
      assert.ok(check, `${id}: ${run.stdout}${run.stderr}`)
      return check
    }
    const quota = await doctorCheck("quota")
    assert.match(quota.summary, /6 of 100 secrets used \(94 left\); packing "production" would use 2 instead of 6 \(4 fewer\)/)

    await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, true))
    const refused = await project.cf(["deploy", "--env", "production", "--yes", "--json"])
    assert.equal(refused.code, 1, refused.stdout)
    assert.equal(jsonOf<{ error: { code: string; message: string } }>(refused).error.code, "packing_not_migrated")
    assert.match(jsonOf<{ error: { message: string } }>(refused).error.message, /app\/key-000/)
    assert.deepEqual(project.storedSecrets().map((secret) => secret.name), unpacked)

    const plan = await project.cf(["secret", "pack", "--env", "production", "--json"])
    assert.equal(plan.code, 0, plan.stderr)
    const planned = jsonOf<{ writes: Array<{ physicalName: string; members: string[] }>; deletes: string[]; physicalBefore: number; physicalAfter: number; applied: boolean }>(plan)
    assert.equal(planned.applied, false)
    assert.deepEqual([planned.physicalBefore, planned.physicalAfter], [6, 2])
    assert.equal(planned.writes.length, 1)
    assert.equal(planned.deletes.length, 5)
    assert.equal(project.storedSecrets().length, 6, "a plan writes nothing")

    const applied = await project.cf(["secret", "pack", "--env", "production", "--apply", "--yes", "--json"])
    assert.equal(applied.code, 0, applied.stderr)
    const done = jsonOf<{ deployExitCode: number; deleted: string[] }>(applied)
    assert.equal(done.deployExitCode, 0)
    assert.equal(done.deleted.length, 5)
    const packName = planned.writes[0]!.physicalName
    assert.deepEqual(project.storedSecrets().map((secret) => secret.name).sort(), [packName, ...unpacked.filter((name) => !planned.deletes.includes(name))].sort())
    const pack = packValue(packName)
    assert.equal(pack.members["payments/stripe"]!.versions[pack.members["payments/stripe"]!.current]!.sealed?.startsWith("ls1."), true)
    // The product Worker binds the pack, not the members.
    const wrangler = await readFile(join(project.root, ".layeron/deploy/production/shop-secret-production/wrangler.jsonc"), "utf8")
    assert.match(wrangler, new RegExp(packName))
    for (const name of planned.deletes) assert.ok(!wrangler.includes(name), `${name} is still bound`)

    assert.match((await doctorCheck("quota")).summary, /2 of 100 secrets used \(98 left\); "production" is packed: 2 secrets instead of 6/)
    assert.equal((await doctorCheck("orphaned_secrets")).status, "ok", "a pack is named by packs.json, not an orphan")
    assert.equal((await doctorCheck("anchors")).status, "ok")
    const again = await project.cf(["secret", "pack", "--env", "production", "--json"])
    assert.deepEqual([jsonOf<{ writes: unknown[] }>(again).writes.length, jsonOf<{ deletes: unknown[] }>(again).deletes.length], [0, 0])
    const set = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { V: "second-static" } })
    assert.equal(set.code, 0, set.stderr)

    await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, false))
    const off = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production", "--json"], { env: { V: "third" } })
    assert.equal(off.code, 1, off.stdout)
    assert.equal(jsonOf<{ error: { code: string } }>(off).error.code, "packing_turned_off")
    const storedWhileOff = project.storedSecrets()
    const deployOff = await project.cf(["deploy", "--env", "production", "--yes", "--json"])
    assert.equal(deployOff.code, 1, deployOff.stdout)
    const offError = jsonOf<{ error: { code: string; message: string } }>(deployOff).error
    assert.equal(offError.code, "packing_turned_off")
    assert.match(offError.message, new RegExp(packName))
    assert.deepEqual(project.storedSecrets(), storedWhileOff, "a refused deploy writes nothing")

    const unpack = await project.cf(["secret", "unpack", "--env", "production", "--apply", "--yes", "--json"])
    assert.equal(unpack.code, 0, unpack.stderr)
    const names = project.storedSecrets().map((secret) => secret.name)
    assert.ok(!names.includes(packName), "the pack is deleted after the redeploy")
    assert.equal(names.length, 6)
    const list = await project.cf(["secret", "list", "--env", "production", "--json"])
    assert.equal(list.code, 0, list.stderr)
    assert.ok(jsonOf<{ secrets: Array<{ status: string; pack: string | null }> }>(list).secrets.every((row) => row.status === "present" && row.pack === null))
    const setAfter = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { V: "fourth" } })
    assert.equal(setAfter.code, 0, setAfter.stderr)
  })
})

describe("crash matrix over a pack rewrite", () => {
  const STEPS = ["before-intent", "after-intent", "after-pack-intent", "after-pack-write", "after-pack-record", "after-provider-write", "after-state-write"] as const

  for (const step of ["after-pack-intent#2", "after-pack-write#2", "after-pack-record#2"]) {
    it(`rotate --apply of every member (all due) killed at ${step} (the second rewrite, carrying the writes queued meanwhile): the rerun completes, each member exactly one new version`, async () => {
      await packedProject(6)
      await deploySecrets()
      const pack = (await packsFile()).packs[0]!.physicalName
      const before = packValue(pack)
      // 40 days on, past everyDays: 30, every member is due; the rerun at the same instant finds the rotated ones not due.
      const LAYERON_TEST_NOW = new Date(Date.now() + 40 * 86_400_000).toISOString()
      const args = ["secret", "rotate", "--apply", "--yes", "--concurrency", "4", "--env", "production", "--json"]
      const killed = await project.cf(args, { env: { LAYERON_TEST_CRASH_AT: step, LAYERON_TEST_NOW } })
      assert.equal(killed.signal, "SIGKILL", `${step}: not killed: ${killed.stderr}`)
      const rerun = await project.cf(args, { env: { LAYERON_TEST_NOW } })
      assert.equal(rerun.code, 0, rerun.stderr)
      const after = packValue(pack)
      for (let i = 0; i < 6; i++) {
        const id = `app/key-${String(i).padStart(3, "0")}`
        assert.equal(Number(after.members[id]!.current.slice(1)), Number(before.members[id]!.current.slice(1)) + 1, `${step}: ${id} rotated exactly once`)
      }
      assert.equal((JSON.parse(await readFile(join(rotationDir(), "packs.json"), "utf8")) as { pending?: unknown }).pending, undefined)
    })
  }

  it("a kill at every step of `secret set` on a packed member converges on the rerun: one new version, the other members unchanged, no intent left", async () => {
    await packedProject(3)
    await deploySecrets()
    const pack = (await packsFile()).packs[0]!.physicalName
    const versionNumber = (value: PackValue, id: string) => Number(value.members[id]!.current.slice(1))
    for (const [i, step] of STEPS.entries()) {
      const before = packValue(pack)
      const value = `${String.fromCharCode(98 + i).repeat(42)}A`
      const args = ["secret", "set", "app/key-000", "--value-env", "V", "--env", "production", "--json"]
      const killed = await project.cf(args, { env: { V: value, LAYERON_TEST_CRASH_AT: step } })
      assert.equal(killed.signal, "SIGKILL", `${step}: the run was not killed (${killed.code}): ${killed.stderr}`)
      const rerun = await project.cf(args, { env: { V: value } })
      assert.equal(rerun.code, 0, `${step}: ${rerun.stderr}`)
      const after = packValue(pack)
      assert.equal(versionNumber(after, "app/key-000"), versionNumber(before, "app/key-000") + 1, `${step}: exactly one new version`)
      assert.equal(after.members["app/key-000"]!.versions[after.members["app/key-000"]!.current]!.value, value, `${step}: the new version holds the value set`)
      for (const id of ["app/key-001", "app/key-002"]) {
        assert.equal(after.members[id]!.current, before.members[id]!.current, `${step}: ${id} kept its current version`)
        assert.deepEqual(Object.keys(after.members[id]!.versions), Object.keys(before.members[id]!.versions), `${step}: ${id} kept its versions`)
      }
      const file = JSON.parse(await readFile(join(rotationDir(), "packs.json"), "utf8")) as { pending?: unknown }
      assert.equal(file.pending, undefined, `${step}: packs.json still holds an intent`)
      for (const member of (await packsFile()).packs[0]!.members.filter((candidate) => candidate.anchor)) {
        const state = JSON.parse(await readFile(join(rotationDir(), `${member.physicalName}.json`), "utf8")) as { pending?: unknown }
        assert.equal(state.pending, undefined, `${step}: ${member.secret} still holds an intent`)
      }
    }
    // After the whole matrix the pack is still vouched for: another member rotates.
    const rotate = await project.cf(["secret", "rotate", "app/key-001", "--now", "--apply", "--yes", "--env", "production", "--json"])
    assert.equal(rotate.code, 0, rotate.stderr)
  })
})

describe("packing: bad input", () => {
  const refusal = (run: { code: number | null; stdout: string }) => {
    assert.equal(run.code, 1, run.stdout)
    return jsonOf<{ error: { code: string; message: string; hint?: string } }>(run).error
  }

  it("a member that alone exceeds a pack's room (with its rotation reserve) is refused by pack and member; nothing written", async () => {
    project = await createCloudflareProject(emulator, { files: { "src/api.ts": API(2) } })
    await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, false))
    await deploySecrets()
    const set = await project.cf(["secret", "set", "payments/stripe", "--from-stdin", "--env", "production"], { input: "x".repeat(30_000) })
    assert.equal(set.code, 0, set.stderr)
    await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, true))
    const stored = project.storedSecrets()
    const error = refusal(await project.cf(["secret", "pack", "--env", "production", "--apply", "--yes", "--json"]))
    assert.equal(error.code, "pack_member_too_large")
    assert.match(error.message, /payments\/stripe needs [\d,]+ bytes with room for its next rotation, more than a pack holds .*; pack lo_[0-9a-f]{24} cannot take it; nothing was written/)
    assert.deepEqual(project.storedSecrets(), stored)
    await assert.rejects(readFile(join(rotationDir(), "packs.json")), /ENOENT/)
  })

  it("a pack whose anchor does not match the committed packs.json is refused by pack and members; nothing written", async () => {
    await packedProject(3)
    await deploySecrets()
    const path = join(rotationDir(), "packs.json")
    const file = JSON.parse(await readFile(path, "utf8"))
    const [first, second] = file.packs[0].members.filter((member: { anchor?: string }) => member.anchor)
    // A commit that swaps two members' anchors (say, to make a stale state look current).
    ;[first.anchor, second.anchor] = [second.anchor, first.anchor]
    await writeFile(path, JSON.stringify(file, null, 2))
    const pack = file.packs[0].physicalName as string
    const value = project.valueOf(pack)
    const error = refusal(await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production", "--json"], { env: { V: "x" } }))
    assert.equal(error.code, "pack_anchor_mismatch")
    assert.match(error.message, new RegExp(`pack ${pack} \\(app/key-000, app/key-001, app/key-002, payments/stripe\\)`))
    assert.equal(project.valueOf(pack), value)
  })

  it("a pack edited in the dashboard (its text no longer the documented format) is refused by pack and members; nothing written", async () => {
    await packedProject(2)
    await deploySecrets()
    const pack = (await packsFile()).packs[0]!.physicalName
    const store = emulator.accounts.find((account) => account.id === project.accountId)!.stores[0]!
    const secret = store.secrets.find((candidate) => candidate.name === pack)!
    emulator.advanceClock(60_000)
    // What the dashboard's editor does: a new value, the comment left as it was.
    const edit = await fetch(`${emulator.url}/accounts/${project.accountId}/secrets_store/stores/${store.id}/secrets/${secret.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${project.token}`, "content-type": "application/json" },
      body: JSON.stringify({ value: "edited by hand" }),
    })
    assert.equal(edit.status, 200, await edit.text())
    const error = refusal(await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production", "--json"], { env: { V: "x" } }))
    assert.equal(error.code, "pack_conflict")
    assert.match(error.message, new RegExp(`pack ${pack} \\(app/key-000, app/key-001, payments/stripe\\) was written outside this checkout's state .*edited in the dashboard; nothing was written`))
    assert.equal(project.valueOf(pack), "edited by hand")
  })

  it("two environments of one account both packing get packs of different names and never touch each other's", async () => {
    project = await createCloudflareProject(emulator, { files: { "src/api.ts": API(2) } })
    const config = packedConfig(project.accountId).replace(/(production: \{[^}]*\},)/, `$1\n    staging: { provider: "cloudflare", accountId: "${project.accountId}", packing: true },`)
    await writeFile(join(project.root, "layeron.config.ts"), config)
    for (const env of ["production", "staging"]) {
      const run = await project.cf(["deploy", "--env", env, "--yes", "--json"])
      assert.equal(run.code, 0, run.stderr)
    }
    const production = JSON.parse(await readFile(join(project.root, ".layeron/secret-rotation/production/packs.json"), "utf8")).packs[0].physicalName as string
    const staging = JSON.parse(await readFile(join(project.root, ".layeron/secret-rotation/staging/packs.json"), "utf8")).packs[0].physicalName as string
    assert.notEqual(production, staging)
    assert.equal(project.storedSecrets().length, 4, "two sealing keys and two packs")
    const before = project.valueOf(production)
    const set = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "staging"], { env: { V: "staging-only" } })
    assert.equal(set.code, 0, set.stderr)
    assert.equal(project.valueOf(production), before)
    assert.ok(Object.hasOwn(packValue(staging).members, "payments/stripe"))
    assert.ok(!Object.hasOwn(packValue(production).members, "payments/stripe"))
  })
})

describe("crash matrix over secret pack / unpack --apply", () => {
  /** An unpacked environment holding 3 random values and a static one; then `packing` is set as given. */
  async function unpackedWithValues(): Promise<Map<string, string>> {
    project = await createCloudflareProject(emulator, { files: { "src/api.ts": API(3) } })
    await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, false))
    await deploySecrets()
    const set = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { V: "static-value" } })
    assert.equal(set.code, 0, set.stderr)
    return currents()
  }
  /** `secret <direction> --apply` killed at `step`, then run again: the rerun must succeed. */
  async function killThenRerun(direction: "pack" | "unpack", step: string): Promise<void> {
    const args = ["secret", direction, "--env", "production", "--apply", "--yes", "--json"]
    const killed = await project.cf(args, { env: { LAYERON_TEST_CRASH_AT: step } })
    assert.equal(killed.signal, "SIGKILL", `${step}: not killed: ${killed.stderr}`)
    const rerun = await project.cf(args)
    assert.equal(rerun.code, 0, rerun.stderr)
  }
  /** Declaration id → physical name, from the rotation states. */
  async function currentsByName(): Promise<Map<string, string>> {
    const result = new Map<string, string>()
    for (const name of await readdir(rotationDir())) {
      if (!name.startsWith("lo_")) continue
      const state = JSON.parse(await readFile(join(rotationDir(), name), "utf8")) as { secret: string; physicalName: string }
      result.set(state.secret, state.physicalName)
    }
    return result
  }
  /** Every member's current version, read from the rotation states. */
  async function currents(): Promise<Map<string, string>> {
    const result = new Map<string, string>()
    for (const name of project.storedSecrets().map((secret) => secret.name)) {
      const state = await readFile(join(rotationDir(), `${name}.json`), "utf8").then((text) => JSON.parse(text) as { secret: string; current: string }, () => undefined)
      if (state) result.set(state.secret, state.current)
    }
    return result
  }

  for (const step of ["after-pack-intent", "after-pack-write", "after-old-delete"]) {
    it(`pack --apply killed at ${step}: the rerun completes, every member in the pack with its versions, the old secrets gone`, async () => {
      const before = await unpackedWithValues()
      await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, true))
      await killThenRerun("pack", step)
      const file = await packsFile()
      const pack = file.packs[0]!.physicalName
      assert.equal(project.storedSecrets().length, 2, project.storedSecrets().map((secret) => secret.name).join(", "))
      const value = packValue(pack)
      for (const [id, current] of before) assert.equal(value.members[id]?.current, current, `${step}: ${id}`)
      assert.equal((JSON.parse(await readFile(join(rotationDir(), "packs.json"), "utf8")) as { pending?: unknown }).pending, undefined)
      const set = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { V: "after" } })
      assert.equal(set.code, 0, set.stderr)
    })
  }

  it("unpack after a pack that stopped before deleting the old secrets: a stale leftover is written over with the member's newer versions", async () => {
    await unpackedWithValues()
    await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, true))
    const killed = await project.cf(["secret", "pack", "--env", "production", "--apply", "--yes"], { env: { LAYERON_TEST_CRASH_AT: "after-pack-write" } })
    assert.equal(killed.signal, "SIGKILL")
    const set = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { V: "newer" } })
    assert.equal(set.code, 0, set.stderr)
    await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, false))
    const unpack = await project.cf(["secret", "unpack", "--env", "production", "--apply", "--yes"])
    assert.equal(unpack.code, 0, unpack.stderr)
    const state = JSON.parse(await readFile(join(rotationDir(), `${(await currentsByName()).get("payments/stripe")}.json`), "utf8")) as { physicalName: string; current: string; versions: Record<string, { sealed: string }> }
    const stored = JSON.parse(project.valueOf(state.physicalName)!) as { current: string; versions: Record<string, { sealed?: string; value?: string }> }
    // The leftover held the first value in the clear; the member's newer value, carried from the state, is its sealed copy.
    assert.equal(stored.current, state.current)
    assert.equal(stored.versions[stored.current]!.sealed, state.versions[state.current]!.sealed, "the member's own secret holds what its state says, not the leftover")
  })

  for (const step of ["after-intent", "after-provider-write", "after-old-delete"]) {
    it(`unpack --apply killed at ${step}: the rerun completes, every member back in its own secret with its versions, the pack gone`, async () => {
      const before = await unpackedWithValues()
      await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, true))
      assert.equal((await project.cf(["secret", "pack", "--env", "production", "--apply", "--yes"])).code, 0)
      await writeFile(join(project.root, "layeron.config.ts"), packedConfig(project.accountId, false))
      await killThenRerun("unpack", step)
      assert.equal(project.storedSecrets().length, 5, project.storedSecrets().map((secret) => secret.name).join(", "))
      assert.deepEqual(await currents(), before)
      const set = await project.cf(["secret", "set", "payments/stripe", "--value-env", "V", "--env", "production"], { env: { V: "after" } })
      assert.equal(set.code, 0, set.stderr)
    })
  }
})
