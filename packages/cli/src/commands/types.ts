/**
 * The contract between cli.ts and a command module. A command reads its inputs from the
 * context, does its work, and returns a CommandResult; it never prints (output/ does) and
 * never picks an exit code for an error (bin.ts does: throw a LayerError instead).
 */
import type { CommandResult, Output } from "../output/index.js"
import type { Terminal, TerminalInput } from "../output/prompt.js"

export interface GlobalOptions {
  /** --env, if given (LAYERON_ENV and the config's default are applied by config/). */
  env: string | undefined
  json: boolean
  /** Absolute directory the project search starts from (--cwd, default the process cwd). */
  cwd: string
  debug: boolean
}

export type FlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>

export interface CommandContext {
  /** The command as typed: "secret set". */
  readonly command: string
  readonly positionals: readonly string[]
  /** The command's own flags, as declared in cli.ts. */
  readonly flags: FlagValues
  readonly global: GlobalOptions
  /** The process environment (read it here, not from process.env, so tests can pass their own). */
  readonly env: NodeJS.ProcessEnv
  /** Raw stdin, for `--from-stdin`. */
  readonly stdin: TerminalInput
  readonly terminal: Terminal
  /** For warnings, notes and debug lines only; results are returned. */
  readonly output: Output
  readonly now: () => Date
}

export interface CommandModule {
  run(context: CommandContext): Promise<CommandResult>
}

/** A string flag's value, or undefined when absent. */
export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const value = flags[name]
  return typeof value === "string" ? value : undefined
}

/** A repeatable string flag's values (`--map A=b --map C=d`), empty when absent. */
export function stringsFlag(flags: FlagValues, name: string): string[] {
  const value = flags[name]
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : []
}

export function booleanFlag(flags: FlagValues, name: string): boolean {
  return flags[name] === true
}
