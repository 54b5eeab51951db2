/**
 * Fault matrix (issue 9, part 3): each Cloudflare API fault, injected at each request
 * position of `secret set`, `secret rotate --apply` and `deploy` (request K of the command,
 * counted from an undisturbed run), in two regimes:
 * - with retries (LAYERON_MAX_RETRY_WAIT_MS=5000): the client should ride the fault out;
 * - without (LAYERON_MAX_RETRY_WAIT_MS=0): the command fails at that request.
 * Either way the same command is then run again with no fault, and must succeed and leave
 * the emulator's secrets and the rotation state as an undisturbed run leaves them, with every
 * sealed copy matching the store (ground-truth.ts).
 *
 * Faults: 429 with retry-after (1 s), 429 without, Cloudflare's 5-minute block (the global
 * rate limit at small numbers: 40 requests per minute, 300 s block, ended with the emulator's
 * clock), 500 (JSON), 502 and 503 (HTML), a timeout (latency 1 s over a 300 ms client timeout;
 * the emulator then drops the request), a connection reset before the request is handled, a
 * lost answer (the request is carried out and the connection drops before the answer: a
 * write that landed while the client saw a failure; made by support/answer-lost-proxy.ts),
 * and a slow answer (250 ms, under the timeout). Timeout and retry budgets are the ones
 * docs/cloudflare.md documents: LAYERON_MAX_RETRY_WAIT_MS and LAYERON_REQUEST_TIMEOUT_MS.
 */
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { pollUntil } from "../helpers/poll.js"
import type { Fault } from "@layeron/cf-emulator"
import { startAnswerLostProxy } from "./support/answer-lost-proxy.js"
import type { AnswerLostProxy } from "./support/answer-lost-proxy.js"
import { startTestEmulator } from "./support/cloudflare.js"
import type { Emulator } from "./support/cloudflare.js"
import { publishFigures } from "./support/figures.js"
import { describeAudit, isConsistent } from "./support/ground-truth.js"
import { FULL } from "./support/mode.js"
import { SCENARIOS } from "./support/scenarios.js"
import type { Scenario } from "./support/scenarios.js"
import { createCloudflareTarget, observeTarget } from "./support/targets.js"
import type { EndState, Target } from "./support/targets.js"

type Regime = "retry" | "no-retry"

interface FaultKind {
  id: string
  /** Regimes this fault runs in (a slow answer needs no retry; the block outlasts any budget). */
  regimes: readonly Regime[]
  /** The emulator fault at request K of the command (the block and the lost answer are set up separately). */
  fault?: (position: number) => Fault
  /** Carry out request K, then drop the connection before the answer (through the proxy). */
  lostAnswer?: true
  /** Extra environment for the faulted run. */
  env?: Record<string, string>
  /** A late request may still be in flight after the run ends: wait until the emulator has answered it before rerunning. */
  lateRequests?: true
}

const RATE_LIMIT = { requests: 40, windowMs: 60_000, blockMs: 300_000 }

const FAULTS: readonly FaultKind[] = [
  { id: "429 retry-after 1s", regimes: ["retry", "no-retry"], fault: (k) => ({ kind: "rate_limit", retryAfterSeconds: 1, requestNumber: k }) },
  { id: "429 no retry-after", regimes: ["retry", "no-retry"], fault: (k) => ({ kind: "rate_limit", requestNumber: k }) },
  { id: "5-minute block", regimes: ["retry"] },
  { id: "500", regimes: ["retry", "no-retry"], fault: (k) => ({ kind: "server_error", status: 500, requestNumber: k }) },
  { id: "502", regimes: ["retry", "no-retry"], fault: (k) => ({ kind: "server_error", status: 502, requestNumber: k }) },
  { id: "503", regimes: ["retry", "no-retry"], fault: (k) => ({ kind: "server_error", status: 503, requestNumber: k }) },
  { id: "timeout", regimes: ["retry", "no-retry"], fault: (k) => ({ kind: "latency", ms: 1000, requestNumber: k }), env: { LAYERON_REQUEST_TIMEOUT_MS: "300" }, lateRequests: true },
  { id: "connection reset", regimes: ["retry", "no-retry"], fault: (k) => ({ kind: "drop_connection", requestNumber: k }) },
  { id: "answer lost (write landed)", regimes: ["retry", "no-retry"], lostAnswer: true },
  { id: "slow answer 250ms", regimes: ["retry"], fault: (k) => ({ kind: "latency", ms: 250, requestNumber: k }) },
]

const BUDGET: Record<Regime, string> = { retry: "5000", "no-retry": "0" }

let emulator: Emulator
/** A second emulator whose global rate limit is small, for the block. */
let limited: Emulator
let proxy: AnswerLostProxy

