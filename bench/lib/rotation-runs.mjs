/**
 * Rotation runs for the rotation and memory sections: every secret of a scale project is
 * given its first value once (a generated secret without a value is due), then each timed run
 * plans as of a time one rotation period later than the run before, so all of them are due
 * again and each carries its retained version forward, sealed.
 */
const DAY_MS = 86_400_000
/** Past `everyDays: 30` of the scale fixtures. */
const PERIOD_MS = 31 * DAY_MS

export const ROTATE_APPLY = ["secret", "rotate", "--apply", "--yes", "--json"]

/**
 * The CLI's rotation concurrency (rotation/apply.ts `concurrency`, default 6), used for the
 * ideal time. Taken from the command's own --json document when it reports one.
 */
export const DEFAULT_ROTATION_CONCURRENCY = 6

/** @param {Awaited<ReturnType<typeof import("./scale.mjs").openScaleProject>>} scale */
export async function prepareDueRotations(scale) {
  const first = await scale.timed(ROTATE_APPLY, { latencyMs: 0 })
  const check = (document) => {
    const rotated = (document?.secrets ?? []).filter((s) => s.status === "rotated").length
    if (rotated !== scale.count) throw new Error(`expected ${scale.count} secrets rotated, the command reported ${rotated}`)
  }
  check(first.document)
  const start = Date.now()
  let period = 0
  return {
    concurrency: typeof first.document?.concurrency === "number" ? first.document.concurrency : DEFAULT_ROTATION_CONCURRENCY,
    /** The arguments of the next rotation in which every secret is due. */
    next: async () => [...ROTATE_APPLY, "--at", new Date(start + ++period * PERIOD_MS).toISOString()],
    check,
    describeRequests: (sample) => sample.kinds.map((k) => `${k.count} ${k.kind}`).join(", "),
  }
}
