/**
 * Hostile commits (docs/security.md): someone who can merge a commit, and nothing else,
 * edits the committed rotation state. Each attack runs on a real temp project, on the local
 * provider and on the Cloudflare emulator; the CLI must refuse with a message naming the
 * file and what differs, exit 1, and leave the store and the state byte-identical. The
 * honest path (no tampering) still carries v1 sealed into the rotated envelope.
 */
import assert from "node:assert/strict"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { generateSealingKeyPair, publicKeyFingerprint, seal } from "@layeron/modules/seal"
import { createProject, jsonOf } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import {
  ROTATION_API,
  assertStoreMatchesState,
  cloudflareConfig,
  emulatorTarget,
  envArgs,
  layerOn,
  localTarget,
  openStored,
  readState,
  rotationStateDir,
  sealingPrivateKey,
  seedRandomSecrets,
} from "../helpers/rotation.js"
import type { RotationTarget } from "../helpers/rotation.js"

const T0 = "2026-01-01T00:00:00.000Z"
/** Every rotating secret of ROTATION_API is due 100 days later. */
const DUE = "2026-04-11T00:00:00.000Z"
const ATTACKER_VALUE = "YXR0YWNrZXItY2hvc2VuLWtleS1tYXRlcmlhbC0zMg"

interface Setup {
  name: string
  start(): Promise<{ target: RotationTarget; project: TestProject; storeSnapshot(): Promise<string>; stop(): Promise<void> }>
}

const setups: Setup[] = [
  {
    name: "local provider",
    async start() {
      const project = await createProject({ "src/api.ts": ROTATION_API })
      const target = localTarget(project)
      await seedRandomSecrets(project, T0)
      // The local store lives under .layeron/local: project.snapshot() covers it.
      return { target, project, storeSnapshot: async () => "", stop: () => project.cleanup() }
    },
  },
  {
    name: "Cloudflare emulator",
    async start() {
      const emulator: Emulator = await startEmulator({ pendingDelayMs: 0 })
      const accountId = emulator.addAccount({ name: "Acme", withDefaultStore: true }).id
      const token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
      const project = await createProject({ "layeron.config.ts": cloudflareConfig(accountId), "src/api.ts": ROTATION_API })
      const target = emulatorTarget(project, emulator, accountId, token)
      await seedRandomSecrets(project, T0, target.env, envArgs(target))
      // Values, comments (the anchors) and modified of every secret, as the store holds them.
      const storeSnapshot = async () => JSON.stringify([[...(await target.readTexts())].sort(), emulator.accounts.map((a) => a.stores.map((s) => s.secrets))])
      return {
        target,
        project,
        storeSnapshot,
        stop: async () => {
          await project.cleanup()
          await emulator.close()
        },
      }
    },
  },
]

