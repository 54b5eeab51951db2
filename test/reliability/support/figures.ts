/**
 * Every reliability file ends by printing its figures as a small table and writing them to
 * test/reliability/results/<name>.json, with the date, the machine and the run mode, so that
 * docs/reliability.md can be written from a full run. The directory is gitignored.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { arch, cpus, platform, release, totalmem } from "node:os"
import { fileURLToPath } from "node:url"
import { FULL } from "./mode.js"

export const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url))

export interface FigureTable {
  title: string
  columns: string[]
  rows: (string | number)[][]
}

export interface FiguresFile {
  name: string
  mode: "full" | "default"
  date: string
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string; node: string }
  /** Headline numbers: what docs/reliability.md quotes. */
  figures: Record<string, unknown>
  tables: FigureTable[]
  /** Commands or cells that were not run, with the reason; never counted in a figure. */
  notRun: string[]
  /** Evidence behind the figures (per-cell outcomes); written to the file, not printed. */
  details?: unknown
}

export interface Publication {
  figures: Record<string, unknown>
  tables: FigureTable[]
  notRun?: string[]
  details?: unknown
}

export function machine(): FiguresFile["machine"] {
  const list = cpus()
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  }
}

/** Print the tables (one console.log, so parallel test files do not interleave lines) and write the JSON file. */
export async function publishFigures(name: string, publication: Publication): Promise<FiguresFile> {
  const { figures, tables, notRun = [], details } = publication
  const file: FiguresFile = { name, mode: FULL ? "full" : "default", date: new Date().toISOString(), machine: machine(), figures, tables, notRun, ...(details === undefined ? {} : { details }) }
  const lines = [`\n== reliability: ${name} (${file.mode} run) ==`]
  for (const [key, value] of Object.entries(figures)) lines.push(`  ${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
  for (const table of tables) lines.push("", `  ${table.title}`, ...formatTable(table).map((line) => `  ${line}`))
  for (const reason of notRun) lines.push(`  not run: ${reason}`)
  console.log(lines.join("\n"))
  await mkdir(RESULTS_DIR, { recursive: true })
  await writeFile(new URL(`${name}.json`, `file://${RESULTS_DIR}`), `${JSON.stringify(file, null, 2)}\n`)
  return file
}

export function formatTable(table: FigureTable): string[] {
  const cells = [table.columns, ...table.rows.map((row) => row.map(String))]
  const widths = table.columns.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)))
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`
  return [line(table.columns), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...cells.slice(1).map(line)]
}
