#!/usr/bin/env node
// Mutation testing of the pure modules with StrykerJS (outside CI: minutes per module).
// Each group mutates its module(s) and runs only their own unit tests through Stryker's
// command runner (node:test has no Stryker plugin; the command runner runs any command and
// reads its exit code). The score per group goes to docs/reliability.md.
//
//   node scripts/mutation.mjs                 every group
//   node scripts/mutation.mjs due transition  some groups
//
// StrykerJS is not a dependency of the repository: `npx` fetches the pinned version
// (@stryker-mutator/core 9.5.1 is the last line that runs on Node 20; 10.x needs Node 22),
// or STRYKER_BIN names an installed `stryker` binary.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = new URL("..", import.meta.url).pathname
const STRYKER_VERSION = "9.5.1"

/** Each group: what is mutated, and the unit tests that must kill the mutants. */
const GROUPS = {
  due: { mutate: ["packages/cli/src/rotation/due.ts"], tests: ["packages/cli/src/rotation/due.test.ts", "packages/cli/src/rotation/plan.test.ts"] },
  transition: { mutate: ["packages/modules/src/envelope/transition.ts"], tests: ["packages/modules/src/envelope/transition.test.ts", "packages/modules/src/envelope/properties.test.ts"] },
  seal: { mutate: ["packages/modules/src/seal/seal.ts", "packages/modules/src/seal/keys.ts"], tests: ["packages/modules/src/seal/seal.test.ts"] },
  select: { mutate: ["packages/modules/src/envelope/select.ts", "packages/modules/src/envelope/order.ts"], tests: ["packages/modules/src/envelope/select.test.ts", "packages/modules/src/envelope/properties.test.ts"] },
  // The envelope's format itself (parsing, encodings, times, version ids, size); transition and
  // selection are their own groups above.
  // Its five test files run in one process (`inProcess`): with a process and a tsx start per
  // file, each of its ~860 mutants cost ~7 s instead of ~1.5 s.
  envelope: {
    mutate: ["parse", "encoding", "rfc3339", "version-id", "duplicate-keys", "sealed-text", "size", "describe"].map((name) => `packages/modules/src/envelope/${name}.ts`),
    tests: ["parse", "encoding", "rfc3339", "size", "properties", "duplicate-keys"].map((name) => `packages/modules/src/envelope/${name}.test.ts`),
    inProcess: true,
  },
  // The pack format (docs/design.md#packing): names, parse, serialize and sizes.
  pack: {
    mutate: ["name", "parse", "serialize"].map((name) => `packages/modules/src/pack/${name}.ts`),
    tests: ["name", "format"].map((name) => `packages/modules/src/pack/${name}.test.ts`),
    inProcess: true,
  },
}

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(GROUPS)
const unknown = chosen.filter((name) => !(name in GROUPS))
if (unknown.length) {
  console.error(`unknown group ${unknown.join(", ")}; known: ${Object.keys(GROUPS).join(", ")}`)
  process.exit(1)
}

const stryker = process.env.STRYKER_BIN ? [process.env.STRYKER_BIN] : ["npx", "--yes", `@stryker-mutator/core@${STRYKER_VERSION}`]
const scratch = mkdtempSync(join(tmpdir(), "layeron-mutation-"))
const scores = []
try {
  for (const name of chosen) {
    const group = GROUPS[name]
    const reportFile = join(scratch, `${name}.json`)
    const config = {
      testRunner: "command",
      // Node 20 takes no globs: the shell expands them.
      commandRunner: { command: group.inProcess ? `node --import tsx --conditions=source ${inProcessRunner(name, group.tests)}` : `node --import tsx --conditions=source --test ${group.tests.join(" ")}` },
      mutate: group.mutate,
      coverageAnalysis: "off",
      concurrency: 2,
      timeoutMS: 30_000,
      reporters: ["clear-text", "json"],
      jsonReporter: { fileName: reportFile },
      tempDirName: join(scratch, `sandbox-${name}`),
      ignorePatterns: ["dist", ".layeron", "test/reliability/results", "bench/results", ".git"],
      cleanTempDir: true,
    }
    const configFile = join(scratch, `${name}.stryker.json`)
    writeFileSync(configFile, JSON.stringify(config, null, 2))
    console.log(`\n== mutation: ${name} (${group.mutate.filter((glob) => !glob.startsWith("!")).join(", ")})`)
    const started = Date.now()
    const run = spawnSync(stryker[0], [...stryker.slice(1), "run", configFile], { cwd: root, stdio: "inherit" })
    if (run.status !== 0) throw new Error(`stryker exited ${run.status} for ${name}`)
    const report = JSON.parse(readFileSync(reportFile, "utf8"))
    const mutants = Object.values(report.files).flatMap((file) => file.mutants)
    const count = (status) => mutants.filter((mutant) => mutant.status === status).length
    const killed = count("Killed") + count("Timeout")
    const survived = count("Survived") + count("NoCoverage")
    scores.push({ name, mutants: mutants.length, killed, survived, score: (100 * killed) / Math.max(1, killed + survived), minutes: (Date.now() - started) / 60_000 })
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
console.log("\n| group | mutants | killed | survived | score | time |\n|---|---:|---:|---:|---:|---:|")
for (const row of scores) console.log(`| ${row.name} | ${row.mutants} | ${row.killed} | ${row.survived} | ${row.score.toFixed(1)} % | ${row.minutes.toFixed(1)} min |`)

/**
 * A script that imports the test files one after another in this process: node:test runs the
 * tests of an imported file in-process and exits 1 if any failed. Paths resolve against the
 * working directory, which is Stryker's sandbox (where the mutated sources are).
 */
function inProcessRunner(name, tests) {
  const file = join(scratch, `${name}.tests.mjs`)
  const imports = tests.map((test) => `await import(pathToFileURL(resolve(${JSON.stringify(test)})).href)`).join("\n")
  writeFileSync(file, `import { resolve } from "node:path"\nimport { pathToFileURL } from "node:url"\n${imports}\n`)
  return file
}