interface CellResult {
  scenario: string
  fault: string
  regime: Regime
  position: number
  /** The method and path of request K in the faulted run (concurrent rotations may reorder requests). */
  request: string
  /** The fault met its request (false when the run made fewer than K requests): such a cell counts for nothing. */
  fired: boolean
  firstExit: number | null
  firstStderr: string
  rerunExit: number | null
  converged: boolean
  problems: string[]
}

const results: CellResult[] = []
const positionsByScenario = new Map<string, number>()

before(async () => {
  emulator = await startTestEmulator()
  limited = await startTestEmulator({ rateLimit: RATE_LIMIT })
  proxy = await startAnswerLostProxy(emulator.url)
})
after(async () => {
  await proxy.close()
  await emulator.close()
  await limited.close()
})

interface Baseline {
  end: EndState
  /** "METHOD path" of each request the command made. */
  requests: string[]
}

async function baseline(scenario: Scenario): Promise<Baseline> {
  const target = await createCloudflareTarget(emulator)
  try {
    await scenario.prepare(target)
    emulator.resetRequestLog()
    const run = await target.run(scenario.args, { env: { ...scenario.env } })
    assert.equal(run.code, 0, `undisturbed ${scenario.label}: ${run.stderr}`)
    const requests = emulator.requests.map((request) => `${request.method} ${request.path.replace(/[0-9a-f]{32}/g, "…")}`)
    const observation = await observeTarget(target)
    assert.deepEqual(observation.audits.filter((audit) => !isConsistent(audit)).map(describeAudit), [], "the undisturbed run leaves an inconsistent state")
    return { end: observation.end, requests }
  } finally {
    await target.cleanup()
  }
}

/** Use up the token's allowance so that the command's request K is the first one refused. */
async function primeBlock(target: Target, position: number): Promise<void> {
  const used = limited.requests.length
  const fillers = RATE_LIMIT.requests - used - (position - 1)
  assert.ok(fillers >= 0, `the block cannot start at request ${position}: ${used} requests were used preparing`)
  for (let i = 0; i < fillers; i++) {
    const response = await fetch(`${limited.url}/user/tokens/verify`, { headers: { authorization: `Bearer ${target.cloudflare!.token}` } })
    await response.arrayBuffer()
  }
}

async function runCell(scenario: Scenario, fault: FaultKind, regime: Regime, position: number, expected: Baseline): Promise<CellResult> {
  const blocking = fault.fault === undefined && !fault.lostAnswer
  const server = blocking ? limited : emulator
  const target = await createCloudflareTarget(server)
  try {
    server.resetRequestLog()
    await scenario.prepare(target)
    const preparedRequests = server.requests.length
    if (blocking) await primeBlock(target, position)
    else if (fault.lostAnswer) proxy.loseAnswerTo(position)
    else server.setFault(fault.fault!(position))
    const through = fault.lostAnswer ? { CLOUDFLARE_API_BASE_URL: proxy.url } : {}
    const first = await target.run(scenario.args, { env: { ...scenario.env, ...fault.env, ...through, LAYERON_MAX_RETRY_WAIT_MS: BUDGET[regime] } })
    const made = server.requests.slice(preparedRequests)
    const fired = fault.lostAnswer ? proxy.fired : blocking ? made.some((entry) => entry.status === 429) : made.some((entry) => entry.faults.length > 0)
    const request = made[position - 1]
    server.clearFaults()
    proxy.loseAnswerTo(undefined)
    // The slowed request the client gave up on is still carried out: wait for its answer, not for a fixed time.
    if (fault.lateRequests) await pollUntil(() => server.requests.slice(preparedRequests).every((entry) => entry.status !== null || !entry.faults.some((label) => label.startsWith("latency"))), { timeoutMs: 10_000, what: "the slowed request to be answered" })
    if (blocking) server.advanceClock(RATE_LIMIT.blockMs + RATE_LIMIT.windowMs)
    const rerun = await target.run(scenario.args, { env: { ...scenario.env } })
    const observation = await observeTarget(target)
    const problems = observation.audits.filter((audit) => !isConsistent(audit)).map(describeAudit)
    if (rerun.code !== 0) problems.push(`rerun exit ${rerun.code}: ${lastLines(rerun.stderr)}`)
    if (JSON.stringify(observation.end) !== JSON.stringify(expected.end)) problems.push(`end state differs: ${JSON.stringify(observation.end.versions)}`)
    if (/at [A-Za-z]+ \(|node:internal|unexpected failure/.test(first.stderr)) problems.push(`the faulted run crashed: ${lastLines(first.stderr)}`)
    const result: CellResult = {
      scenario: scenario.id,
      fault: fault.id,
      regime,
      position,
      request: request ? `${request.method} ${request.path.replace(/[0-9a-f]{32}/g, "…")}` : "(none)",
      fired,
      firstExit: first.code,
      firstStderr: lastLines(first.stderr),
      rerunExit: rerun.code,
      converged: problems.length === 0,
      problems,
    }
    results.push(result)
    return result
  } finally {
    server.clearFaults()
    await target.cleanup()
  }
}

/** A cell holds only if its fault fired, its first run ended as its regime says, and the rerun converged. */
function assertCell(fault: FaultKind, result: CellResult): void {
  assert.ok(result.fired, `the fault never met request ${result.position}: the cell disturbed nothing`)
  if (expectsFailure(fault, result.regime)) {
    assert.equal(result.firstExit, 1, `without a retry budget the run must fail at the fault (exit 1), not hide it: exit ${result.firstExit}`)
  } else {
    assert.equal(result.firstExit, 0, `the retries did not ride out the fault: exit ${result.firstExit}: ${result.firstStderr}`)
  }
  assert.deepEqual(result.problems, [], "the rerun did not converge")
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-2).join(" | ")
}

