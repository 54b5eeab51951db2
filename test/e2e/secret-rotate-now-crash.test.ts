/**
 * Crash safety of a forced rotation (`secret rotate NAME --now --apply`) and of a revoke
 * (`secret revoke NAME VERSION`), on the local provider and on Cloudflare (the emulator): the
 * process is killed at each step of the write-ahead record (LAYERON_TEST_CRASH_AT), then the
 * same command runs again. After each cycle the store and the state agree, the named secret
 * got exactly one new version (forced) or lost exactly the revoked one (revoke), no other
 * version and no other secret changed, and nothing seen as current is lost.
 *
 * A kill after the state write is a run that finished its work but not its exit: the record
 * is complete, so a rerun of `--now` would be a second request to rotate (docs/rotation.md);
 * that cycle checks the completed record and reruns the scheduled command, which has nothing to do.
 */
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { addEmulatorAccount } from "../helpers/emulator-project.js"
import {
  ROTATION_API,
  assertStoreMatchesState,
  cloudflareConfig,
  currentNumber,
  emulatorTarget,
  envArgs,
  layerOn,
  localTarget,
  readStates,
  sealingPrivateKey,
  seedRandomSecrets,
} from "../helpers/rotation.js"
import type { OpenedSecret, RotationTarget } from "../helpers/rotation.js"

const STEPS = ["before-intent", "after-intent", "after-provider-write", "after-state-write"] as const
const T0 = Date.parse("2026-01-01T00:00:00.000Z")
const HOUR = 3_600_000
/** Cycle i runs at T0 + i hours: never due by schedule (the shortest period is 7 days) until a week of cycles. */
const cycleAt = (i: number) => new Date(T0 + (i + 1) * HOUR).toISOString()
const SESSION = "auth/session-key"

/** Every secret opened and checked against its state, by physical name. */
async function openEverything(target: RotationTarget): Promise<Map<string, OpenedSecret>> {
  const texts = await target.readTexts()
  const key = await sealingPrivateKey(target.project, texts, target.environment)
  const opened = new Map<string, OpenedSecret>()
  for (const [name, state] of await readStates(target.project, target.environment)) {
    opened.set(name, await assertStoreMatchesState(name, texts.get(name)!, state, key))
  }
  return opened
}

async function physicalNameOf(target: RotationTarget, id: string): Promise<string> {
  for (const [name, state] of await readStates(target.project, target.environment)) if (state.secret === id) return name
  throw new Error(`no state for ${id}`)
}

function assertUnchanged(before: Map<string, OpenedSecret>, after: Map<string, OpenedSecret>, except: string): void {
  for (const [name, secret] of before) if (name !== except) assert.deepEqual(after.get(name), secret, `${name} changed although only ${except} was named`)
}

/** Kill `args` at `step`, look at what it left, rerun, and return the final view. */
async function killAndRerun(target: RotationTarget, args: readonly string[], step: string, at: string): Promise<{ pendingLeft: number; final: Map<string, OpenedSecret> }> {
  const killed = await layerOn(target, args, { LAYERON_TEST_NOW: at, LAYERON_TEST_CRASH_AT: `${step}#1` })
  assert.equal(killed.signal, "SIGKILL", `the run was not killed at ${step}: ${killed.code} ${killed.stdout}${killed.stderr}`)
  const pendingLeft = [...(await readStates(target.project, target.environment)).values()].filter((state) => state.pending).length
  assert.equal(pendingLeft, step === "after-intent" || step === "after-provider-write" ? 1 : 0, `intents left after a kill at ${step}`)
  // The same command again, except after a finished record (see the file comment).
  const rerunArgs = step === "after-state-write" && args.includes("--now") ? ["secret", "rotate", "--apply", "--yes"] : args
  const rerun = await layerOn(target, rerunArgs, { LAYERON_TEST_NOW: at })
  assert.equal(rerun.code, 0, `the rerun after a kill at ${step} failed: ${rerun.stdout}${rerun.stderr}`)
  const final = await openEverything(target)
  assert.equal([...(await readStates(target.project, target.environment)).values()].filter((state) => state.pending).length, 0, "an intent is left after the rerun")
  return { pendingLeft, final }
}

