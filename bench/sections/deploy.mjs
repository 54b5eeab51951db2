/**
 * Section "deploy": `layer deploy --dry-run` and a `layer deploy` with nothing to change, for
 * a project with 100 declarations, against the API emulator with 50 ms added to every request
 * (as in the rotation section). The first deploy, which creates the secrets and uploads the
 * Workers, is setup and not timed. Reports requests made and wall time; the issue sets no
 * goal for them, so they are shown for information and for the next change to compare with.
 */
import { stats } from "../lib/measure.mjs"
import { describeFailure, measuredRow, notMeasuredRow } from "../lib/rows.mjs"
import { FULL_SCALE, LATENCY_MS, openScaleProject, QUICK_SCALE } from "../lib/scale.mjs"

export const name = "deploy"

const DRY_RUN = ["deploy", "--dry-run", "--json"]
const DEPLOY = ["deploy", "--yes", "--json"]

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  const count = quick ? QUICK_SCALE : FULL_SCALE
  const cases = [
    { label: `deploy --dry-run, ${count} declarations`, args: DRY_RUN },
    { label: `deploy with no change, ${count} declarations`, args: DEPLOY },
  ]
  const notMeasured = (reason) =>
    cases.flatMap((c) => [
      notMeasuredRow({ section: name, measure: `${c.label}: wall`, unit: "ms", reason }),
      notMeasuredRow({ section: name, measure: `${c.label}: requests`, unit: "count", reason }),
    ])
  const scale = await openScaleProject({ count, kind: "random" })
  try {
    await scale.timed(DEPLOY, { latencyMs: 0 }) // creates the random secrets and uploads: setup
    const rows = []
    for (const c of cases) {
      const samples = []
      for (let i = 0; i < runs; i++) samples.push(await scale.timed(c.args))
      const detail = `+${LATENCY_MS} ms/request; ${samples[0].kinds.map((k) => `${k.count} ${k.kind}`).join(", ") || "no requests"}`
      rows.push(
        measuredRow({ section: name, measure: `${c.label}: wall`, unit: "ms", spread: stats(samples.map((s) => s.wallMs)), runs, detail: `+${LATENCY_MS} ms/request` }),
        measuredRow({ section: name, measure: `${c.label}: requests`, unit: "count", spread: stats(samples.map((s) => s.total)), runs, detail }),
      )
    }
    return rows
  } catch (error) {
    return notMeasured(describeFailure(error))
  } finally {
    await scale.close()
  }
}
