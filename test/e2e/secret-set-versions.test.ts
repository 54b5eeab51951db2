/**
 * No write drops a readable version unless asked (docs/design.md#values), end to end on the
 * local provider and the Cloudflare emulator: after a rotation, a plain `secret set` or `secret
 * import` of a rotating secret becomes its next version and the older ones stay readable with
 * the values they had (checked by opening the store, not by trusting the CLI's report);
 * `--replace-all` drops them; and every write that would lose a version without it is refused
 * with nothing written (store, state and LAYERON_HOME byte-identical).
 */
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { after, before, describe, it } from "node:test"
import { startTestEmulator, createCloudflareProject } from "../helpers/emulator-project.js"
import type { CloudflareProject, Emulator } from "../helpers/emulator-project.js"
import { createProject, jsonOf } from "../helpers/project.js"
import type { LayerOptions, LayerRun, TestProject } from "../helpers/project.js"
import { assertRefused } from "../helpers/refusals.js"
import { assertStoreMatchesState, openStored, readLocalStore, readState, sealingPrivateKey } from "../helpers/rotation.js"
import type { OpenedSecret, StoredTexts } from "../helpers/rotation.js"
import type { SecretSetDocument } from "../../packages/cli/src/commands/secret-set.js"
import type { SecretImportDocument } from "../../packages/cli/src/commands/secret-import.js"

const T0 = "2030-01-01T00:00:00Z" // the first value, v1
const T1 = "2030-02-05T00:00:00Z" // a scheduled rotation: v2, v1 kept until T1 + 14 days
const T2 = "2030-02-10T00:00:00Z" // a plain set: v3, v2 kept until T2 + 14 days
const key = () => randomBytes(32).toString("base64url")

interface Target {
  name: string
  environment: string
  project: TestProject
  layer(args: readonly string[], options?: LayerOptions): Promise<LayerRun>
  texts(): Promise<StoredTexts>
  /** Files plus, on the emulator, every stored value: what a refusal must leave byte-identical. */
  snapshot(): Promise<Map<string, string>>
  stop(): Promise<void>
}

async function localTarget(): Promise<Target> {
  const project = await createProject()
  return { name: "local provider", environment: "dev", project, layer: project.layer, texts: () => readLocalStore(project), snapshot: () => project.snapshot(), stop: () => project.cleanup() }
}

async function emulatorTarget(emulator: Emulator): Promise<Target> {
  const project: CloudflareProject = await createCloudflareProject(emulator)
  const texts = async () => new Map(project.storedSecrets().map(({ name }) => [name, project.valueOf(name) ?? ""]))
  return {
    name: "Cloudflare emulator",
    environment: "production",
    project,
    layer: (args, options = {}) => project.cf([...args, "--env", "production"], options),
    texts,
    async snapshot() {
      const files = await project.snapshot()
      for (const [name, text] of await texts()) files.set(`store:${name}`, text)
      return files
    },
    stop: () => project.cleanup(),
  }
}

let emulator: Emulator
before(async () => {
  emulator = await startTestEmulator()
})
after(async () => {
  await emulator.close()
})

