/**
 * A project at Cloudflare scale for the rotation, deploy and memory sections: `count` rotating
 * secrets in a `production` environment backed by the API emulator (bench/lib/emulator.mjs).
 * The account quota is raised by one so that Layeron's own sealing key fits beside them.
 */
import { startBenchEmulator } from "./emulator.mjs"
import { scaleProject } from "./fixtures.mjs"
import { createBenchProject } from "./project.mjs"

/** The latency added to every API request in the scale sections. */
export const LATENCY_MS = 50

/** Cloudflare's account quota: the largest number of secrets one environment can hold. */
export const FULL_SCALE = 100
export const QUICK_SCALE = 25

/** @param {{ count: number, kind: "generated" | "random", packing?: boolean }} spec */
export async function openScaleProject({ count, kind, packing = false }) {
  const api = await startBenchEmulator({ quota: count + 1 })
  let project
  try {
    project = await createBenchProject(scaleProject({ count, accountId: api.accountId, kind, packing }))
  } catch (error) {
    await api.close()
    throw error
  }
  /** `layer ARGS` against the emulator, with a fresh token's rate-limit budget. */
  const layer = (args, options = {}) => project.layer(args, { ...options, env: { ...api.cliEnv(), ...options.env } })
  return {
    api,
    project,
    count,
    layer,
    /**
     * One timed `layer ARGS` with LATENCY_MS on every request: wall time, peak RSS, the
     * requests it made and how many were answered 429, plus its parsed --json document.
     */
    async timed(args, { latencyMs = LATENCY_MS, allowedCodes = [0], env = {} } = {}) {
      api.rotateToken()
      api.resetRequestLog()
      api.setLatency(latencyMs)
      let run
      try {
        run = await layer(args, { env })
      } finally {
        api.setLatency(0)
      }
      if (!allowedCodes.includes(run.code ?? -1)) throw new CommandFailed(args, run)
      return { ...run, ...api.requestCounts(), document: parseJson(run.stdout) }
    },
    async close() {
      await project.cleanup()
      await api.close()
    },
  }
}


export class CommandFailed extends Error {
  constructor(args, run) {
    const error = parseJson(run.stdout)?.error
    super(`layer ${args.join(" ")} exited ${run.code}: ${error ? `${error.code}: ${error.message}` : run.stderr.trim().split("\n")[0]}`)
    this.run = run
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
