#!/usr/bin/env node
/**
 * Benchmark (not a test): what it costs a `layer` process to load a Cloudflare client.
 * Each sample is a fresh `node` process (cold module graph, warm OS file cache) that imports
 * one thing and reports how long the import took:
 *   - bare: nothing (the floor of a Node start);
 *   - provider: packages/cli/dist/providers/cloudflare/index.js (our fetch client; build first);
 *   - sdk: the official `cloudflare` SDK 7.3.0 (`import Cloudflare from "cloudflare"` + one client).
 *
 *   node bench/cloudflare-client-load.mjs [--runs 7]
 *
 * docs/cloudflare.md records the result and the decision it supports.
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { stats } from "./lib/measure.mjs"

const root = fileURLToPath(new URL("..", import.meta.url))
const { values } = parseArgs({ options: { runs: { type: "string", default: "7" } } })
const runs = Number(values.runs)

const subjects = {
  bare: "",
  provider: `await import(${JSON.stringify(new URL("../packages/cli/dist/providers/cloudflare/index.js", import.meta.url).href)})`,
  sdk: `const { default: Cloudflare } = await import("cloudflare"); new Cloudflare({ apiToken: "x", maxRetries: 0 }).secretsStore`,
}

function sample(code) {
  const script = `const t = performance.now(); ${code}; process.stdout.write(String(performance.now() - t))`
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" })
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(result.stderr)
  return { importMs: Number(result.stdout), wallMs }
}

// The one median of the benchmarks (the middle two averaged for an even count).
const median = (list) => stats(list).median

export function runCloudflareClientLoadBench(count = runs) {
  return Object.entries(subjects).map(([name, code]) => {
    const samples = Array.from({ length: count }, () => sample(code))
    return { name, importMs: median(samples.map((s) => s.importMs)), processMs: median(samples.map((s) => s.wallMs)) }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`median of ${runs} fresh processes (node ${process.version}):`)
  for (const row of runCloudflareClientLoadBench()) {
    console.log(`  ${row.name.padEnd(9)} import ${row.importMs.toFixed(1).padStart(6)} ms   whole process ${row.processMs.toFixed(0).padStart(4)} ms`)
  }
}
