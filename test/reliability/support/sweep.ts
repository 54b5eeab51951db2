/**
 * The leak sweep's runner: one cell is a command line on one path (success, or an error with
 * its code) fed by one source of canary values. Each cell runs in every output mode with
 * debug logging on; every output is kept so that, at the end, it can be scanned again for
 * the values the store holds by then (rotation and deploy make values the test never saw).
 */
import assert from "node:assert/strict"
import { jsonOf } from "../../helpers/project.js"
import type { TestProject } from "../../helpers/project.js"
import { layerInPty } from "../../helpers/pty.js"
import type { PtyStep } from "../../helpers/pty.js"
import type { CanarySet, Leak } from "./canary.js"
import { FULL } from "./mode.js"

export interface SweepCell {
  /** `secret set`, `login`, … */
  command: string
  /** "success" or the error code expected (checked in --json mode). */
  path: string
  /** Where the canary came from: flag, env, stdin, prompt, envelope, token, argv, none. */
  source: string
  args: readonly string[]
  project: TestProject
  env?: Record<string, string | undefined>
  input?: string
  /** Answer prompts in a real terminal instead of piping stdin. */
  pty?: readonly PtyStep[]
  /** Exit code of a success; default 0 (a due rotation plan exits 2). */
  successCode?: number
  /**
   * The path ends in a result document with a non-zero exit (a deploy with a conflict or a
   * failed node): `path` names it, and `successCode` is the exit expected.
   */
  document?: true
  /** Run before each mode (to recreate what the previous mode consumed, e.g. a deleted secret). */
  prepare?: () => Promise<void>
}

export interface OutputMode {
  name: string
  json: boolean
  /** --debug on the command line, or LAYERON_DEBUG=1 in the environment. */
  debugBy: "flag" | "env"
}

/** Every combination of output form and debug switch. */
export const OUTPUT_MODES: readonly OutputMode[] = [
  { name: "human --debug", json: false, debugBy: "flag" },
  { name: "--json LAYERON_DEBUG=1", json: true, debugBy: "env" },
  { name: "human LAYERON_DEBUG=1", json: false, debugBy: "env" },
  { name: "--json --debug", json: true, debugBy: "flag" },
]

/**
 * The modes one cell runs in. Full run: all four. Default run: one, taking turns, so every
 * command still meets both output forms and both debug switches across its cells.
 */
function modesFor(cellIndex: number): readonly OutputMode[] {
  return FULL ? OUTPUT_MODES : [OUTPUT_MODES[cellIndex % OUTPUT_MODES.length] as OutputMode]
}

export interface SweepRecord {
  /** Which cell (its position in the sweep). */
  cell: number
  command: string
  path: string
  source: string
  mode: string
  output: string
}

export class Sweep {
  readonly records: SweepRecord[] = []
  #cells = 0
  constructor(readonly canaries: CanarySet) {}

  /** Run the cell in every output mode; assert the path taken and no canary in the output. */
  async run(cell: SweepCell): Promise<void> {
    const index = this.#cells++
    for (const mode of modesFor(index)) {
      await cell.prepare?.()
      const output = await this.#runOnce(cell, mode)
      this.records.push({ cell: index, command: cell.command, path: cell.path, source: cell.source, mode: mode.name, output })
      const leaks = this.canaries.find(output, `output of \`layer ${cell.command}\` (${cell.path}, ${mode.name})`)
      assert.deepEqual(leaks, [], `a canary was printed:\n${describeLeaks(leaks)}`)
    }
  }

  /** Scan every kept output again (after more canaries were registered). */
  rescan(): Leak[] {
    return this.records.flatMap((record) => this.canaries.find(record.output, `output of \`layer ${record.command}\` (${record.path}, ${record.mode})`))
  }

  async #runOnce(cell: SweepCell, mode: OutputMode): Promise<string> {
    const args = [...cell.args, ...(mode.json ? ["--json"] : []), ...(mode.debugBy === "flag" ? ["--debug"] : [])]
    const env = { ...cell.env, ...(mode.debugBy === "env" ? { LAYERON_DEBUG: "1" } : {}) }
    const label = `layer ${cell.command} [${cell.path}, ${cell.source}, ${mode.name}]`
    const success = cell.path === "success" || cell.document === true
    const successCode = cell.successCode ?? 0
    if (cell.pty) {
      const run = await layerInPty(cell.project, args, cell.pty, { NO_COLOR: "1", ...env })
      assert.equal(run.timedOut, false, `${label} timed out:\n${run.output}`)
      if (success) assert.equal(run.exitCode, successCode, `${label}:\n${run.output}`)
      else {
        assert.notEqual(run.exitCode, 0, `${label} should fail:\n${run.output}`)
        // In a terminal stdout and stderr are one stream: the --json document is mixed in, so check the human line.
        assert.match(run.output, /error: /, label)
      }
      return run.output
    }
    const run = await cell.project.layer(args, { env, ...(cell.input !== undefined ? { input: cell.input } : {}) })
    if (success) assert.equal(run.code, successCode, `${label}:\n${run.stderr}`)
    else {
      assert.notEqual(run.code, 0, `${label} should fail:\n${run.stdout}\n${run.stderr}`)
      assert.match(run.stderr, /^error: /m, label)
      if (mode.json) assert.equal(jsonOf<{ error: { code: string } }>(run).error.code, cell.path, `${label}: ${run.stderr}`)
    }
    return `${run.stdout}\n${run.stderr}`
  }

  /** Commands × paths × modes, for the figures. */
  coverage(): { command: string; successCells: number; errorCells: number; errorCodes: number; sources: string; modes: string; runs: number }[] {
    const byCommand = new Map<string, SweepRecord[]>()
    for (const record of this.records) byCommand.set(record.command, [...(byCommand.get(record.command) ?? []), record])
    return [...byCommand].map(([command, records]) => {
      const cells = new Map(records.map((record) => [record.cell, record]))
      // A document that reports a failure (deploy conflict) is an error path too.
      const errors = [...cells.values()].filter((record) => record.path !== "success")
      return {
        command,
        successCells: cells.size - errors.length,
        errorCells: errors.length,
        errorCodes: new Set(errors.map((record) => record.path)).size,
        sources: [...new Set(records.map((record) => record.source))].sort().join(", "),
        modes: [...new Set(records.map((record) => record.mode))].sort().join("; "),
        runs: records.length,
      }
    })
  }
}

export function describeLeaks(leaks: readonly Leak[]): string {
  return leaks.map((leak) => `  canary ${leak.canary} (${leak.form}) in ${leak.where}`).join("\n")
}
