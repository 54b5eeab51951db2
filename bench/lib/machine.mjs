/** The machine the figures came from: they mean little without it. */
import { availableParallelism, totalmem } from "node:os"
import { readFileSync } from "node:fs"

export function describeMachine(now = new Date()) {
  return {
    date: now.toISOString(),
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel: cpuModel(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  }
}

function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))
    return match?.[1]?.trim() ?? "unknown"
  } catch {
    return "unknown (no /proc/cpuinfo)"
  }
}
