/**
 * Section "rotation": `layer secret rotate --apply --yes` of 100 due secrets (Cloudflare's
 * account quota) against the API emulator with 50 ms added to every request. Reports:
 * - wall time against the ideal of the DECLARED work, not of what the run happened to do:
 *   (list pages + secrets × REQUESTS_PER_SECRET) × 50 ms ÷ the CLI's concurrency (goal: within
 *   1.3x). A run that made twice the requests takes twice as long against the same ideal;
 * - requests per rotated secret, list pages left out (goal: at most REQUESTS_PER_SECRET, every run);
 * - the 429s received (goal: none).
 */
import { measuredRow, notMeasuredRow, describeFailure } from "../lib/rows.mjs"
import { stats } from "../lib/measure.mjs"
import { FULL_SCALE, LATENCY_MS, openScaleProject, QUICK_SCALE } from "../lib/scale.mjs"
import { prepareDueRotations, ROTATE_APPLY } from "../lib/rotation-runs.mjs"

export const name = "rotation"

/**
 * What docs/performance.md documents a rotated secret costs: the lookup right before the
 * write (the conflict check) and the PATCH.
 */
export const REQUESTS_PER_SECRET = 2
/** Cloudflare's largest page of the secrets list. */
const PAGE_SIZE = 100

/** The declared work of rotating `count` secrets: the list pages (the sealing key is listed too) and each secret's requests. */
export function declaredRequests(count) {
  return Math.ceil((count + 1) / PAGE_SIZE) + count * REQUESTS_PER_SECRET
}

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  const count = quick ? QUICK_SCALE : FULL_SCALE
  const label = `rotate --apply, ${count} due secrets, +${LATENCY_MS} ms/request`
  const notMeasured = (reason) => [
    notMeasuredRow({ section: name, measure: `${label}: wall / ideal`, goal: { atMost: 1.3, of: "median" }, reason }),
    notMeasuredRow({ section: name, measure: `${label}: requests per rotated secret`, unit: "count", goal: { atMost: REQUESTS_PER_SECRET, of: "max" }, reason }),
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
    const declared = declaredRequests(count)
    const idealMs = (declared * LATENCY_MS) / concurrency
    const wall = samples.map((s) => s.wallMs)
    const ms = (list) => `${stats(list).median.toFixed(0)} ms`
    return [
      measuredRow({
        section: name,
        measure: `${label}: wall / ideal`,
        unit: "x",
        spread: stats(wall.map((w) => w / idealMs)),
        runs,
        goal: { atMost: 1.3, of: "median" },
        detail: `${ms(wall)} vs ideal ${idealMs.toFixed(0)} ms (declared ${declared} requests: ${Math.ceil((count + 1) / PAGE_SIZE)} list pages + ${count} × ${REQUESTS_PER_SECRET}, × ${LATENCY_MS} ms ÷ concurrency ${concurrency})`,
      }),
      measuredRow({
        section: name,
        measure: `${label}: requests per rotated secret`,
        unit: "count",
        spread: stats(samples.map((s) => (s.total - s.listing) / count)),
        runs,
        goal: { atMost: REQUESTS_PER_SECRET, of: "max" },
        detail: `list pages left out (${stats(samples.map((s) => s.listing)).median} per run)`,
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
