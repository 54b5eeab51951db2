/**
 * Section "cli-start": wall time of short `layer` commands against two references, a bare
 * Node start (`node -e 0`, the floor no Node CLI can beat) and `wrangler --version` (the
 * pinned wrangler 4.86.0, what a Workers developer already waits for). `layer` is what
 * `npx layer` runs: the committed launcher, which loads the CLI's esbuild bundle.
 *
 * The rows are measured on this Node, then again on Node 22 and 24 from the npm registry's
 * `node` package (scripts/lib/node-from-npm.mjs), each with the goals: a user may run any of
 * them. Each runs as a user's would: the launcher keeps V8's code cache for the bundle in
 * LAYERON_HOME/cache/compile, which must hold this Node's cache file after the warm-up, or the
 * rows would not be what they claim.
 *
 * `secret set` and `secret list` run with the project cache warm (the usual case: the project
 * did not change since the last command); a third row shows `secret list` right after an
 * edit, when the project is imported again through tsx.
 *
 * Every run executes every subject (the fastest of ATTEMPTS_PER_RUN attempts) in a rotating
 * order, and each subject's ratio for that run is taken against the references from the same
 * run, so a slow moment on the shared machine shows up as spread (min/max) rather than as a
 * wrong median.
 */
import { readdirSync, realpathSync } from "node:fs"
import { utimes } from "node:fs/promises"
import { join } from "node:path"
import { describeFailure, measuredRow, notMeasuredRow } from "../lib/rows.mjs"
import { runChecked, stats } from "../lib/measure.mjs"
import { createBenchProject, LAYER_BIN, WRANGLER_BIN } from "../lib/project.mjs"
import { installNode, NODE_VERSIONS } from "../../scripts/lib/node-from-npm.mjs"
import { SMALL_PROJECT } from "../lib/fixtures.mjs"

export const name = "cli-start"

const VALUE_VAR = "BENCH_SECRET_VALUE"

/**
 * A run's figure for a subject is the fastest of this many back-to-back invocations: these
 * processes live 20 to 700 ms on a shared machine, and the fastest attempt is the one least
 * disturbed by other work. Floor and subjects are treated alike, so ratios stay fair.
 */
const ATTEMPTS_PER_RUN = 3

async function fastestOf(attempts, run) {
  let best = Infinity
  for (let i = 0; i < attempts; i++) best = Math.min(best, await run())
  return best
}

/** @param {{ runs: number }} options */
export async function run({ runs }) {
  const rows = await measureOn(process.execPath, { runs, tag: "" })
  for (const version of [NODE_VERSIONS[22], NODE_VERSIONS[24]]) {
    const bin = await installNode(version, { onOutput: () => {} })
    if (!bin) rows.push(notMeasuredRow({ section: name, measure: `Node ${version} rows`, reason: `the npm registry's node@${version} did not install` }))
    else rows.push(...(await measureOn(join(bin, "node"), { runs, tag: ` [Node ${version}]` })))
  }
  return rows
}

/**
 * Every subject on one Node binary. `tag` goes after each measure's name.
 */
