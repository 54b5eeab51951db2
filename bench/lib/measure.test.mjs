// node --test bench/lib/measure.test.mjs
import { describe, it } from "node:test"
import assert from "node:assert/strict"
import { runProcess, stats } from "./measure.mjs"
import { measuredRow, notMeasuredRow } from "./rows.mjs"
import { renderTable } from "./table.mjs"

describe("stats", () => {
  it("gives min, median and max, averaging the middle two of an even count", () => {
    assert.deepEqual(stats([5, 1, 3]), { min: 1, median: 3, max: 5 })
    assert.deepEqual(stats([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4 })
  })
  it("refuses an empty list", () => {
    assert.throws(() => stats([]), RangeError)
  })
})

describe("runProcess", () => {
  it("reports exit code, output, wall time and a peak RSS", async () => {
    const run = await runProcess(process.execPath, ["-e", "process.stdout.write('out'); process.stderr.write('err'); process.exit(3)"])
    assert.equal(run.code, 3)
    assert.equal(run.stdout, "out")
    assert.equal(run.stderr, "err")
    assert.ok(run.wallMs > 0)
    assert.ok(run.peakRssKiB === undefined || run.peakRssKiB > 1024, `peak RSS ${run.peakRssKiB} KiB`)
  })
})

describe("rows and table", () => {
  it("judges the goal on the median (or every run) and never prints a number for a row not measured", () => {
    const met = measuredRow({ section: "s", measure: "a", unit: "x", spread: { min: 1, median: 1.4, max: 2 }, runs: 5, goal: { atMost: 1.5, of: "median" } })
    const missed = measuredRow({ section: "s", measure: "b", unit: "count", spread: { min: 0, median: 0, max: 1 }, runs: 5, goal: { atMost: 0, of: "max" } })
    const absent = notMeasuredRow({ section: "s", measure: "c", reason: "not measured: command not available" })
    assert.equal(met.status, "met")
    assert.equal(missed.status, "missed")
    assert.equal(absent.status, "not measured")
    const table = renderTable([met, missed, absent])
    assert.match(table, /a\s+1\.00x\s+1\.40x\s+2\.00x\s+<= 1\.50x\s+met/)
    assert.match(table, /b\s+0\s+0\s+1\s+0 every run\s+missed/)
    assert.match(table, /c\s+-\s+-\s+-\s+not measured\s+not measured: command not available/)
  })
})
