/**
 * Concurrency (issue 9, part 5): two writers of one environment at once. The first run (A)
 * is slowed inside its write (a latency fault on the emulator), and the second (B) starts
 * once A holds the environment lock, so the overlap is certain, not a matter of timing.
 * B must wait for A (default) or refuse with environment_locked (LAYERON_LOCK_WAIT_MS short),
 * and afterwards nothing may be lost: every version recorded, no double rotation, no random
 * secret created twice, every sealed copy matching the store. Plus unsynchronised races of
 * two processes on the local store, repeated.
 */
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { Fault } from "@layeron/cf-emulator"
import { jsonOf } from "../helpers/project.js"
import { pollUntil } from "../helpers/poll.js"
import type { LayerRun } from "../helpers/project.js"
import { startTestEmulator } from "./support/cloudflare.js"
import type { Emulator } from "./support/cloudflare.js"
import { publishFigures } from "./support/figures.js"
import { describeAudit, isConsistent, rotationStates } from "./support/ground-truth.js"
import { sized } from "./support/mode.js"
import { scenario, VALUE_A, VALUE_B } from "./support/scenarios.js"
import { createCloudflareTarget, createLocalTarget, observeTarget } from "./support/targets.js"
import type { Target } from "./support/targets.js"
import { parseStoredValue } from "../../packages/modules/src/envelope/index.js"

/** The current version's value of a stored text: a set of a rotating secret stores an envelope (its value is the next version). */
function currentOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const { envelope } = parseStoredValue(text)
  return envelope.versions[envelope.current]?.value
}

const RACES = sized(3, 10)
/** How long A's slowed request takes: long enough for B to start, observe and queue. */
const HOLD_MS = 2500

let emulator: Emulator
const rows: (string | number)[][] = []

before(async () => {
  emulator = await startTestEmulator()
})
after(() => emulator.close())

/** How many secrets a `secret rotate --apply --json` run rotated. */
function rotatedBy(run: LayerRun): number | undefined {
  try {
    return jsonOf<{ summary?: { rotated?: number } }>(run).summary?.rotated
  } catch {
    return undefined
  }
}

function codeOf(run: LayerRun): string {
  if (run.code === 0) return "ok"
  try {
    return jsonOf<{ error?: { code?: string } }>(run).error?.code ?? `exit ${run.code}`
  } catch {
    return `exit ${run.code}`
  }
}

interface Overlap {
  a: LayerRun
  b: LayerRun
  /** B was spawned while the lock file still named A's process: read after B's spawn, so B started before A released. */
  bStartedWhileAHeld: boolean
}

/** Start A with a slowed request, wait until it holds the environment lock, then start B and check A still holds it. */
async function overlapped(target: Target, a: readonly string[], b: readonly string[], slow: Fault, options: { envA?: Record<string, string>; envB?: Record<string, string> } = {}): Promise<Overlap> {
  emulator.setFault(slow)
  const lock = join(target.project.root, ".layeron", "locks", `${target.environment}.lock`)
  const first = target.spawn([...a, "--json"], { env: options.envA ?? {} })
  const holder = () => lockHolder(lock)
  await pollUntil(async () => (await holder()) === first.child.pid, { timeoutMs: 20_000, what: `A (pid ${first.child.pid}) to hold ${lock}` })
  const second = target.spawn([...b, "--json"], { env: options.envB ?? {} })
  const bStartedWhileAHeld = (await holder()) === first.child.pid
  const [runA, runB] = await Promise.all([first.done, second.done])
  emulator.clearFaults()
  return { a: runA, b: runB, bStartedWhileAHeld }
}

/** The pid the environment lock file names, or undefined when there is none. */
async function lockHolder(path: string): Promise<number | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined)
  if (text === undefined) return undefined
  try {
    return (JSON.parse(text) as { pid?: number }).pid
  } catch {
    return undefined // being written
  }
}

/** Record the case's row, then assert its overlap and its own outcome, in the case itself. */
function judge(label: string, outcome: string, overlap: boolean, ok: boolean, detail: string): void {
  rows.push([label, outcome, overlap && ok ? "yes" : "NO"])
  assert.ok(overlap, `${label}: B did not start while A held the environment lock, so the case proves nothing`)
  assert.ok(ok, `${label}: ${outcome}; ${detail}`)
}

const slowWrites: Fault = { kind: "latency", ms: HOLD_MS, method: "PATCH", next: 1 }
const slowCreate: Fault = { kind: "latency", ms: HOLD_MS, method: "POST", path: "/accounts/*/secrets_store/stores/*/secrets", next: 1 }

