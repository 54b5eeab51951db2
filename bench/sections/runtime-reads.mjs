/**
 * Section "runtime-reads": reads through the Secret Product Worker against raw Secrets Store
 * `get()`, in workerd through miniflare (bench/runtime-reads.mjs does the work; this maps its
 * rows into the table). The goal applies to the plain value and the 10-version envelope, the
 * shapes most secrets have; the sealed and near-64 KiB cases are shown for information.
 */
import { runRuntimeReadsBench } from "../runtime-reads.mjs"
import { describeFailure, measuredRow, notMeasuredRow } from "../lib/rows.mjs"

export const name = "runtime-reads"

const GOAL_CASES = new Set(["plain value", "envelope, 10 versions"])

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  const n = quick ? 50 : 200
  let results
  try {
    results = await runRuntimeReadsBench({ runs, n })
  } catch (error) {
    return [notMeasuredRow({ section: name, measure: "product / raw get()", reason: describeFailure(error) })]
  }
  const f = (ms) => `${(ms * 1000).toFixed(0)} µs`
  return results.map((r) =>
    measuredRow({
      section: name,
      measure: `product / raw get(), ${r.case}`,
      unit: "x",
      spread: r.ratioPerRun,
      runs: r.runs,
      goal: GOAL_CASES.has(r.case) ? { atMost: 1.5, of: "median" } : undefined,
      detail: `${f(r.productMsPerRead.median)} vs ${f(r.rawMsPerRead.median)} per read, ${r.n} reads per run`,
    }),
  )
}
