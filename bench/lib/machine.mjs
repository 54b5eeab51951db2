/** The machine the figures came from: they mean little without it. */
import { availableParallelism, loadavg, totalmem } from "node:os"
import { readFileSync } from "node:fs"

export function describeMachine(now = new Date()) {
  return {
    date: now.toISOString(),
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel: cpuModel(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadAverage(),
  }
}

/**
 * The 1, 5 and 15 minute load averages. The machine is shared: a load above its CPU count
 * while the benchmark ran means other work competed with it, and every figure is slower and
 * more spread out than on a quiet machine.
 */
export function loadAverage() {
  return loadavg().map((value) => Math.round(value * 100) / 100)
}

export function busyWarning(machine, atEnd) {
  const worst = Math.max(machine.loadAverageAtStart[0], atEnd[0])
  return worst > machine.nproc ? `warning: load average reached ${worst} on ${machine.nproc} CPUs during this run; figures are noisier and slower than on a quiet machine` : undefined
}

function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))
    return match?.[1]?.trim() ?? "unknown"
  } catch {
    return "unknown (no /proc/cpuinfo)"
  }
}
