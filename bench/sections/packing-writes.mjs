/**
 * Section "packing-writes" (issue 28): the write side of 100 declarations in one packed
 * environment against the API emulator, beside the same project unpacked: physical secrets
 * used once every declaration has a value (goal: at most 3 packs), the requests of a deploy
 * with nothing to change, and the requests of `secret rotate --apply` when every declaration
 * is due. A packed write is one
 * rewrite of the member's pack (docs/design.md#packing), so rotations cost about what they
 * cost unpacked; the figures are for the next change to compare with.
 */
import { stats } from "../lib/measure.mjs"
import { describeFailure, measuredRow, notMeasuredRow } from "../lib/rows.mjs"
import { prepareDueRotations, ROTATE_APPLY } from "../lib/rotation-runs.mjs"
import { FULL_SCALE, LATENCY_MS, openScaleProject, QUICK_SCALE } from "../lib/scale.mjs"

export const name = "packing-writes"

const DEPLOY = ["deploy", "--yes", "--json"]

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  const count = quick ? QUICK_SCALE : FULL_SCALE
  const rows = []
  for (const packing of [true, false]) {
    const form = packing ? "packed" : "unpacked"
    const scale = await openScaleProject({ count, kind: "generated", packing })
    try {
      await scale.timed(DEPLOY, { latencyMs: 0 }) // the sealing key and the Workers: setup
      const due = await prepareDueRotations(scale) // every declaration's first value
      if (packing) {
        const packs = physicalSecrets(scale) - 1
        rows.push(measuredRow({ section: name, measure: `packs holding ${count} declarations`, unit: "count", spread: stats([packs]), runs: 1, goal: { atMost: 3, of: "max" }, detail: `${packs + 1} physical secrets with the sealing key, against ${count + 1} unpacked` }))
      }
      const deploy = await scale.timed(DEPLOY)
      rows.push(measuredRow({ section: name, measure: `deploy with no change, ${count} declarations ${form}: requests`, unit: "count", spread: stats([deploy.total]), runs: 1, detail: deploy.kinds.map((k) => `${k.count} ${k.kind}`).join(", ") || "no requests" }))
      const samples = []
      for (let i = 0; i < runs; i++) {
        const timed = await scale.timed(ROTATE_APPLY, { env: due.nextEnv() })
        due.check(timed.document)
        samples.push(timed)
      }
      rows.push(
        measuredRow({ section: name, measure: `rotate --apply, ${count} due ${form}, +${LATENCY_MS} ms/request: requests`, unit: "count", spread: stats(samples.map((s) => s.total)), runs, detail: due.describeRequests(samples[0]) }),
        measuredRow({ section: name, measure: `rotate --apply, ${count} due ${form}, +${LATENCY_MS} ms/request: wall`, unit: "ms", spread: stats(samples.map((s) => s.wallMs)), runs }),
      )
    } catch (error) {
      rows.push(notMeasuredRow({ section: name, measure: `${form} writes`, reason: describeFailure(error) }))
    } finally {
      await scale.close()
    }
  }
  return rows
}

/** The secrets in the bench account's store. */
function physicalSecrets(scale) {
  const store = scale.api.emulator.accounts.find((account) => account.id === scale.api.accountId)?.stores[0]
  return store?.secrets.length ?? 0
}
