#!/usr/bin/env node
// Runs every *.test.ts in the repository, and the benchmark harness's own bench/lib/*.test.mjs,
// with Node's test runner (Node 20 takes no globs), shows the spec reporter, and ends with one
// plain closing line: "N passed, N failed".
//
// LAYERON_TEST_BUILT=1 resolves @layeron/* to their built dist instead of their TypeScript
// source (the sabotage check uses it, so that a change to dist reaches every test).
import { spawn } from "node:child_process"
import { readdirSync, readFileSync, mkdtempSync, rmSync } from "node:fs"
import { join, relative } from "node:path"
import { tmpdir } from "node:os"

const root = new URL("..", import.meta.url).pathname
const roots = ["packages", "tools", "test", "bench", "examples"]
const skipDirs = new Set(["node_modules", "dist", ".layeron", ".wrangler"])
const filter = process.argv.slice(2)

function findTests(dir) {
  const found = []
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return found
  }
  for (const entry of entries) {
    if (skipDirs.has(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...findTests(path))
    else if (entry.name.endsWith(".test.ts") || entry.name.endsWith(".test.mjs")) found.push(path)
  }
  return found
}

const files = roots
  .flatMap((r) => findTests(join(root, r)))
  .map((f) => relative(root, f))
  .filter((f) => filter.length === 0 || filter.some((word) => f.includes(word)))
  .sort()

if (files.length === 0) {
  console.log("no test files found")
  console.log("0 passed, 1 failed")
  process.exit(1)
}

const tapDir = mkdtempSync(join(tmpdir(), "layeron-tests-"))
const tapFile = join(tapDir, "report.tap")
const durationsFile = join(tapDir, "durations.json")
/** Test files run at once: the CI machine has 2 cores. */
const CONCURRENCY = 2
/** How many of the slowest test files the run lists before its closing line. */
const SLOWEST_SHOWN = 12
const args = [
  "--import", "tsx",
  ...(process.env.LAYERON_TEST_BUILT === "1" ? [] : ["--conditions=source"]),
  "--test",
  `--test-concurrency=${CONCURRENCY}`,
  "--test-reporter=spec", "--test-reporter-destination=stdout",
  "--test-reporter=tap", `--test-reporter-destination=${tapFile}`,
  `--test-reporter=${join(root, "scripts/lib/file-durations-reporter.mjs")}`, `--test-reporter-destination=${durationsFile}`,
  ...files,
]
const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] })
const code = await new Promise((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))))

const tap = readFileSync(tapFile, "utf8")
printSlowest(durationsFile)
rmSync(tapDir, { recursive: true, force: true })
const count = (label) => Number(tap.match(new RegExp(`^# ${label} (\\d+)$`, "m"))?.[1] ?? 0)
const passed = count("pass")
const failed = count("fail") + count("cancelled")
const skipped = count("skipped") + count("todo")
console.log(`\n${files.length} test files`)
const summary = `${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : "")
console.log(summary)
process.exit(code === 0 && failed === 0 ? 0 : 1)

/** The slowest files of this run, with their share of the summed test time. */
function printSlowest(path) {
  let msByFile
  try {
    msByFile = JSON.parse(readFileSync(path, "utf8"))
  } catch {
    return // the runner died before its reporters finished: the summary below says so
  }
  const rows = Object.entries(msByFile).sort((a, b) => b[1] - a[1])
  if (rows.length < 2) return
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0)
  console.log(`\nslowest test files (of ${(total / 1000).toFixed(0)} s summed over files; they run ${CONCURRENCY} at a time):`)
  for (const [file, ms] of rows.slice(0, SLOWEST_SHOWN)) {
    console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${relative(root, file)}`)
  }
}