/**
 * Which (fault, regime, position) cells run. Full: all. Default: every fault once, regimes
 * and positions taken in turn, so a default run still spreads over the whole command.
 */
function cellsFor(count: number): { fault: FaultKind; regime: Regime; position: number }[] {
  const cells: { fault: FaultKind; regime: Regime; position: number }[] = []
  let turn = 0
  for (const fault of FAULTS) {
    if (FULL) {
      for (const regime of fault.regimes) for (let position = 1; position <= count; position++) cells.push({ fault, regime, position })
      continue
    }
    const regime = fault.regimes[turn % fault.regimes.length] as Regime
    cells.push({ fault, regime, position: ((turn++ * 3) % count) + 1 })
  }
  return cells
}

/** The block outlasts any budget, and without retries any fault ends the run: those cells are expected to fail first. */
function expectsFailure(fault: FaultKind, regime: Regime): boolean {
  return regime === "no-retry" || (fault.fault === undefined && !fault.lostAnswer)
}

/** The default run covers the first write and rotation; the full run every scenario. */
const DEFAULT_SCENARIOS = new Set<Scenario["id"]>(["set-first", "rotate"])

describe("Cloudflare faults at each request position", () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.label}`, async (t) => {
      if (!FULL && !DEFAULT_SCENARIOS.has(scenario.id)) {
        t.skip("full run only (LAYERON_RELIABILITY_FULL=1)")
        return
      }
      const expected = await baseline(scenario)
      positionsByScenario.set(scenario.id, expected.requests.length)
      for (const { fault, regime, position } of cellsFor(expected.requests.length)) {
        await t.test(`${fault.id} (${regime}) at request ${position} of ${expected.requests.length}`, async () => {
          const result = await runCell(scenario, fault, regime, position, expected)
          assertCell(fault, result)
        })
      }
    })
  }
})

// The figures are published after every case, whatever ran: no test depends on running after the others.
after(async () => {
  const scenarios = [...new Set(results.map((result) => result.scenario))]
  const rows = scenarios.flatMap((id) =>
    FAULTS.map((fault) => {
      const all = results.filter((result) => result.scenario === id && result.fault === fault.id)
      const mine = all.filter((result) => result.fired)
      const retried = mine.filter((result) => !expectsFailure(fault, result.regime))
      const unretried = mine.filter((result) => expectsFailure(fault, result.regime))
      return [
        id,
        fault.id,
        new Set(mine.map((result) => result.position)).size,
        retried.length ? `${retried.filter((result) => result.firstExit === 0).length}/${retried.length}` : "-",
        unretried.length ? `${unretried.filter((result) => result.firstExit !== 0).length}/${unretried.length}` : "-",
        `${mine.filter((result) => result.converged).length}/${mine.length}`,
        all.length - mine.length,
      ]
    }),
  )
  await publishFigures("faults", {
    figures: {
      cells: results.filter((result) => result.fired).length,
      faultNotReached: results.filter((result) => !result.fired).length,
      rerunsConverged: results.filter((result) => result.fired && result.converged).length,
      rerunsNotConverged: results.filter((result) => !result.converged).length,
      requestPositions: Object.fromEntries(positionsByScenario),
      faults: FAULTS.map((fault) => fault.id),
    },
    tables: [
      {
        title: "faults × request positions: did the faulted run ride it out or fail cleanly, and did the rerun converge",
        columns: ["scenario", "fault", "positions", "ridden out (with retries)", "failed at once (no retries, or the block)", "rerun converged", "not reached"],
        rows,
      },
    ],
    details: results,
  })
})
