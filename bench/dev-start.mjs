/**
 * Section "dev-start": `layer dev` from spawn to its first correct answer, for the example
 * project (examples/shop, its `/stripe` route reading a secret through the Secret Product
 * Worker), beside `wrangler dev` (the pinned wrangler) from spawn to its first correct answer
 * on an equivalent single Worker reading a Secrets Store binding (seeded beforehand with
 * `wrangler secrets-store secret create`, local).
 *
 * Each process is polled from the instant of spawn, every 10 ms; a refused connection is no
 * answer, and an answer is correct when it is 200 and says the secret is configured. The two
 * run in alternating order, each run on a fresh free port, and each is stopped (SIGINT) and
 * waited for before the next starts.
 */
import { spawn } from "node:child_process"
import { realpathSync } from "node:fs"
import { readFile, readdir } from "node:fs/promises"
import { createServer } from "node:net"
import { join } from "node:path"
import { describeFailure, measuredRow, notMeasuredRow } from "./lib/rows.mjs"
import { runChecked, stats } from "./lib/measure.mjs"
import { LAYER_BIN, REPO_ROOT, WRANGLER_BIN, createBenchProject } from "./lib/project.mjs"

export const name = "dev-start"

const VALUE = "sk_test_bench_dev_start_value"
const STORE_ID = "0123456789abcdef0123456789abcdef"
const WRANGLER_WORKER = `export default {
  async fetch(request, env) {
    try {
      const value = await env.STRIPE.get()
      return Response.json({ configured: value.length > 0 })
    } catch {
      return Response.json({ error: "secret_not_found" }, 503)
    }
  },
}
`
const WRANGLER_CONFIG = `{
  "name": "bench-dev-start",
  "main": "worker.js",
  "compatibility_date": "2026-04-01",
  "secrets_store_secrets": [{ "binding": "STRIPE", "store_id": "${STORE_ID}", "secret_name": "STRIPE_SECRET" }]
}
`
const TIMEOUT_MS = 120_000

/** @param {{ runs: number }} options */
export async function run({ runs }) {
  const shop = await createBenchProject(await exampleShop())
  const wrangler = realpathSync(WRANGLER_BIN)
  const plain = await createBenchProject({ config: "", files: { "worker.js": WRANGLER_WORKER, "wrangler.jsonc": WRANGLER_CONFIG } })
  try {
    await shop.layerChecked(["secret", "set", "STRIPE_SECRET", "--value-env", "BENCH_VALUE"], { env: { BENCH_VALUE: VALUE } })
    const wranglerEnv = plain.env({ WRANGLER_SEND_METRICS: "false", CI: "1" })
    await runChecked(process.execPath, [wrangler, "secrets-store", "secret", "create", STORE_ID, "--name", "STRIPE_SECRET", "--scopes", "workers", "--value", VALUE], { cwd: plain.root, env: wranglerEnv })

    const subjects = {
      layer: (port) => timeToCorrectAnswer([LAYER_BIN, "dev", "--port", String(port)], { cwd: shop.root, env: shop.env() }, port, "/stripe"),
      wrangler: (port) => timeToCorrectAnswer([wrangler, "dev", "--port", String(port), "--ip", "127.0.0.1"], { cwd: plain.root, env: wranglerEnv }, port, "/"),
    }
    // Warm-up: tsx's cache, wrangler's first-run files, the OS's page cache for workerd.
    await subjects.layer(await freePort())
    await subjects.wrangler(await freePort())

    const samples = { layer: [], wrangler: [] }
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ["layer", "wrangler"] : ["wrangler", "layer"]
      for (const key of order) samples[key].push(await subjects[key](await freePort()))
    }
    const ms = (list) => `${stats(list).median.toFixed(0)} ms`
    return [
      measuredRow({ section: name, measure: "layer dev, spawn to first correct answer (examples/shop)", unit: "ms", spread: stats(samples.layer), runs }),
      measuredRow({ section: name, measure: "wrangler dev, spawn to first correct answer (one Worker, Secrets Store binding)", unit: "ms", spread: stats(samples.wrangler), runs }),
      measuredRow({
        section: name,
        measure: "layer dev / wrangler dev, spawn to first correct answer",
        unit: "x",
        spread: stats(samples.layer.map((t, i) => t / samples.wrangler[i])),
        runs,
        goal: { atMost: 1, of: "median" },
        detail: `${ms(samples.layer)} vs ${ms(samples.wrangler)}; each run alternates which starts first`,
      }),
    ]
  } catch (error) {
    return [notMeasuredRow({ section: name, measure: "layer dev / wrangler dev, spawn to first correct answer", goal: { atMost: 1, of: "median" }, reason: describeFailure(error) })]
  } finally {
    await shop.cleanup()
    await plain.cleanup()
  }
}

/** examples/shop's config and sources, as they are in the repository. */
async function exampleShop() {
  const root = join(REPO_ROOT, "examples", "shop")
  const files = {}
  for (const file of await readdir(join(root, "src"))) files[`src/${file}`] = await readFile(join(root, "src", file), "utf8")
  return { config: await readFile(join(root, "layeron.config.ts"), "utf8"), files }
}

async function freePort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Spawns `node ARGS`, polls http://127.0.0.1:PORT/PATH until a correct answer; returns the ms from spawn. */
async function timeToCorrectAnswer(args, options, port, path) {
  const started = performance.now()
  const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "ignore", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (chunk) => (stderr += chunk.toString("utf8")))
  const exited = new Promise((resolve) => child.on("close", resolve))
  let done = false
  void exited.then(() => (done = true))
  try {
    for (;;) {
      if (done) throw new Error(`${args[1]} ${args[2]} exited before answering: ${stderr.trim().split("\n").slice(-2).join(" / ")}`)
      if (performance.now() - started > TIMEOUT_MS) throw new Error(`${args[1]} ${args[2]}: no correct answer within ${TIMEOUT_MS / 1000} s`)
      try {
        const response = await fetch(`http://127.0.0.1:${port}${path}`)
        const body = await response.json().catch(() => ({}))
        if (response.status === 200 && body.configured === true) return performance.now() - started
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  } finally {
    child.kill("SIGINT")
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000)
    await exited
    clearTimeout(killer)
  }
}
