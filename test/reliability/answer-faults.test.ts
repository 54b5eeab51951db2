/**
 * Answers that hang or mislead (issue #25): the emulator's answer faults, on every request of
 * one Cloudflare account, against each writing command and `secret list`:
 *
 * - a body dripped one byte every 500 ms, and headers followed by nothing: `cloudflare_timeout`;
 * - ever-new pages, `result: null`, no `result`: `cloudflare_unexpected_answer`;
 * - the connection closed mid-body: `cloudflare_unreachable`.
 *
 * Each run uses a small deadline (LAYERON_HTTP_TIMEOUT_S=2) and must end within BOUND_MS,
 * exit 1 with the documented code naming the request, write nothing (the project's
 * .layeron/, LAYERON_HOME and the account's secrets and scripts are unchanged), and never
 * advise deleting rotation state. The same command run again without the fault must succeed.
 * Cells run concurrently, each on its own account and project. The default run takes each
 * fault once, the commands in turn (so every command meets a fault, and `secret set` the
 * drip); LAYERON_RELIABILITY_FULL=1 runs every fault against every command.
 */
import assert from "node:assert/strict"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { Fault } from "@layeron/cf-emulator"
import { startTestEmulator } from "./support/cloudflare.js"
import type { Emulator } from "./support/cloudflare.js"
import { FULL } from "./support/mode.js"
import { VALUE_A, scenario } from "./support/scenarios.js"
import { createCloudflareTarget } from "./support/targets.js"
import type { Target } from "./support/targets.js"

/** Small, yet above what a normal answer takes on a loaded 2-core machine (0.5 s was not). */
const DEADLINE_S = 2
/**
 * One call's deadlines (it starts no attempt after three, so it ends within four; a command
 * stops at its first call that runs out of them, and sends nothing after), plus process start and project loading, which took up to 20 s on a
 * shared machine under a load of 27. Without a body deadline a drip of a few hundred bytes at
 * 500 ms a byte takes minutes, and a stall never ends (the helper kills a run at 60 s): both
 * far outside this bound.
 */
const BOUND_MS = 4 * DEADLINE_S * 1000 + 30_000

type FaultAction = Omit<Fault, "path">

interface AnswerFault {
  id: string
  fault: FaultAction
  code: "cloudflare_timeout" | "cloudflare_unexpected_answer" | "cloudflare_unreachable"
}

const FAULTS: readonly AnswerFault[] = [
  { id: "body dripped one byte at a time", fault: { kind: "drip", intervalMs: 500 }, code: "cloudflare_timeout" },
  { id: "stall after headers", fault: { kind: "stall_after_headers" }, code: "cloudflare_timeout" },
  { id: "ever-new pages", fault: { kind: "endless_pages", pages: "new", method: "GET" }, code: "cloudflare_unexpected_answer" },
  { id: "result: null", fault: { kind: "malformed_result", result: "null" }, code: "cloudflare_unexpected_answer" },
  { id: "no result", fault: { kind: "malformed_result", result: "absent" }, code: "cloudflare_unexpected_answer" },
  { id: "connection closed mid-body", fault: { kind: "close_mid_body" }, code: "cloudflare_unreachable" },
]

interface Command {
  id: string
  prepare(target: Target): Promise<void>
  args: readonly string[]
  env?: Record<string, string>
  /** After the rerun: what a user would check to see that it converged. */
  converged(target: Target): Promise<void>
}

async function mustRun(target: Target, args: readonly string[], env: Record<string, string> = {}): Promise<void> {
  const run = await target.run(args, { env })
  assert.equal(run.code, 0, `preparing: layer ${args.join(" ")}: ${run.stderr}`)
}

const storedNames = async (target: Target) => [...(await target.store()).keys()]

