/**
 * The rows of the one results table. Every row is measured in this run; a row that could not
 * be measured says so (status "not measured") and carries no number, never a stand-in.
 *
 * @typedef {"x" | "ms" | "count" | "MiB"} Unit
 * @typedef {{ atMost: number, of: "median" | "max" }} Goal  what must hold for "met"
 * @typedef {{ min: number, median: number, max: number }} Spread
 * @typedef {{
 *   section: string, measure: string, unit: Unit,
 *   min: number | null, median: number | null, max: number | null, runs: number,
 *   goal: Goal | null, status: "met" | "missed" | "info" | "not measured", detail: string
 * }} Row
 */

/**
 * @param {{ section: string, measure: string, unit: Unit, spread: Spread, runs: number, goal?: Goal, detail?: string }} spec
 * @returns {Row}
 */
export function measuredRow({ section, measure, unit, spread, runs, goal, detail = "" }) {
  const status = goal ? (spread[goal.of] <= goal.atMost ? "met" : "missed") : "info"
  return { section, measure, unit, min: spread.min, median: spread.median, max: spread.max, runs, goal: goal ?? null, status, detail }
}

/**
 * @param {{ section: string, measure: string, unit?: Unit, goal?: Goal, reason: string }} spec
 * @returns {Row}
 */
export function notMeasuredRow({ section, measure, unit = "x", goal, reason }) {
  return { section, measure, unit, min: null, median: null, max: null, runs: 0, goal: goal ?? null, status: "not measured", detail: reason }
}

/** One or two lines of an error, for a "not measured" row's detail. */
export function describeFailure(error) {
  const text = error instanceof Error ? error.message : String(error)
  return `failed: ${text.split("\n").filter(Boolean).slice(0, 2).join(" / ")}`
}
