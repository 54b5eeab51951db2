/**
 * The `layer dev` soak: a steady, bounded stream of requests on loopback while the things a
 * developer does all day happen underneath: code saved (a rebuild restarts workerd), a value
 * set, a rotation applied. It records requests, errors, wrong answers, p50/p99 latency and the
 * memory (RSS) of the CLI and of workerd at start and end.
 *
 * Goal: 0 errors, 0 wrong answers, memory that levels off. A wrong answer is one that names a
 * build, a value or a version that was never written; after each change the test waits (with a
 * deadline) until the new state answers, so a change that is never picked up fails too.
 *
 * Length and rate: 40 s at 20 requests/s in the default run, 600 s at 40 requests/s with
 * LAYERON_RELIABILITY_FULL=1 (the figures in docs/reliability.md); LAYERON_SOAK_S sets another
 * length. At most 8 requests are in
 * flight; every request goes to 127.0.0.1.
 */
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { after, describe, it } from "node:test"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { startDev, until, urls, workerdChildrenOf } from "../e2e/dev-process.js"
import { publishFigures } from "./support/figures.js"
import { sized } from "./support/mode.js"

const SECONDS = Number(process.env.LAYERON_SOAK_S ?? sized(40, 600))
const RATE = sized(20, 40)
const MAX_IN_FLIGHT = 8
/** A change every this many seconds, in turn: a save, a value set, a rotation. */
const CHANGE_EVERY_S = sized(5, 20)

const api = (build: number) => `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
const app = backend({ name: "api", compatibilityDate: "2026-04-01" })
const stripe = secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" })
const session = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
app.use(stripe)
app.use(session)
const digest = async (text: string) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 12)
app.get("/state", async (c) => {
  const current = await session.current().resolve()
  return c.json({ build: ${build}, stripe: await digest(await stripe.current().text()), session: current.version })
})
export default app
`

const fingerprint = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 12)

