/**
 * Crash matrix: SIGKILL at each write-ahead step of `secret set`, `secret rotate --apply`
 * and `deploy` (LAYERON_TEST_CRASH_AT=step#N), and at seeded random instants (spawn, kill
 * after a random delay up to 1.2 × the command's undisturbed duration), on the local store
 * and on Cloudflare (the emulator). Each scenario declares the steps it reaches and how many
 * times (`reaches` in support/scenarios.ts); every declared kill must land (the run ends by
 * SIGKILL), and in the full run one past the count must not, so the counts are exact. After each
 * kill the same command is run again; it must succeed, and the store and the rotation state
 * must end as an undisturbed run leaves them, with every sealed copy opening to the value the
 * store holds.
 *
 * Figures: lost versions (a version the undisturbed run keeps that is missing or whose
 * sealed copy does not match; goal 0), double rotations (a version beyond the undisturbed
 * run's; goal 0), reruns that did not converge (goal 0).
 */
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { startTestEmulator } from "./support/cloudflare.js"
import type { Emulator } from "./support/cloudflare.js"
import { publishFigures } from "./support/figures.js"
import { describeAudit, isConsistent } from "./support/ground-truth.js"
import { FULL, sized } from "./support/mode.js"
import { CRASH_STEPS, SCENARIOS } from "./support/scenarios.js"
import type { CrashStep, Scenario } from "./support/scenarios.js"
import { seededRandom, testSeed } from "../helpers/random.js"
import { createCloudflareTarget, createLocalTarget, observeTarget } from "./support/targets.js"
import type { EndState, Observation, Target, TargetKind } from "./support/targets.js"

const RANDOM_KILLS = sized(2, 8)
const TARGETS: readonly TargetKind[] = ["local", "cloudflare"]

let emulator: Emulator

interface CellResult {
  scenario: string
  target: TargetKind
  /** `after-intent#2`, or `random @ 123 ms`. */
  crash: string
  killed: boolean
  rerunExit: number | null
  converged: boolean
  lost: number
  doubled: number
  inconsistent: string[]
}

const results: CellResult[] = []

before(async () => {
  emulator = await startTestEmulator()
})
after(() => emulator.close())

function makeTarget(kind: TargetKind): Promise<Target> {
  return kind === "local" ? createLocalTarget() : createCloudflareTarget(emulator)
}

interface Baseline {
  observation: Observation
  durationMs: number
}

/** The undisturbed run: what every disturbed run plus its rerun must end as. */
async function baseline(scenario: Scenario, kind: TargetKind): Promise<Baseline> {
  const target = await makeTarget(kind)
  try {
    await scenario.prepare(target)
    const started = Date.now()
    const run = await target.run(scenario.args, { env: { ...scenario.env } })
    const durationMs = Date.now() - started
    assert.equal(run.code, 0, `undisturbed ${scenario.label} on ${kind}: ${run.stderr}`)
    const observation = await observeTarget(target)
    const broken = observation.audits.filter((audit) => !isConsistent(audit))
    assert.deepEqual(broken.map(describeAudit), [], "the undisturbed run itself leaves an inconsistent state")
    return { observation, durationMs }
  } finally {
    await target.cleanup()
  }
}

/** Versions the baseline keeps that this end state lacks, and versions it has beyond the baseline's. */
function compare(expected: EndState, actual: EndState): { lost: number; doubled: number; same: boolean } {
  let lost = 0
  let doubled = 0
  for (const [name, want] of Object.entries(expected.versions)) {
    const got = actual.versions[name]
    lost += want.store.filter((id) => !got?.store.includes(id)).length
    doubled += (got?.store ?? []).filter((id) => !want.store.includes(id)).length
  }
  return { lost, doubled, same: JSON.stringify(expected) === JSON.stringify(actual) }
}

/** Disturb one run (`disturb` starts the command and returns once it ended), rerun, judge. */
async function cell(scenario: Scenario, kind: TargetKind, expected: Baseline, crash: string, disturb: (target: Target) => Promise<{ killed: boolean }>): Promise<CellResult> {
  const target = await makeTarget(kind)
  try {
    await scenario.prepare(target)
    const { killed } = await disturb(target)
    const rerun = await target.run(scenario.args, { env: { ...scenario.env } })
    const observation = await observeTarget(target)
    const { lost, doubled, same } = compare(expected.observation.end, observation.end)
    // An audit the sealed copies fail is a lost version too, even when the ids line up.
    const inconsistent = observation.audits.filter((audit) => !isConsistent(audit)).map(describeAudit)
    const lostBySeal = observation.audits.reduce((sum, audit) => sum + audit.lost.length, 0)
    const result: CellResult = {
      scenario: scenario.id,
      target: kind,
      crash,
      killed,
      rerunExit: rerun.code,
      converged: rerun.code === 0 && same && inconsistent.length === 0,
      lost: lost + lostBySeal,
      doubled,
      inconsistent,
    }
    results.push(result)
    if (!result.converged) result.inconsistent.push(`rerun exit ${rerun.code}: ${rerun.stderr.trim().split("\n").slice(-3).join(" | ")}`)
    return result
  } finally {
    await target.cleanup()
  }
}

/**
 * Which occurrences of a step reached `count` times are killed: the last one by default (a
 * kill there proves the step is reached all `count` times), every one in the full run.
 */