for (const setup of setups) {
  describe(`hostile commits on the ${setup.name}`, () => {
    let fx: Awaited<ReturnType<Setup["start"]>>
    let stateDir: string
    let sessionKey: string
    const publicKeyFile = () => join(stateDir, "public-key.json")
    const stateFile = () => join(stateDir, `${sessionKey}.json`)

    before(async () => {
      fx = await setup.start()
      stateDir = rotationStateDir(fx.project, fx.target.environment)
      const plan = await layerOn(fx.target, ["secret", "rotate", "--json"], { LAYERON_TEST_NOW: DUE })
      sessionKey = jsonOf<{ secrets: { namespace: string; name: string; physicalName: string }[] }>(plan).secrets.find((row) => row.name === "session-key")!.physicalName
    })
    after(() => fx?.stop())

    /** Tamper with a file, run the command, check the refusal and that nothing moved, restore the file. */
    async function refused(file: string, tamper: (text: string) => Promise<string>, args: string[], env: Record<string, string> = {}): Promise<{ run: LayerRun; error: { code: string; message: string; hint: string } }> {
      const original = await readFile(file, "utf8")
      await writeFile(file, await tamper(original))
      try {
        const files = await fx.project.snapshot()
        const store = await fx.storeSnapshot()
        const run = await layerOn(fx.target, [...args, "--json"], { LAYERON_TEST_NOW: DUE, V: ATTACKER_VALUE, ...env })
        assert.equal(run.code, 1, `${run.stdout}${run.stderr}`)
        assert.deepEqual(await fx.project.snapshot(), files, "the state and the local files are byte-identical")
        assert.equal(await fx.storeSnapshot(), store, "the store is byte-identical")
        assert.ok(!run.stdout.includes(ATTACKER_VALUE) && !run.stderr.includes(ATTACKER_VALUE))
        return { run, error: jsonOf<{ error: { code: string; message: string; hint: string } }>(run).error }
      } finally {
        await writeFile(file, original)
      }
    }

    const swapKey = async (text: string) => {
      const file = JSON.parse(text) as Record<string, unknown>
      const attacker = await generateSealingKeyPair()
      return JSON.stringify({ ...file, publicKey: attacker.publicKey, fingerprint: await publicKeyFingerprint(attacker.publicKey) }, null, 2)
    }

    it("a swapped public key (fingerprint recomputed) is refused by secret set and rotate --apply, naming both fingerprints", async () => {
      const genuine = (JSON.parse(await readFile(publicKeyFile(), "utf8")) as { fingerprint: string }).fingerprint
      for (const args of [["secret", "set", "auth/session-key", "--value-env", "V"], ["secret", "rotate", "--apply", "--yes"]]) {
        const { error } = await refused(publicKeyFile(), swapKey, args)
        assert.equal(error.code, "sealing_key_mismatch", args.join(" "))
        assert.ok(error.message.includes("public-key.json"), error.message)
        assert.ok(error.message.includes(`fingerprint ${genuine}`), `the anchored fingerprint: ${error.message}`)
        assert.match(error.message, /fingerprint [0-9a-f]{16}\) is not the one the store anchored/)
        assert.match(error.hint, /git checkout|--re-anchor/)
      }
    })

    it("a forged v1 (sealed to the real public key, another value) is refused before it is carried", async () => {
      const { error } = await refused(
        stateFile(),
        async (text) => {
          const state = JSON.parse(text) as { versions: Record<string, { sealed: string }> }
          const key = JSON.parse(await readFile(publicKeyFile(), "utf8")) as { publicKey: JsonWebKey }
          state.versions.v1!.sealed = await seal(key.publicKey, ATTACKER_VALUE, { physicalName: sessionKey, versionId: "v1" })
          return JSON.stringify(state, null, 2)
        },
        ["secret", "rotate", "--apply", "--yes"],
      )
      assert.equal(error.code, "state_anchor_mismatch")
      assert.ok(error.message.includes(`${sessionKey}.json`), error.message)
      assert.match(error.message, /lists v1 \(current v1\)/)
      assert.match(error.message, /a sealed copy, a time or the current version differs/)
      assert.match(error.hint, /--discard-history/)
    })

    it("a planted v0 without expiry is refused, saying the anchor covers fewer versions", async () => {
      const { error } = await refused(
        stateFile(),
        async (text) => {
          const state = JSON.parse(text) as { versions: Record<string, unknown> }
          const key = JSON.parse(await readFile(publicKeyFile(), "utf8")) as { publicKey: JsonWebKey }
          state.versions = { v0: { sealed: await seal(key.publicKey, ATTACKER_VALUE, { physicalName: sessionKey, versionId: "v0" }), createdAt: "2025-12-01T00:00:00.000Z" }, ...state.versions }
          return JSON.stringify(state, null, 2)
        },
        ["secret", "rotate", "--apply", "--yes"],
      )
      assert.equal(error.code, "state_anchor_mismatch")
      assert.match(error.message, /lists v0, v1 \(current v1\)/)
      assert.match(error.message, /anchor was written for 1 version, the state lists 2/)
    })

    it("a hand-edited time in the state is refused", async () => {
      const { error } = await refused(stateFile(), async (text) => text.replace(`"createdAt": "${T0}"`, `"createdAt": "2026-01-02T00:00:00.000Z"`), ["secret", "rotate", "--apply", "--yes"])
      assert.equal(error.code, "state_anchor_mismatch")
      // A plan refuses too: it would show versions the store does not vouch for.
      const plan = await refused(stateFile(), async (text) => text.replace(`"createdAt": "${T0}"`, `"createdAt": "2026-01-02T00:00:00.000Z"`), ["secret", "rotate"])
      assert.equal(plan.error.code, "state_anchor_mismatch")
    })

    it('"pending": true on a swapped public key is refused; on the genuine key it never replaces the stored private half', async () => {
      const { error } = await refused(publicKeyFile(), async (text) => JSON.stringify({ ...JSON.parse(await swapKey(text)), pending: true }), ["secret", "set", "auth/session-key", "--value-env", "V"])
      assert.equal(error.code, "sealing_key_mismatch")

      const texts = await fx.target.readTexts()
      const privateBefore = await sealingPrivateKey(fx.project, texts, fx.target.environment)
      const original = await readFile(publicKeyFile(), "utf8")
      await writeFile(publicKeyFile(), JSON.stringify({ ...JSON.parse(original), pending: true }, null, 2))
      const plan = await layerOn(fx.target, ["secret", "rotate", "--json"], { LAYERON_TEST_NOW: DUE })
      assert.equal(plan.code, 2, `${plan.stdout}${plan.stderr}`)
      // The file goes back to exactly what it was (the mark dropped on the next write); the key is the same.
      await writeFile(publicKeyFile(), original)
      const after = await sealingPrivateKey(fx.project, await fx.target.readTexts(), fx.target.environment)
      assert.deepEqual(after, privateBefore, "the sealing private key in the store is the same")
    })

    it("--re-anchor without a terminal needs --yes, and then makes the store vouch for the checked state, logged", async () => {
      const original = await readFile(stateFile(), "utf8")
      const edited = original.replace(`"createdAt": "${T0}"`, `"createdAt": "2026-01-01T00:00:01.000Z"`)
      await writeFile(stateFile(), edited)
      try {
        const asked = await layerOn(fx.target, ["secret", "rotate", "--re-anchor", "--json"], { LAYERON_TEST_NOW: DUE })
        assert.equal(asked.code, 1)
        assert.equal(jsonOf<{ error: { code: string } }>(asked).error.code, "confirmation_required")
        const run = await layerOn(fx.target, ["secret", "rotate", "--re-anchor", "--yes", "--json"], { LAYERON_TEST_NOW: DUE })
        assert.equal(run.code, 0, run.stderr)
        const doc = jsonOf<{ reAnchored: { secret: string; was: string; versions?: string[] }[] }>(run)
        assert.deepEqual(doc.reAnchored.map((entry) => [entry.secret, entry.was, entry.versions]), [["auth/session-key", "mismatch", ["v1"]]])
        const state = await readState(fx.project, sessionKey, fx.target.environment)
        assert.equal(state.log.at(-1)?.action, "re-anchor")
        const plan = await layerOn(fx.target, ["secret", "rotate", "--json"], { LAYERON_TEST_NOW: DUE })
        assert.equal(plan.code, 2, `accepted after re-anchoring: ${plan.stdout}${plan.stderr}`)
      } finally {
        // Put the honest history back for the last test (and anchor it again).
        const state = JSON.parse(await readFile(stateFile(), "utf8")) as { versions: { v1: { createdAt: string } } }
        state.versions.v1.createdAt = T0
        await writeFile(stateFile(), JSON.stringify(state, null, 2))
        const again = await layerOn(fx.target, ["secret", "rotate", "--re-anchor", "--yes", "--json"], { LAYERON_TEST_NOW: DUE })
        assert.equal(again.code, 0, again.stderr)
      }
    })

    it("the honest path: no tampering, rotate --apply carries v1 sealed; the store and the state agree", async () => {
      const run = await layerOn(fx.target, ["secret", "rotate", "--apply", "--yes", "--json"], { LAYERON_TEST_NOW: DUE })
      assert.equal(run.code, 0, `${run.stdout}${run.stderr}`)
      const texts = await fx.target.readTexts()
      const key = await sealingPrivateKey(fx.project, texts, fx.target.environment)
      const stored = await openStored(texts.get(sessionKey)!, sessionKey, key)
      assert.deepEqual([stored.current, [...stored.versions.keys()].sort()], ["v2", ["v1", "v2"]])
      await assertStoreMatchesState(sessionKey, texts.get(sessionKey)!, await readState(fx.project, sessionKey, fx.target.environment), key)
      assert.ok(JSON.parse(texts.get(sessionKey)!).versions.v1.sealed, "v1 is carried as a sealed copy")
    })
  })
}