/** Resident memory of a process in MiB (Linux /proc), or undefined. */
function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]
    return kib ? Math.round(Number(kib) / 102.4) / 10 : undefined
  } catch {
    return undefined
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

const projects: TestProject[] = []
after(async () => {
  for (const project of projects) await project.cleanup()
})

describe("reliability: layer dev soak", () => {
  const budgetMs = (SECONDS + 240) * 1000
  it(`${SECONDS} s at ${RATE} requests/s while code is saved, values set and rotations applied: 0 errors, 0 wrong answers`, { timeout: budgetMs }, async () => {
    const project = await createProject({ "src/api.ts": api(0) })
    projects.push(project)
    const values = ["soak-value-0-4c1f9e"]
    assert.equal((await project.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "V"], { env: { V: values[0] } })).code, 0)
    assert.equal((await project.layer(["deploy", "--yes"])).code, 0)

    // Alive for the whole run: the helper's default kill after 120 s was what ended every longer
    // run (a change "never picked up" by a dev that was gone), not layer dev.
    const dev = await startDev(project, 0, { args: ["--debug"], timeoutMs: budgetMs })
    const written = { builds: new Set([0]), stripe: new Set([fingerprint(values[0]!)]), sessions: new Set(["v1"]) }
    const latencies: number[] = []
    const errors: string[] = []
    const wrong: string[] = []
    const memory: { at: string; cli?: number; workerd?: number }[] = []
    const sampleMemory = (at: string) => memory.push({ at, cli: rssMiB(dev.child.pid), workerd: rssMiB(workerdChildrenOf(dev.child.pid ?? 0)[0]) })
    let latest = { build: 0, stripe: fingerprint(values[0]!), session: "v1" }
    try {
      const url = (await urls(dev)).get("api") ?? ""
      sampleMemory("start")

      const seen: (typeof latest)[] = []
      let inFlight = 0
      let sent = 0
      const one = async () => {
        inFlight += 1
        const started = performance.now()
        try {
          const response = await fetch(`${url}/state`)
          const text = await response.text()
          latencies.push(performance.now() - started)
          if (response.status !== 200) return void errors.push(`${response.status}: ${text.slice(0, 160)}`)
          const answer = JSON.parse(text) as typeof latest
          if (!written.builds.has(answer.build) || !written.stripe.has(answer.stripe) || !written.sessions.has(answer.session)) wrong.push(text)
          else seen.push(answer)
        } catch (error) {
          errors.push(String((error as { cause?: unknown }).cause ?? error))
        } finally {
          inFlight -= 1
        }
      }
      const answers = (state: typeof latest) => seen.some((answer) => answer.build === state.build && answer.stripe === state.stripe && answer.session === state.session)

      // The load: one request every 1000/RATE ms, skipped (and counted) while MAX_IN_FLIGHT are pending.
      let skipped = 0
      const pending: Promise<void>[] = []
      const load = setInterval(() => {
        if (inFlight >= MAX_IN_FLIGHT) return void (skipped += 1)
        sent += 1
        pending.push(one())
      }, 1000 / RATE)

      // The changes, in turn, each waited for until it answers.
      const endAt = Date.now() + SECONDS * 1000
      const changes = { saves: 0, sets: 0, rotations: 0 }
      for (let step = 1; Date.now() + CHANGE_EVERY_S * 1000 < endAt; step += 1) {
        await new Promise((resolve) => setTimeout(resolve, CHANGE_EVERY_S * 1000))
        if (step % 3 === 1) {
          written.builds.add(step)
          await project.write("src/api.ts", api(step))
          latest = { ...latest, build: step }
          changes.saves += 1
        } else if (step % 3 === 2) {
          const value = `soak-value-${step}-${fingerprint(String(step))}`
          values.push(value)
          written.stripe.add(fingerprint(value))
          const set = await project.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "V"], { env: { V: value } })
          assert.equal(set.code, 0, set.stderr)
          latest = { ...latest, stripe: fingerprint(value) }
          changes.sets += 1
        } else {
          const version = `v${changes.rotations + 2}`
          written.sessions.add(version)
          // Each rotation 31 days after the last (the secret rotates every 30).
          const at = new Date(Date.now() + (changes.rotations + 1) * 31 * 86_400_000).toISOString()
          const rotated = await project.layer(["secret", "rotate", "--apply", "--yes"], { env: { LAYERON_TEST_NOW: at } })
          assert.equal(rotated.code, 0, rotated.stderr)
          latest = { ...latest, session: version }
          changes.rotations += 1
        }
        const expected = latest
        seen.length = 0
        await until(`step ${step} answering (${JSON.stringify(expected)})`, async () => (answers(expected) ? true : undefined), dev, 60_000)
        sampleMemory(`step ${step}`)
      }
      while (Date.now() < endAt) await new Promise((resolve) => setTimeout(resolve, 200))
      clearInterval(load)
      await Promise.all(pending)
      sampleMemory("end")

      const sorted = [...latencies].sort((a, b) => a - b)
      const start = memory[0]!
      const end = memory[memory.length - 1]!
      const half = memory.slice(Math.floor(memory.length / 2))
      await publishFigures("dev-soak", {
        figures: {
          seconds: SECONDS,
          ratePerSecond: RATE,
          requests: sent,
          skippedAtCap: skipped,
          errors: errors.length,
          wrongAnswers: wrong.length,
          p50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
          p99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
          ...changes,
          cliRssMiB: { start: start.cli, end: end.cli, maxSecondHalf: Math.max(...half.map((m) => m.cli ?? 0)) },
          workerdRssMiB: { start: start.workerd, end: end.workerd, maxSecondHalf: Math.max(...half.map((m) => m.workerd ?? 0)) },
        },
        tables: [{ title: "memory (RSS, MiB) after each change", columns: ["when", "CLI", "workerd"], rows: memory.map((m) => [m.at, m.cli ?? "?", m.workerd ?? "?"]) }],
        details: { errors: errors.slice(0, 20), wrong: wrong.slice(0, 20) },
      })
      assert.ok(changes.saves >= 1 && changes.sets >= 1 && changes.rotations >= 1, `every kind of change happened: ${JSON.stringify(changes)}`)
      assert.deepEqual(errors, [], `${errors.length} of ${sent} requests failed`)
      assert.deepEqual(wrong, [], `${wrong.length} wrong answers`)
      // A floor that proves the load ran, far below the rate: a busy machine answers slower, and the cap then skips ticks.
      assert.ok(sent >= SECONDS * 2, `only ${sent} requests were sent (${skipped} skipped at the in-flight cap)`)
    } finally {
      dev.child.kill("SIGINT")
      await dev.exited
    }
  })
})
