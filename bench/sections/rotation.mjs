/**
 * Section "rotation": `layer secret rotate --apply --yes` of 100 due secrets (Cloudflare's
 * account quota) against the API emulator with 50 ms added to every request. Reports the
 * requests made, the 429s received (goal: none) and wall time against the ideal, the time
 * the requests alone would take at the CLI's concurrency: requests × 50 ms ÷ concurrency
 * (goal: within 1.3x; the rest is the CLI's own start and work).
 */
import { measuredRow, notMeasuredRow, describeFailure } from "../lib/rows.mjs"
import { stats } from "../lib/measure.mjs"
import { FULL_SCALE, LATENCY_MS, openScaleProject, QUICK_SCALE } from "../lib/scale.mjs"
import { prepareDueRotations, ROTATE_APPLY } from "../lib/rotation-runs.mjs"

export const name = "rotation"

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  const count = quick ? QUICK_SCALE : FULL_SCALE
  const label = `rotate --apply, ${count} due secrets, +${LATENCY_MS} ms/request`
  const notMeasured = (reason) => [
    notMeasuredRow({ section: name, measure: `${label}: wall / ideal`, goal: { atMost: 1.3, of: "median" }, reason }),
    notMeasuredRow({ section: name, measure: `${label}: requests`, unit: "count", reason }),
    notMeasuredRow({ section: name, measure: `${label}: 429 answers`, unit: "count", goal: { atMost: 0, of: "max" }, reason }),
  ]
  const scale = await openScaleProject({ count, kind: "generated" })
  try {
    const due = await prepareDueRotations(scale)
    const samples = []
    for (let i = 0; i < runs; i++) {
      const timed = await scale.timed(ROTATE_APPLY, { env: due.nextEnv() })
      due.check(timed.document)
      samples.push(timed)
    }
    const concurrency = due.concurrency
    const ideal = samples.map((s) => (s.total * LATENCY_MS) / concurrency)
    const wall = samples.map((s) => s.wallMs)
    const ms = (list) => `${stats(list).median.toFixed(0)} ms`
    return [
      measuredRow({
        section: name,
        measure: `${label}: wall / ideal`,
        unit: "x",
        spread: stats(wall.map((w, i) => w / ideal[i])),
        runs,
        goal: { atMost: 1.3, of: "median" },
        detail: `${ms(wall)} vs ideal ${ms(ideal)} (requests × ${LATENCY_MS} ms ÷ concurrency ${concurrency})`,
      }),
      measuredRow({ section: name, measure: `${label}: requests`, unit: "count", spread: stats(samples.map((s) => s.total)), runs, detail: due.describeRequests(samples[0]) }),
      measuredRow({
        section: name,
        measure: `${label}: 429 answers`,
        unit: "count",
        spread: stats(samples.map((s) => s.rateLimited)),
        runs,
        goal: { atMost: 0, of: "max" },
        detail: "Cloudflare's limit: 1,200 requests per 5 minutes per user",
      }),
    ]
  } catch (error) {
    return notMeasured(describeFailure(error))
  } finally {
    await scale.close()
  }
}
