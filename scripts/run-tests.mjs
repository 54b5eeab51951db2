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
const args = [
  "--import", "tsx",
  ...(process.env.LAYERON_TEST_BUILT === "1" ? [] : ["--conditions=source"]),
  "--test",
  "--test-concurrency=2",
  "--test-reporter=spec", "--test-reporter-destination=stdout",
  "--test-reporter=tap", `--test-reporter-destination=${tapFile}`,
  ...files,
]
const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] })
const code = await new Promise((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))))

const tap = readFileSync(tapFile, "utf8")
rmSync(tapDir, { recursive: true, force: true })
const count = (label) => Number(tap.match(new RegExp(`^# ${label} (\\d+)$`, "m"))?.[1] ?? 0)
const passed = count("pass")
const failed = count("fail") + count("cancelled")
const skipped = count("skipped") + count("todo")
console.log(`\n${files.length} test files`)
const summary = `${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : "")
console.log(summary)
process.exit(code === 0 && failed === 0 ? 0 : 1)
