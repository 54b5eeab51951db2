/**
 * Rotation runs for the rotation and memory sections. Every secret of a scale project is
 * given its first value once (a generated secret without a value is due), then each timed
 * run happens one rotation period after the one before, so that every secret is due again
 * and carries its retained version forward, sealed. Time moves through LAYERON_TEST_NOW,
 * the CLI's test clock (clock.ts): `--apply` always rotates at "now".
 */
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { REPO_ROOT } from "./project.mjs"

const DAY_MS = 86_400_000
/** Past the scale fixtures' `everyDays: 30`. */
const PERIOD_MS = 31 * DAY_MS

export const ROTATE_APPLY = ["secret", "rotate", "--apply", "--yes", "--json"]

/** The CLI's own default (`--concurrency`), which the ideal time assumes. */
export async function rotationConcurrency() {
  const apply = await import(pathToFileURL(join(REPO_ROOT, "packages", "cli", "dist", "rotation", "apply.js")).href)
  if (!Number.isInteger(apply.DEFAULT_CONCURRENCY)) throw new Error("packages/cli/dist/rotation/apply.js exports no DEFAULT_CONCURRENCY")
  return apply.DEFAULT_CONCURRENCY
}

/** @param {Awaited<ReturnType<typeof import("./scale.mjs").openScaleProject>>} scale */
export async function prepareDueRotations(scale) {
  const start = Date.now()
  const clockAt = (period) => ({ LAYERON_TEST_NOW: new Date(start + period * PERIOD_MS).toISOString() })
  const check = (document) => {
    const rotated = document?.summary?.rotated
    if (rotated !== scale.count) throw new Error(`expected ${scale.count} secrets rotated; the command reported ${JSON.stringify(document?.summary ?? document)}`)
  }
  check((await scale.timed(ROTATE_APPLY, { latencyMs: 0, env: clockAt(0) })).document)
  let period = 0
  return {
    concurrency: await rotationConcurrency(),
    /** The environment of the next run, in which every secret is due. */
    nextEnv: () => clockAt(++period),
    check,
    describeRequests: (sample) => sample.kinds.map((k) => `${k.count} ${k.kind}`).join(", "),
  }
}