describe("two writers of one environment", () => {
  it("two `secret rotate --apply` at once: the second waits, finds nothing due, rotates nothing", async (t) => {
    const rotate = scenario("rotate")
    const single = await createCloudflareTarget(emulator)
    await rotate.prepare(single)
    assert.equal((await single.run(rotate.args)).code, 0)
    const expected = (await observeTarget(single)).end
    await single.cleanup()

    const target = await createCloudflareTarget(emulator)
    try {
      await rotate.prepare(target)
      const { a, b, bStartedWhileAHeld: overlap } = await overlapped(target, rotate.args, rotate.args, slowWrites)
      const observed = await observeTarget(target)
      const inconsistent = observed.audits.filter((audit) => !isConsistent(audit)).map(describeAudit)
      const same = JSON.stringify(observed.end) === JSON.stringify(expected)
      judge("rotate ∥ rotate (waits)", `A ${codeOf(a)}, B ${codeOf(b)}`, overlap, a.code === 0 && b.code === 0 && rotatedBy(b) === 0 && same && inconsistent.length === 0, `${inconsistent.join("; ")} end ${JSON.stringify(observed.end.versions)} vs ${JSON.stringify(expected.versions)}; ${b.stderr}`)
    } finally {
      await target.cleanup()
    }
  })

  it("two `secret rotate --apply` at once with a short lock wait: the second refuses and writes nothing", async (t) => {
    const rotate = scenario("rotate")
    const target = await createCloudflareTarget(emulator)
    try {
      await rotate.prepare(target)
      const { a, b, bStartedWhileAHeld: overlap } = await overlapped(target, rotate.args, rotate.args, slowWrites, { envB: { LAYERON_LOCK_WAIT_MS: "200" } })
      const observed = await observeTarget(target)
      const inconsistent = observed.audits.filter((audit) => !isConsistent(audit)).map(describeAudit)
      const refusal = codeOf(b)
      judge("rotate ∥ rotate (refuses)", `A ${codeOf(a)}, B ${refusal}`, overlap, a.code === 0 && refusal === "environment_locked" && inconsistent.length === 0, `${inconsistent.join("; ")}; ${b.stderr}`)
    } finally {
      await target.cleanup()
    }
  })

  it("`secret set` during a rotation: it waits, then its value is current and both writes are recorded", async (t) => {
    const rotate = scenario("rotate")
    const target = await createCloudflareTarget(emulator)
    try {
      await rotate.prepare(target)
      const set = ["secret", "set", "auth/session-key", "--value-env", "V"]
      const { a, b, bStartedWhileAHeld: overlap } = await overlapped(target, rotate.args, set, slowWrites, { envB: { V: VALUE_B } })
      const observed = await observeTarget(target)
      const inconsistent = observed.audits.filter((audit) => !isConsistent(audit)).map(describeAudit)
      const sessionKey = [...(await rotationStates(target.project.root, target.environment)).values()].find((state) => state.secret === "auth/session-key")
      const actions = sessionKey?.log.map((entry) => entry.action) ?? []
      const current = currentOf((await target.store()).get(sessionKey?.physicalName ?? "")?.value)
      const ok = a.code === 0 && b.code === 0 && current === VALUE_B && actions.slice(-2).join(",") === "rotate,set" && inconsistent.length === 0
      judge("rotate ∥ secret set", `A ${codeOf(a)}, B ${codeOf(b)}; log ${actions.join(",")}`, overlap, ok, `${inconsistent.join("; ")}; current is ${current === VALUE_B ? "B's value" : "not B's value"}; ${b.stderr}`)
    } finally {
      await target.cleanup()
    }
  })

  it("two deploys at once: the second waits and creates no random secret a second time", async (t) => {
    const deploy = scenario("deploy")
    const target = await createCloudflareTarget(emulator)
    try {
      const { a, b, bStartedWhileAHeld: overlap } = await overlapped(target, deploy.args, deploy.args, slowCreate)
      const observed = await observeTarget(target)
      const inconsistent = observed.audits.filter((audit) => !isConsistent(audit)).map(describeAudit)
      const states = [...(await rotationStates(target.project.root, target.environment)).values()]
      const created = states.map((state) => `${state.secret}×${state.log.filter((entry) => entry.action === "deploy").length}`)
      const twice = states.filter((state) => state.log.filter((entry) => entry.action === "deploy").length > 1)
      judge("deploy ∥ deploy", `A ${codeOf(a)}, B ${codeOf(b)}; created ${created.join(", ")}`, overlap, a.code === 0 && b.code === 0 && twice.length === 0 && inconsistent.length === 0, `${inconsistent.join("; ")}; created twice: ${twice.map((state) => state.secret).join(", ") || "none"}; ${b.stderr.slice(-400)}`)
    } finally {
      await target.cleanup()
    }
  })

  it("two `secret set` of one secret at once: both recorded, the last one current", async () => {
    const target = await createCloudflareTarget(emulator)
    try {
      const set = ["secret", "set", "auth/session-key", "--value-env", "V"]
      // A third value first: setting the value the current version already holds writes nothing (`unchanged`).
      await target.run(set, { env: { V: "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA" } })
      const { a, b, bStartedWhileAHeld: overlap } = await overlapped(target, set, set, slowWrites, { envA: { V: VALUE_A }, envB: { V: VALUE_B } })
      const observed = await observeTarget(target)
      const inconsistent = observed.audits.filter((audit) => !isConsistent(audit)).map(describeAudit)
      const state = [...(await rotationStates(target.project.root, target.environment)).values()].find((candidate) => candidate.secret === "auth/session-key")
      const current = currentOf((await target.store()).get(state?.physicalName ?? "")?.value)
      judge("secret set ∥ secret set", `A ${codeOf(a)}, B ${codeOf(b)}; ${state?.log.length ?? 0} writes logged`, overlap, a.code === 0 && b.code === 0 && current === VALUE_B && state?.log.length === 3 && inconsistent.length === 0, `${inconsistent.join("; ")}`)
    } finally {
      await target.cleanup()
    }
  })
})

