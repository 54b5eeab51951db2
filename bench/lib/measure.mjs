/**
 * Timing, statistics and process spawning for the benchmarks.
 *
 * A measured process runs under GNU `/usr/bin/time -f %M -o FILE` when that exists, which
 * reports the peak resident set size (the largest single process: the kernel's ru_maxrss of
 * the child, which already folds in its waited-for descendants). Without it, /proc/<pid>/status
 * is polled for VmHWM every few milliseconds, which can miss a peak in the last instant of a
 * very short process. Wall time is measured around the spawn either way, so every subject (the
 * `node -e 0` floor included) pays the same wrapper cost.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

const GNU_TIME = "/usr/bin/time"
const hasGnuTime = existsSync(GNU_TIME)

/** How peak RSS is measured on this machine (printed with the results). */
export const peakRssMethod = hasGnuTime ? "/usr/bin/time -f %M (ru_maxrss)" : "/proc/<pid>/status VmHWM, polled every 5 ms"

/** @param {number[]} samples */
export function stats(samples) {
  if (samples.length === 0) throw new RangeError("stats of no samples")
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  return { min: sorted[0], median, max: sorted[sorted.length - 1] }
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function elapsedMs(start) {
  return Number(process.hrtime.bigint() - start) / 1e6
}

/**
 * Run one process to completion.
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, input?: string, timeoutMs?: number }} [options]
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string, wallMs: number, peakRssKiB: number | undefined }>}
 */
export async function runProcess(command, args, options = {}) {
  const scratch = hasGnuTime ? await mkdtemp(join(tmpdir(), "layeron-bench-time-")) : undefined
  const rssFile = scratch && join(scratch, "rss")
  const [file, argv] = rssFile ? [GNU_TIME, ["-f", "%M", "-o", rssFile, command, ...args]] : [command, args]
  try {
    const started = process.hrtime.bigint()
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] })
    const poller = rssFile ? undefined : pollPeakRss(child.pid)
    const stdout = []
    const stderr = []
    child.stdout.on("data", (chunk) => stdout.push(chunk))
    child.stderr.on("data", (chunk) => stderr.push(chunk))
    child.stdin.on("error", () => {}) // the process may exit before reading its input
    child.stdin.end(options.input ?? "")
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000)
    const { code, signal } = await new Promise((resolve, reject) => {
      child.on("error", reject)
      child.on("close", (code, signal) => resolve({ code, signal }))
    })
    const wallMs = elapsedMs(started)
    clearTimeout(timer)
    const peakRssKiB = rssFile ? await readRssFile(rssFile) : poller?.stop()
    return { code, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), wallMs, peakRssKiB }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true })
  }
}

/** Like runProcess, but a non-zero exit (other than those allowed) is an error with its stderr. */
export async function runChecked(command, args, options = {}, allowedCodes = [0]) {
  const result = await runProcess(command, args, options)
  if (!allowedCodes.includes(result.code ?? -1)) {
    const shown = [command, ...args].join(" ")
    throw new Error(`${shown} exited ${result.code ?? result.signal}:\n${result.stderr.trim() || result.stdout.trim()}`)
  }
  return result
}

async function readRssFile(path) {
  // GNU time writes "Command exited with non-zero status N" before the figure on failure.
  const lines = (await readFile(path, "utf8")).trim().split("\n")
  const value = Number(lines[lines.length - 1])
  return Number.isFinite(value) ? value : undefined
}

function pollPeakRss(pid) {
  let peak
  const read = async () => {
    try {
      const status = await readFile(`/proc/${pid}/status`, "utf8")
      const match = /^VmHWM:\s+(\d+) kB/m.exec(status)
      if (match) peak = Math.max(peak ?? 0, Number(match[1]))
    } catch {
      // gone, or no /proc: keep what was seen
    }
  }
  void read()
  const interval = setInterval(read, 5)
  return {
    stop() {
      clearInterval(interval)
      return peak
    },
  }
}
