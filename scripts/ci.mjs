#!/usr/bin/env node
/**
 * Every test on every supported Node (`npm run test:ci`, which `.ci/run` calls after `npm ci`):
 *
 *   1. the whole suite on the machine's Node (the runner of `npm test`), with the pinned miniflare;
 *   2. the sabotage check's short form, when the repository has one (`npm run test:sabotage -- --short`);
 *   3. for each other supported Node major (22 and 24 by default, LAYERON_CI_NODES to change):
 *      that Node from the npm registry's `node` package (it ships the binary), a copy of the
 *      repository with the newest miniflare 4.x, then the end-to-end and install suites and the
 *      demo, all run by that Node.
 *
 * It ends with one closing line adding every run up, "N passed, N failed", and exits non-zero
 * if any step failed. Nothing is skipped quietly: a Node that cannot be installed is a failure.
 */
import { spawn } from "node:child_process"
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { installNode as installNodeFromNpm, NODE_VERSIONS } from "./lib/node-from-npm.mjs"

const REPO = fileURLToPath(new URL("..", import.meta.url))
const NODES = NODE_VERSIONS
/** The newest miniflare 4.x, for Node 22 and 24 (every release after 4.20260426.0 needs Node 22). */
const CURRENT_MINIFLARE = "4.20260730.0"
const MATRIX_SUITES = (process.env.LAYERON_CI_MATRIX_SUITES ?? "test/e2e,test/install").split(",")

const majors = (process.env.LAYERON_CI_NODES ?? Object.keys(NODES).join(","))
  .split(",")
  .map((word) => word.trim())
  .filter(Boolean)

const totals = { passed: 0, failed: 0, skipped: 0 }
const failures = []

if (process.env.LAYERON_CI_SKIP_MAIN !== "1") {
  await step("suite on this machine's Node " + process.versions.node, process.execPath, [join(REPO, "scripts/run-tests.mjs")], { cwd: REPO })
}

const rootManifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"))
if (rootManifest.scripts?.["test:sabotage"]) {
  await step("sabotage check (short form)", "npm", ["run", "--silent", "test:sabotage", "--", "--short"], { cwd: REPO, counts: false })
}

for (const major of majors) {
  const version = NODES[major]
  if (!version) {
    fail(`Node ${major}: not a supported major (supported here: ${Object.keys(NODES).join(", ")})`)
    continue
  }
  const nodeBin = await installNode(version)
  if (!nodeBin) continue
  const copy = await copyWithCurrentMiniflare(major, nodeBin)
  if (!copy) continue
  const env = { ...process.env, PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ""}` }
  await step(`Node ${version}: ${MATRIX_SUITES.join(" + ")} (miniflare ${CURRENT_MINIFLARE})`, join(nodeBin, "node"),
    [join(copy, "scripts/run-tests.mjs"), ...MATRIX_SUITES], { cwd: copy, env })
  await step(`Node ${version}: the demo`, join(nodeBin, "node"), [join(copy, "scripts/demo.mjs")], { cwd: copy, env, counts: false })
  rmSync(copy, { recursive: true, force: true })
}

console.log("")
for (const failure of failures) console.log(`failed: ${failure}`)
const summary = `${totals.passed} passed, ${totals.failed} failed` + (totals.skipped ? `, ${totals.skipped} skipped` : "")
console.log(summary)
process.exit(failures.length === 0 && totals.failed === 0 ? 0 : 1)

/**
 * Runs one step with its output streamed through, and adds its closing "N passed, N failed"
 * line (if `counts`) to the totals. A step that exits non-zero fails the run.
 */
async function step(title, command, args, { cwd, env = process.env, counts = true }) {
  console.log(`\n=== ${title}`)
  const started = Date.now()
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "inherit"] })
  let tail = ""
  child.stdout.on("data", (chunk) => {
    process.stdout.write(chunk)
    tail = (tail + chunk.toString("utf8")).slice(-4000)
  })
  const code = await new Promise((resolve) => child.on("close", (c, signal) => resolve(c ?? (signal ? 1 : 0))))
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  if (counts) {
    const line = tail.trimEnd().split("\n").reverse().find((l) => /^\d+ passed, \d+ failed/.test(l))
    if (line) {
      const [, passed, failed, skipped] = line.match(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/)
      totals.passed += Number(passed)
      totals.failed += Number(failed)
      totals.skipped += Number(skipped ?? 0)
    } else {
      fail(`${title}: printed no "N passed, N failed" line`)
    }
  }
  console.log(`=== ${title}: exit ${code} in ${seconds} s`)
  if (code !== 0) fail(`${title} (exit ${code})`)
  return code
}

function fail(message) {
  failures.push(message)
  console.log(`!!! ${message}`)
}

/** That Node from the npm registry's `node` package (scripts/lib/node-from-npm.mjs); its bin folder, or a failure. */
async function installNode(version) {
  console.log(`\n=== Node ${version} from the npm registry (cached in .ci/cache/)`)
  const bin = await installNodeFromNpm(version)
  if (!bin) fail(`Node ${version}: the npm registry's node package did not install`)
  return bin
}

/**
 * A copy of the working tree (without node_modules or build output) where `npm ci` installs the
 * locked tree and then the current miniflare replaces the pinned one, run by that Node's npm.
 */
async function copyWithCurrentMiniflare(major, nodeBin) {
  const copy = mkdtempSync(join(tmpdir(), `layeron-node${major}-`))
  // mkdtemp makes it 0700; tests that run the CLI as another user (nobody) must be able to reach it.
  chmodSync(copy, 0o755)
  const skip = new Set([".git", "node_modules", "dist", ".ci/cache", ".layeron", ".wrangler", "bench/results", "test/reliability/results"])
  cpSync(REPO, copy, {
    recursive: true,
    filter: (source) => {
      const path = relative(REPO, source)
      return !(skip.has(path) || path.split("/").some((part) => part === "node_modules" || part === "dist" || part.endsWith(".tsbuildinfo")))
    },
  })
  const env = { ...process.env, PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ""}` }
  const installs = [
    ["npm ci", ["ci", "--no-audit", "--no-fund"]],
    [`miniflare ${CURRENT_MINIFLARE}`, ["install", "--no-audit", "--no-fund", "--no-save", `miniflare@${CURRENT_MINIFLARE}`]],
    ["build", ["run", "build"]],
  ]
  for (const [what, args] of installs) {
    const code = await step(`Node ${major}: ${what}`, "npm", args, { cwd: copy, env, counts: false })
    if (code !== 0) {
      rmSync(copy, { recursive: true, force: true })
      return undefined
    }
  }
  return copy
}
