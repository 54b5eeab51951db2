#!/usr/bin/env node
/**
 * `npm run bench` (= `npm run build && node bench/run.mjs`): where Layeron stands on speed and
 * scale, measured in one run and printed as ONE table (min, median and max over --runs runs,
 * at least 5), with the machine it ran on. The rows and the machine also go to
 * bench/results/latest.json, and as Markdown to latest.md (both gitignored);
 * docs/performance.md keeps the figures.
 *
 *   node bench/run.mjs [--runs N] [--quick] [--only cli-start,runtime-reads,rotation,deploy,memory,signing-rotation,key-operations,packing,packing-writes]
 *
 * Each section is a module in bench/sections/ exporting `name` and `run({ runs, quick })`,
 * which resolves to table rows (bench/lib/rows.mjs). A section that cannot measure something
 * (a command that has not landed, a failure) returns a "not measured" row saying why.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import * as cliStart from "./sections/cli-start.mjs"
import * as runtimeReads from "./sections/runtime-reads.mjs"
import * as rotation from "./sections/rotation.mjs"
import * as deploy from "./sections/deploy.mjs"
import * as memory from "./sections/memory.mjs"
import * as devStart from "./dev-start.mjs"
import * as signingRotation from "./signing-rotation.mjs"
import * as keyOperations from "./sections/key-operations.mjs"
import * as packing from "./sections/packing.mjs"
import * as packingWrites from "./sections/packing-writes.mjs"
import { busyWarning, describeMachine, loadAverage } from "./lib/machine.mjs"
import { elapsedMs, peakRssMethod } from "./lib/measure.mjs"
import { parseOptions, USAGE, UsageError } from "./lib/options.mjs"
import { renderMarkdown, renderTable } from "./lib/table.mjs"

const SECTIONS = [cliStart, runtimeReads, rotation, deploy, memory, devStart, signingRotation, keyOperations, packing, packingWrites]
const RESULTS = new URL("./results/latest.json", import.meta.url)
const RESULTS_MARKDOWN = new URL("./results/latest.md", import.meta.url)

let options
try {
  options = parseOptions(process.argv.slice(2), SECTIONS.map((s) => s.name))
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  process.stderr.write(`bench: ${error.message}\n${USAGE}\n`)
  process.exit(1)
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}

const machine = describeMachine()
const chosen = options.only.length > 0 ? SECTIONS.filter((s) => options.only.includes(s.name)) : SECTIONS
const mode = options.quick ? "quick" : "full"
process.stderr.write(`bench: ${chosen.map((s) => s.name).join(", ")} · ${options.runs} runs · ${mode}\n`)

const rows = []
const sectionTimes = {}
for (const section of chosen) {
  const started = process.hrtime.bigint()
  process.stderr.write(`  ${section.name} …`)
  rows.push(...(await section.run({ runs: options.runs, quick: options.quick })))
  sectionTimes[section.name] = Math.round(elapsedMs(started))
  process.stderr.write(` ${(sectionTimes[section.name] / 1000).toFixed(1)} s\n`)
}

machine.loadAverageAtEnd = loadAverage()
const summary = {
  met: rows.filter((r) => r.status === "met").length,
  missed: rows.filter((r) => r.status === "missed").length,
  notMeasured: rows.filter((r) => r.status === "not measured").length,
}
console.log(
  `\nLayeron benchmarks: ${options.runs} runs${options.quick ? " (quick)" : ""}, ${machine.date}\n` +
    `machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}; ` +
    `load average ${machine.loadAverageAtStart.join("/")} at start, ${machine.loadAverageAtEnd.join("/")} at end; peak RSS by ${peakRssMethod}\n`,
)
const busy = busyWarning(machine, machine.loadAverageAtEnd)
if (busy) console.log(`${busy}\n`)
console.log(renderTable(rows))
console.log(`\n${summary.met} goals met, ${summary.missed} missed, ${summary.notMeasured} not measured`)

await mkdir(new URL("./results/", import.meta.url), { recursive: true })
const document = { machine, options: { runs: options.runs, quick: options.quick, only: options.only }, peakRssMethod, sectionTimesMs: sectionTimes, summary, rows }
await writeFile(RESULTS, `${JSON.stringify(document, null, 2)}\n`)
// The same table in Markdown, with its machine, ready for docs/performance.md.
const machineLine =
  `${machine.date.slice(0, 10)}, ${options.runs} runs${options.quick ? " (quick)" : ""}: ${machine.nproc} CPUs (${machine.cpuModel}), ` +
  `${machine.memoryGiB} GiB, node ${machine.node}, load average ${machine.loadAverageAtStart[0]} at start and ${machine.loadAverageAtEnd[0]} at end`
await writeFile(RESULTS_MARKDOWN, `${machineLine}\n\n${renderMarkdown(rows)}\n`)
console.log(`results: ${fileURLToPath(RESULTS)} (and latest.md)`)
