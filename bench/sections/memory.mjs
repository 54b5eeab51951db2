/**
 * Section "memory": peak resident set size of `layer --version` (the smallest thing the CLI
 * does) and of `layer secret rotate --apply` for 100 secrets against the API emulator (the
 * largest working set a command builds: every declaration, state file and envelope at once).
 */
import { runChecked, stats, peakRssMethod } from "../lib/measure.mjs"
import { describeFailure, measuredRow, notMeasuredRow } from "../lib/rows.mjs"
import { createBenchProject } from "../lib/project.mjs"
import { SMALL_PROJECT } from "../lib/fixtures.mjs"
import { FULL_SCALE, openScaleProject, QUICK_SCALE } from "../lib/scale.mjs"
import { prepareDueRotations, ROTATE_APPLY } from "../lib/rotation-runs.mjs"

export const name = "memory"

const MiB = (kib) => kib / 1024

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  return [...(await versionRows(runs)), ...(await rotateRows(runs, quick ? QUICK_SCALE : FULL_SCALE))]
}

async function versionRows(runs) {
  const measure = "peak RSS, layer --version"
  const project = await createBenchProject(SMALL_PROJECT)
  try {
    const layer = []
    const node = []
    for (let i = 0; i < runs; i++) {
      layer.push(requireRss(await project.layerChecked(["--version"])))
      node.push(requireRss(await runChecked(process.execPath, ["-e", "0"], { env: project.env() })))
    }
    return [
      measuredRow({ section: name, measure, unit: "MiB", spread: stats(layer.map(MiB)), runs, detail: `node -e 0: ${MiB(stats(node).median).toFixed(1)} MiB` }),
    ]
  } catch (error) {
    return [notMeasuredRow({ section: name, measure, unit: "MiB", reason: describeFailure(error) })]
  } finally {
    await project.cleanup()
  }
}

async function rotateRows(runs, count) {
  const measure = `peak RSS, layer secret rotate --apply, ${count} secrets`
  const scale = await openScaleProject({ count, kind: "generated" })
  try {
    const due = await prepareDueRotations(scale)
    const samples = []
    for (let i = 0; i < runs; i++) {
      // No added latency: memory does not depend on it, and the runs finish sooner.
      const timed = await scale.timed(ROTATE_APPLY, { latencyMs: 0, env: due.nextEnv() })
      due.check(timed.document)
      samples.push(requireRss(timed))
    }
    return [measuredRow({ section: name, measure, unit: "MiB", spread: stats(samples.map(MiB)), runs, detail: `API emulator in the bench process (not counted)` })]
  } catch (error) {
    return [notMeasuredRow({ section: name, measure, unit: "MiB", reason: describeFailure(error) })]
  } finally {
    await scale.close()
  }
}

function requireRss(run) {
  if (run.peakRssKiB === undefined) throw new Error(`peak RSS unavailable (${peakRssMethod})`)
  return run.peakRssKiB
}
