/** Renders the rows as one plain-text table (no colour: it is pasted into docs and issues). */

/** @param {number | null} value @param {import("./rows.mjs").Unit} unit */
export function formatValue(value, unit) {
  if (value === null) return "-"
  switch (unit) {
    case "x":
      return `${value.toFixed(2)}x`
    case "ms":
      return `${value.toFixed(0)} ms`
    case "MiB":
      return `${value.toFixed(1)} MiB`
    case "count":
      return Number.isInteger(value) ? String(value) : value.toFixed(2)
  }
}

/** @param {import("./rows.mjs").Goal | null} goal @param {import("./rows.mjs").Unit} unit */
export function formatGoal(goal, unit) {
  if (!goal) return ""
  const bound = unit === "count" && goal.atMost === 0 ? "0" : `<= ${formatValue(goal.atMost, unit)}`
  return goal.of === "max" ? `${bound} every run` : bound
}

/** @param {import("./rows.mjs").Row[]} rows */
export function renderTable(rows) {
  const header = ["section", "measure", "min", "median", "max", "goal", "status", "detail"]
  const body = rows.map((r) => [
    r.section,
    r.measure,
    formatValue(r.min, r.unit),
    formatValue(r.median, r.unit),
    formatValue(r.max, r.unit),
    formatGoal(r.goal, r.unit),
    r.status,
    r.detail,
  ])
  const numeric = new Set([2, 3, 4])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)))
  const line = (cells) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n")
}

/** The same rows as a Markdown table, for docs/performance.md. */
export function renderMarkdown(rows) {
  const escape = (text) => text.replaceAll("|", "\\|")
  const lines = ["| section | measure | min | median | max | goal | status | detail |", "|---|---|---:|---:|---:|---|---|---|"]
  for (const r of rows) {
    const cells = [r.section, r.measure, formatValue(r.min, r.unit), formatValue(r.median, r.unit), formatValue(r.max, r.unit), formatGoal(r.goal, r.unit), r.status, r.detail]
    lines.push(`| ${cells.map(escape).join(" | ")} |`)
  }
  return lines.join("\n")
}