describe("unsynchronised races on the local store (no overlap is claimed: both start at once)", () => {
  const kinds: { label: string; a: string[]; b: string[]; envA?: Record<string, string>; envB?: Record<string, string>; prepare?: (target: Target) => Promise<void> }[] = [
      { label: "local set ∥ set", a: ["secret", "set", "auth/session-key", "--value-env", "V"], b: ["secret", "set", "auth/session-key", "--value-env", "V"], envA: { V: VALUE_A }, envB: { V: VALUE_B } },
      { label: "local rotate ∥ rotate", a: [...scenario("rotate").args], b: [...scenario("rotate").args], prepare: scenario("rotate").prepare },
      { label: "local rotate ∥ set", a: [...scenario("rotate").args], b: ["secret", "set", "auth/session-key", "--value-env", "V"], envB: { V: VALUE_B }, prepare: scenario("rotate").prepare },
      { label: "local deploy ∥ deploy", a: [...scenario("deploy").args], b: [...scenario("deploy").args] },
  ]
  for (const kind of kinds) {
    it(`${kind.label}, ${RACES} races: both succeed, nothing lost, nothing done twice`, async () => {
      const failures: string[] = []
      let clean = 0
      const outcomes = new Map<string, number>()
      for (let i = 0; i < RACES; i++) {
        const target = await createLocalTarget()
        try {
          await kind.prepare?.(target)
          const first = target.spawn([...kind.a, "--json"], { env: kind.envA ?? {} })
          const second = target.spawn([...kind.b, "--json"], { env: kind.envB ?? {} })
          const [a, b] = await Promise.all([first.done, second.done])
          const outcome = `A ${codeOf(a)}, B ${codeOf(b)}`
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
          const observed = await observeTarget(target)
          const inconsistent = observed.audits.filter((audit) => !isConsistent(audit)).map(describeAudit)
          const states = [...(await rotationStates(target.project.root, target.environment)).values()]
          const createdTwice = states.filter((state) => state.log.filter((entry) => entry.action === "deploy").length > 1).map((state) => state.secret)
          const rotatedTwice = states.filter((state) => state.log.filter((entry) => entry.action === "rotate").length > 1).map((state) => state.secret)
          const ok = a.code === 0 && b.code === 0 && inconsistent.length === 0 && createdTwice.length === 0 && rotatedTwice.length === 0
          if (ok) clean++
          else failures.push(`${kind.label} #${i + 1}: ${outcome}; ${inconsistent.join("; ")}; created twice: ${createdTwice.join(",") || "none"}; rotated twice: ${rotatedTwice.join(",") || "none"}`)
        } finally {
          await target.cleanup()
        }
      }
      rows.push([kind.label, [...outcomes].map(([outcome, n]) => `${outcome} ×${n}`).join("; "), clean === RACES ? "yes" : `NO (${RACES - clean} of ${RACES})`])
      assert.deepEqual(failures, [])
    })
  }
})

// The figures are published after every case, whatever ran: no test depends on running after the others.
after(async () => {
  await publishFigures("concurrency", {
    figures: { cases: rows.length, failed: rows.filter((row) => row[2] !== "yes").length },
    tables: [{ title: "two writers of one environment (A, B: exit or error code)", columns: ["case", "outcome", "nothing lost"], rows }],
  })
})