const COMMANDS: readonly Command[] = [
  {
    id: "secret set",
    prepare: async () => {},
    args: ["secret", "set", "auth/session-key", "--value-env", "V"],
    env: { V: VALUE_A },
    converged: async (target) => assert.equal((await storedNames(target)).length, 2, "the secret and its sealing key"),
  },
  {
    id: "secret list",
    prepare: (target) => mustRun(target, ["secret", "set", "auth/session-key", "--value-env", "V"], { V: VALUE_A }),
    args: ["secret", "list"],
    converged: async () => {},
  },
  {
    id: "secret import",
    prepare: (target) => writeFile(join(target.project.root, "import.env"), "STRIPE_SECRET=sk_test_answer_faults_0001\nPARTNER_TOKEN=partner-answer-faults-0002\n"),
    args: ["secret", "import", "import.env", "--yes"],
    converged: async (target) => {
      const names = await storedNames(target)
      for (const name of ["PARTNER_TOKEN", "STRIPE_SECRET"]) assert.ok(names.includes(name), `${name} imported`)
    },
  },
  {
    id: "secret rotate --apply",
    prepare: (target) => scenario("rotate").prepare(target),
    args: ["secret", "rotate", "--apply", "--yes"],
    converged: async (target) => {
      const plan = await target.run(["secret", "rotate"])
      assert.equal(plan.code, 0, `nothing is due after the rerun: ${plan.stdout}`)
    },
  },
  {
    id: "deploy",
    prepare: async () => {},
    args: ["deploy", "--yes"],
    converged: async (target) => assert.ok(target.cloudflare!.emulator.scripts.some((script) => script.accountId === target.cloudflare!.accountId), "the Workers are uploaded"),
  },
]

let emulator: Emulator
before(async () => {
  emulator = await startTestEmulator()
})
after(() => emulator.close())

/** What a failed run must leave as it found it: local files and the account. */
async function writable(target: Target): Promise<string> {
  const files = [...(await target.project.snapshot()).entries()].sort()
  const account = emulator.accounts.find((candidate) => candidate.id === target.cloudflare!.accountId)
  return JSON.stringify({ files, account })
}

describe("answers that hang or mislead: bounded, named, nothing written, converges", { concurrency: 4 }, () => {
  const cells = FULL ? FAULTS.flatMap((fault) => COMMANDS.map((command) => ({ fault, command }))) : FAULTS.map((fault, index) => ({ fault, command: COMMANDS[index % COMMANDS.length]! }))
  for (const { fault, command } of cells) {
    it(`${fault.id}: ${command.id}`, async () => {
      const target = await createCloudflareTarget(emulator, { maxRetryWaitMs: 2_000 })
      try {
        await command.prepare(target)
        const before = await writable(target)
        const faultId = emulator.setFault({ ...fault.fault, path: `/accounts/${target.cloudflare!.accountId}/**` } as Fault)
        const started = Date.now()
        const first = await target.run([...command.args, "--json"], { env: { ...command.env, LAYERON_HTTP_TIMEOUT_S: String(DEADLINE_S) } })
        const tookMs = Date.now() - started
        emulator.clearFault(faultId)

        assert.ok(tookMs <= BOUND_MS, `ended after ${tookMs} ms, over the bound of ${BOUND_MS} ms`)
        assert.equal(first.code, 1, `exit ${first.code}: ${first.stderr.slice(-400)}`)
        const error = (JSON.parse(first.stdout) as { error: { code: string; message: string; hint?: string } }).error
        assert.equal(error.code, fault.code, error.message)
        assert.match(error.message, /(GET|POST|PATCH|PUT|DELETE) \/accounts\/[0-9a-f]{32}\//, "the request is named")
        assert.doesNotMatch(`${first.stdout}\n${first.stderr}`, /secret-rotation|discard-history|delete \.layeron|reset-local/, "no advice to delete rotation state")
        assert.equal(await writable(target), before, "nothing written, locally or in the account")

        const rerun = await target.run(command.args, { env: command.env })
        assert.equal(rerun.code, 0, `the rerun without the fault: ${rerun.stderr.slice(-400)}`)
        await command.converged(target)
      } finally {
        await target.cleanup()
      }
    })
  }
})