async function measureOn(nodeBinary, { runs, tag }) {
  const project = await createBenchProject(SMALL_PROJECT)
  const compileCacheDir = join(project.home, "cache", "compile")
  const envFor = (extra = {}) => project.env(extra)
  try {
    const node = (args) => async () => (await runChecked(nodeBinary, args, { cwd: project.root, env: envFor() })).wallMs
    const layerRun = (args, env = {}) => runChecked(nodeBinary, [LAYER_BIN, ...args], { cwd: project.root, env: envFor(env) })
    const layer = (args) => async () => (await layerRun(args)).wallMs
    // The bin is a symlink to a `#!/usr/bin/env node` script: run it with this same Node.
    const wrangler = node([realpathSync(WRANGLER_BIN), "--version"])
    // A fresh value each time, so every run is a real write (an unchanged value is still written).
    let counter = 0
    const setValue = () => ({ [VALUE_VAR]: `bench-value-${process.pid}-${++counter}` })
    const set = (args) => async () => (await layerRun(args, setValue())).wallMs

    const subjects = [
      { key: "floor", run: node(["-e", "0"]) },
      { key: "wrangler", run: wrangler },
      { key: "version", label: "layer --version", goal: 1.2, run: layer(["--version"]) },
      // A declared secret: the write goes through the rotation record (lock, sealed copy, intent, completion).
      { key: "set", label: "layer secret set, declared (local)", goal: 2, cache: "warm", args: ["secret", "set", "payments/stripe", "--value-env", VALUE_VAR], run: set(["secret", "set", "payments/stripe", "--value-env", VALUE_VAR]) },
      // A plain Cloudflare secret name that no declaration uses: one store write.
      { key: "setPlain", label: "layer secret set, undeclared name (local)", goal: 2.5, cache: "warm", args: ["secret", "set", "BENCH_PLAIN", "--value-env", VALUE_VAR], run: set(["secret", "set", "BENCH_PLAIN", "--value-env", VALUE_VAR]) },
      { key: "list", label: "layer secret list --json (local)", goal: 2, cache: "warm", args: ["secret", "list", "--json"], run: layer(["secret", "list", "--json"]) },
      // The first command after an edit imports the project again (tsx): shown, no goal.
      {
        key: "listEdited",
        label: "layer secret list --json, backend just edited",
        cache: "stale",
        args: ["secret", "list", "--json"],
        run: async () => {
          await touchBackend()
          return (await layerRun(["secret", "list", "--json"])).wallMs
        },
      },
    ]
    const touchBackend = async () => {
      const now = new Date()
      await utimes(join(project.root, "src", "api.ts"), now, now)
    }
    /**
     * A row is only what it says if the project cache is in the state it claims: the same
     * command with --debug (untimed) must report a hit ("warm") or a re-import ("stale").
     */
    const checkCacheStates = async (when) => {
      for (const subject of subjects.filter((s) => s.cache)) {
        if (subject.cache === "stale") await touchBackend()
        const { stderr } = await layerRun([...subject.args, "--debug"], setValue())
        const hit = /project cache: config and declarations from /.test(stderr)
        const reimported = /project cache: .*importing the project/.test(stderr)
        if (subject.cache === "warm" ? !hit : !reimported) {
          throw new Error(`${when}, "${subject.label}" claims the project cache ${subject.cache}, but --debug says: ${stderr.split("\n").find((line) => line.includes("project cache")) ?? "nothing about the cache"}`)
        }
      }
      const version = (await runChecked(nodeBinary, ["-p", "process.version"], {})).stdout.trim()
      const codeCache = readdirSync(compileCacheDir).filter((entry) => entry.startsWith(`layer-${version}-`) && entry.endsWith(".v8"))
      if (codeCache.length === 0) throw new Error(`${when}, the launcher's code cache for Node ${version} is not in ${compileCacheDir}`)
    }

    // Warm-up: the first `secret set` creates LAYERON_HOME's keys and the code cache folder; the next commands fill it.
    for (const subject of subjects) await subject.run()
    await checkCacheStates("before the timed runs")

    /** @type {Record<string, number[]>} */
    const samples = Object.fromEntries(subjects.map((s) => [s.key, []]))
    for (let i = 0; i < runs; i++) {
      const order = subjects.map((_, k) => subjects[(k + i) % subjects.length])
      for (const subject of order) samples[subject.key].push(await fastestOf(ATTEMPTS_PER_RUN, subject.run))
    }
    await checkCacheStates("after the timed runs")

    const floor = samples.floor
    const wranglerMs = samples.wrangler
    const ms = (list) => `${stats(list).median.toFixed(0)} ms`
    const rows = [
      measuredRow({
        section: name,
        measure: `wrangler --version / node -e 0${tag}`,
        unit: "x",
        spread: stats(wranglerMs.map((w, i) => w / floor[i])),
        runs,
        detail: `reference: wrangler ${ms(wranglerMs)}, node ${ms(floor)}; each run: fastest of ${ATTEMPTS_PER_RUN} attempts`,
      }),
    ]
    for (const subject of subjects.filter((s) => s.label)) {
      const own = samples[subject.key]
      rows.push(
        measuredRow({
          section: name,
          measure: `${subject.label} / node -e 0${tag}`,
          unit: "x",
          spread: stats(own.map((t, i) => t / floor[i])),
          runs,
          goal: subject.goal ? { atMost: subject.goal, of: "median" } : undefined,
          detail: `${ms(own)} vs ${ms(floor)}`,
        }),
        measuredRow({
          section: name,
          measure: `${subject.label} / wrangler --version${tag}`,
          unit: "x",
          spread: stats(own.map((t, i) => t / wranglerMs[i])),
          runs,
          detail: `${ms(own)} vs ${ms(wranglerMs)}`,
        }),
      )
    }
    return rows
  } catch (error) {
    return [notMeasuredRow({ section: name, measure: `CLI start${tag}`, reason: describeFailure(error) })]
  } finally {
    await project.cleanup()
  }
}