function crashSuite(label: string, setup: () => Promise<{ target: RotationTarget; cleanup: () => Promise<void> }>): void {
  describe(`crash safety of --now and revoke on ${label}`, () => {
    let target: RotationTarget
    let cleanup: () => Promise<void>
    let cycle = 0
    before(async () => {
      ;({ target, cleanup } = await setup())
      await seedRandomSecrets(target.project, new Date(T0).toISOString(), target.env, envArgs(target))
      const first = await layerOn(target, ["secret", "rotate", "--apply", "--yes"], { LAYERON_TEST_NOW: new Date(T0).toISOString() })
      assert.equal(first.code, 0, first.stderr)
    })
    after(async () => {
      await cleanup?.()
    })

    for (const step of STEPS) {
      it(`rotate ${SESSION} --now killed at ${step}, then rerun: exactly one new version, nothing else touched`, async () => {
        const at = cycleAt(cycle++)
        const name = await physicalNameOf(target, SESSION)
        const before = await openEverything(target)
        const was = before.get(name)!
        const { final } = await killAndRerun(target, ["secret", "rotate", SESSION, "--now", "--apply", "--yes", "--json"], step, at)
        const now = final.get(name)!
        assert.equal(currentNumber(now), currentNumber(was) + 1, `${SESSION}: not exactly one new version`)
        assert.equal(now.versions.get(now.current)!.createdAt, at, "the new version is not from this run")
        assert.equal(now.versions.get(was.current)?.value, was.versions.get(was.current)!.value, "the previous current (retained for 14 days) was lost")
        for (const [id, version] of was.versions) if (!version.expiresAt || Date.parse(version.expiresAt) > Date.parse(at)) assert.equal(now.versions.get(id)?.value, version.value, `${id} was lost`)
        assertUnchanged(before, final, name)
        const rotations = (await readStates(target.project, target.environment)).get(name)!.log.filter((entry) => entry.action === "rotate" && entry.at === at)
        assert.equal(rotations.length, 1, `${rotations.length} rotations logged for this run`)
      })
    }

    for (const step of STEPS) {
      it(`revoke of a retained version killed at ${step}, then rerun: that version gone, the rest kept`, async () => {
        const name = await physicalNameOf(target, SESSION)
        const before = await openEverything(target)
        const was = before.get(name)!
        const retained = [...was.versions.keys()].find((id) => id !== was.current)
        assert.ok(retained, "the forced rotations left a retained version to revoke")
        const { final } = await killAndRerun(target, ["secret", "revoke", SESSION, retained, "--yes", "--json"], step, cycleAt(cycle++))
        const now = final.get(name)!
        assert.equal(now.current, was.current, "a revoke changed the current version")
        assert.deepEqual([...now.versions.keys()].sort(), [...was.versions.keys()].filter((id) => id !== retained).sort())
        for (const [id, version] of now.versions) assert.equal(version.value, was.versions.get(id)!.value, `${id} holds another value`)
        assertUnchanged(before, final, name)
        const revokes = (await readStates(target.project, target.environment)).get(name)!.log.filter((entry) => entry.action === "revoke" && entry.revoked?.includes(retained))
        assert.equal(revokes.length, 1, `${revokes.length} revokes of ${retained} logged`)
      })
    }
  })
}

crashSuite("the local provider", async () => {
  const project: TestProject = await createProject({ "src/api.ts": ROTATION_API })
  return { target: localTarget(project), cleanup: () => project.cleanup() }
})

crashSuite("Cloudflare (the emulator)", async () => {
  const emulator: Emulator = await startEmulator({ pendingDelayMs: 0 })
  const { accountId, token } = addEmulatorAccount(emulator)
  const project = await createProject({ "layeron.config.ts": cloudflareConfig(accountId), "src/api.ts": ROTATION_API })
  return {
    target: emulatorTarget(project, emulator, accountId, token),
    cleanup: async () => {
      await project.cleanup()
      await emulator.close()
    },
  }
})