function occurrencesOf(count: number): number[] {
  if (FULL) return Array.from({ length: count }, (_, index) => index + 1)
  return [count]
}

const SEED = testSeed(20_261_201)

for (const scenario of SCENARIOS) {
  describe(`crashes in ${scenario.label}`, () => {
    for (const kind of TARGETS) {
      it(`on ${kind}: every crash point it reaches, then random instants (seed ${SEED})`, async (t) => {
        // The default run keeps Cloudflare to the first write scenario; the full run covers all.
        if (!FULL && kind === "cloudflare" && scenario.id !== "set-first") {
          t.skip("full run only (LAYERON_RELIABILITY_FULL=1)")
          return
        }
        const expected = await baseline(scenario, kind)
        const declared = Object.entries(scenario.reaches) as [CrashStep, number][]
        assert.ok(declared.length > 0, `${scenario.id} declares no crash point`)
        for (const [step, count] of declared) {
          for (const occurrence of occurrencesOf(count)) {
            const crash = `${step}#${occurrence}`
            await t.test(`killed at ${crash} (of ${count}), then rerun`, async () => {
              const result = await cell(scenario, kind, expected, crash, async (target) => {
                const run = await target.run(scenario.args, { env: { ...scenario.env, LAYERON_TEST_CRASH_AT: crash } })
                return { killed: run.signal === "SIGKILL" }
              })
              assert.ok(result.killed, `${crash} was never reached: the run ended without being killed (the scenario declares ${count} × ${step})`)
              assertConverged(result)
            })
          }
          if (FULL) {
            // One past the declared count: the run must finish, so the count is exact, not a lower bound.
            await t.test(`${step}#${count + 1} is not reached`, async () => {
              const target = await makeTarget(kind)
              try {
                await scenario.prepare(target)
                const run = await target.run(scenario.args, { env: { ...scenario.env, LAYERON_TEST_CRASH_AT: `${step}#${count + 1}` } })
                assert.equal(run.signal, null, `${step} is reached more than the ${count} times declared`)
                assert.equal(run.code, 0, run.stderr)
              } finally {
                await target.cleanup()
              }
            })
          }
        }
        for (const undeclared of CRASH_STEPS.filter((step) => !(step in scenario.reaches))) {
          t.diagnostic(`${undeclared}: not on this command's path`)
        }
        const random = seededRandom(SEED + SCENARIOS.indexOf(scenario) * 2 + TARGETS.indexOf(kind))
        for (let i = 0; i < RANDOM_KILLS; i++) {
          // Up to 1.2 × the undisturbed duration: a run that ended first is checked like any other.
          const delay = Math.floor(random() * expected.durationMs * 1.2)
          await t.test(`random instant #${i + 1} (${delay} ms)`, async (sub) => {
            const result = await cell(scenario, kind, expected, `random @ ${delay} ms`, async (target) => {
              const spawned = target.spawn(scenario.args, { env: { ...scenario.env } })
              const timer = setTimeout(() => spawned.child.kill("SIGKILL"), delay)
              const run = await spawned.done
              clearTimeout(timer)
              if (run.signal !== "SIGKILL") assert.equal(run.code, 0, `the run ended on its own, and failed: ${run.stderr}`)
              return { killed: run.signal === "SIGKILL" }
            })
            sub.diagnostic(result.killed ? "killed" : "finished before the kill")
            assertConverged(result)
          })
        }
      })
    }
  })
}

function assertConverged(result: CellResult): void {
  assert.equal(result.rerunExit, 0, `the rerun failed: ${result.inconsistent.join("; ")}`)
  assert.equal(result.lost, 0, `lost versions: ${result.inconsistent.join("; ")}`)
  assert.equal(result.doubled, 0, "a version beyond the undisturbed run's (double rotation)")
  assert.ok(result.converged, `not converged: ${result.inconsistent.join("; ")}`)
}

// The figures are published after every case, whatever ran: no test depends on running after the others.
after(async () => {
  const killed = results.filter((result) => result.killed)
  const rows = [...new Set(results.map((result) => `${result.scenario}|${result.target}`))].map((key) => {
    const [scenarioId, target] = key.split("|")
    const mine = results.filter((result) => result.scenario === scenarioId && result.target === target)
    return [
      SCENARIOS.find((candidate) => candidate.id === scenarioId)?.label ?? scenarioId ?? "",
      target ?? "",
      mine.filter((result) => !result.crash.startsWith("random")).length,
      mine.filter((result) => result.crash.startsWith("random")).length,
      mine.filter((result) => result.killed).length,
      mine.reduce((sum, result) => sum + result.lost, 0),
      mine.reduce((sum, result) => sum + result.doubled, 0),
      mine.filter((result) => !result.converged).length,
    ]
  })
  await publishFigures("crashes", {
    figures: {
      runs: results.length,
      killed: killed.length,
      lostVersions: results.reduce((sum, result) => sum + result.lost, 0),
      doubleRotations: results.reduce((sum, result) => sum + result.doubled, 0),
      rerunsNotConverged: results.filter((result) => !result.converged).length,
    },
    tables: [
      {
        title: "SIGKILL at each step (step#N for each time it is reached) and at random instants; then the same command again",
        columns: ["scenario", "target", "step kills", "random kills", "killed", "lost versions", "double rotations", "not converged"],
        rows,
      },
    ],
    details: results,
  })
})