for (const make of [localTarget, () => emulatorTarget(emulator)]) {
  describe(`secret set and import keep readable versions (${make === localTarget ? "local provider" : "Cloudflare emulator"})`, () => {
    let target: Target
    let physicalName = ""
    const first = key()
    before(async () => {
      target = await make()
      const set = await target.layer(["secret", "set", "auth/session-key", "--value-env", "V", "--json"], { env: { V: first, LAYERON_TEST_NOW: T0 } })
      assert.equal(set.code, 0, set.stderr)
      physicalName = jsonOf<SecretSetDocument>(set).physicalName
      const rotated = await target.layer(["secret", "rotate", "--apply", "--yes"], { env: { LAYERON_TEST_NOW: T1 } })
      assert.equal(rotated.code, 0, rotated.stderr)
    })
    after(async () => {
      await target.stop()
    })

    /** The secret as the store holds it, every version opened, and checked against its rotation state. */
    const opened = async (): Promise<OpenedSecret> => {
      const texts = await target.texts()
      const privateKey = await sealingPrivateKey(target.project, texts, target.environment)
      const text = texts.get(physicalName)
      assert.ok(text, `${physicalName} is not in the store`)
      await assertStoreMatchesState(physicalName, text, await readState(target.project, physicalName, target.environment), privateKey)
      return openStored(text, physicalName, privateKey)
    }
    const valuesOf = (secret: OpenedSecret) => Object.fromEntries([...secret.versions].map(([id, version]) => [id, version.value]))

    it("refuses, with nothing written, every write that would lose a version without --replace-all", async () => {
      const lost = /auth\/session-key\) holds versions? .*still readable.*nothing was written/
      // An envelope that leaves out the current version (v2).
      await assertRefused(target, ["secret", "set", "auth/session-key", "--value-env", "E"], { code: "versions_would_be_lost", message: /holds version v2 that is still readable/, hint: /--replace-all/ }, {
        env: { E: JSON.stringify({ current: "v3", versions: { v1: { value: key() }, v3: { value: key() } } }), LAYERON_TEST_NOW: T2 },
      })
      // An envelope that keeps v1 only.
      await assertRefused(target, ["secret", "set", "auth/session-key", "--value-env", "E"], { code: "versions_would_be_lost", message: lost, hint: /write an envelope that keeps v2/ }, {
        env: { E: JSON.stringify({ current: "v1", versions: { v1: { value: key() } } }), LAYERON_TEST_NOW: T2 },
      })
      // --replace-all without a terminal and without --yes.
      await assertRefused(target, ["secret", "set", "auth/session-key", "--value-env", "V", "--replace-all"], { code: "confirmation_required", message: /--replace-all .* needs confirmation, and stdin is not a terminal/, hint: /--yes/ }, {
        env: { V: key(), LAYERON_TEST_NOW: T2 },
      })
      // An import whose one entry would lose versions writes none of the others either.
      await target.project.write("lose.env", `STRIPE_SECRET=sk_test_1\nAUTH__SESSION_KEY=${JSON.stringify(JSON.stringify({ current: "v9", versions: { v9: { value: key() } } }))}\n`)
      await assertRefused(target, ["secret", "import", "lose.env", "--yes"], { code: "versions_would_be_lost", message: /^lose\.env line 2 \(AUTH__SESSION_KEY\): .*holds versions v1, v2/, hint: /--replace-all/ }, { env: { LAYERON_TEST_NOW: T2 } })
      await assertRefused(target, ["secret", "import", "lose.env", "--dry-run"], { code: "versions_would_be_lost", message: /line 2/, hint: /--replace-all/ }, { env: { LAYERON_TEST_NOW: T2 } })
      // A typo of a declared name.
      await assertRefused(target, ["secret", "set", "STRIPE_SECRT", "--value-env", "V"], { code: "undeclared_name_near_declared", message: /"STRIPE_SECRT" is not declared.*did you mean payments\/stripe\?/, hint: /--undeclared/ }, { env: { V: "sk_test" } })
      await target.project.write("typo.env", "STRIPE_KEY=sk_test_1\nSESION_KEY=x\n")
      await assertRefused(target, ["secret", "import", "typo.env", "--yes"], { code: "undeclared_name_near_declared", message: /typo\.env line 2 \(SESION_KEY\).*did you mean auth\/session-key\?/, hint: /--undeclared/ })
    })

    it("a plain set after a rotation becomes v3; v1 and v2 keep their values, with their expiries", async () => {
      const beforeSet = valuesOf(await opened())
      assert.deepEqual(Object.keys(beforeSet).sort(), ["v1", "v2"])
      assert.equal(beforeSet.v1, first)
      const next = key()
      const run = await target.layer(["secret", "set", "auth/session-key", "--value-env", "V", "--json"], { env: { V: next, LAYERON_TEST_NOW: T2 } })
      assert.equal(run.code, 0, run.stderr)
      const doc = jsonOf<SecretSetDocument>(run)
      assert.deepEqual({ mode: doc.mode, versions: doc.versions, current: doc.current, written: doc.written, kept: doc.kept, expiring: doc.expiring, dropped: doc.dropped }, {
        mode: "next_version",
        versions: ["v1", "v2", "v3"],
        current: "v3",
        written: ["v3"],
        kept: ["v1", "v2"],
        expiring: [{ id: "v1", expiresAt: "2030-02-19T00:00:00.000Z" }, { id: "v2", expiresAt: "2030-02-24T00:00:00.000Z" }],
        dropped: [],
      })
      const after = await opened()
      assert.equal(after.current, "v3")
      assert.deepEqual(valuesOf(after), { ...beforeSet, v3: next }, "v1 and v2 are readable with the values they had")
      assert.equal(after.versions.get("v3")?.createdAt, "2030-02-10T00:00:00.000Z")
      assert.equal(after.versions.get("v2")?.expiresAt, "2030-02-24T00:00:00.000Z")
      // The same value again (a rerun): the current version holds it already, so nothing is written.
      const again = await target.layer(["secret", "set", "auth/session-key", "--value-env", "V", "--json"], { env: { V: next, LAYERON_TEST_NOW: T2 } })
      assert.equal(again.code, 0, again.stderr)
      assert.deepEqual([jsonOf<SecretSetDocument>(again).action, jsonOf<SecretSetDocument>(again).versions], ["unchanged", ["v1", "v2", "v3"]])
      assert.deepEqual(valuesOf(await opened()), { ...beforeSet, v3: next })
    })

    it("says per version what happened, in text", async () => {
      const run = await target.layer(["secret", "set", "auth/session-key", "--value-env", "V"], { env: { V: key(), LAYERON_TEST_NOW: "2030-02-20T00:00:00Z" } })
      assert.equal(run.code, 0, run.stderr)
      // v1 expired on 2030-02-19: the transition drops it, as a rotation would.
      assert.match(run.stdout, /^  versions: v4 new, current · v3 kept until 2030-03-06T00:00:00\.000Z · v2 kept until 2030-02-24T00:00:00\.000Z$/m)
      assert.deepEqual([...(await opened()).versions.keys()].sort(), ["v2", "v3", "v4"])
    })

    it("import does the same: the dry run says what happens to each version, the import keeps them", async () => {
      const beforeImport = valuesOf(await opened())
      const next = key()
      await target.project.write("rotated.env", `SESSION_KEY=${next}\n`)
      const at = { LAYERON_TEST_NOW: "2030-02-21T00:00:00Z" }
      const dry = await target.layer(["secret", "import", "rotated.env", "--dry-run"], { env: at })
      assert.equal(dry.code, 0, dry.stderr)
      assert.match(dry.stdout, /SESSION_KEY +auth\/session-key \(by convention\) .* v5 new, current · v4 kept until 2030-03-07T00:00:00\.000Z · v3 kept until 2030-03-06T00:00:00\.000Z · v2 kept until 2030-02-24T00:00:00\.000Z/)
      const run = await target.layer(["secret", "import", "rotated.env", "--yes", "--json"], { env: at })
      assert.equal(run.code, 0, run.stderr)
      const row = jsonOf<SecretImportDocument>(run).secrets[0]!
      assert.deepEqual([row.declared, row.via, row.mode, row.current, row.kept, row.dropped], ["auth/session-key", "convention", "next_version", "v5", ["v2", "v3", "v4"], []])
      assert.deepEqual(valuesOf(await opened()), { ...beforeImport, v5: next })
    })

    it("--replace-all --yes drops every other version and says which", async () => {
      const only = key()
      const run = await target.layer(["secret", "set", "auth/session-key", "--value-env", "V", "--replace-all", "--yes", "--json"], { env: { V: only, LAYERON_TEST_NOW: "2030-02-22T00:00:00Z" } })
      assert.equal(run.code, 0, run.stderr)
      const doc = jsonOf<SecretSetDocument>(run)
      assert.deepEqual([doc.mode, doc.versions, doc.dropped], ["replace_all", ["v1"], ["v2", "v3", "v4", "v5"]])
      assert.deepEqual(valuesOf(await opened()), { v1: only })
    })
  })
}
