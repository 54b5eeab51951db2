/** The shape of one row of the command table in cli.ts. */
import type { CommandModule } from "../commands/types.js"

export interface FlagSpec {
  type: "string" | "boolean"
  description: string
  /** Shown in help after a string flag: `--env <name>`. */
  valueName?: string
  short?: string
  /** A string flag that may be given more than once (its value is then a list). */
  multiple?: boolean
}

export interface PositionalSpec {
  name: string
  required: boolean
  description: string
  /** The last positional only: takes every remaining argument (`NAME…`). */
  variadic?: boolean
}

export interface CommandSpec {
  /** Words as typed: ["secret", "set"]. */
  words: readonly string[]
  summary: string
  /** Longer explanation for `layer <cmd> --help`; one paragraph per entry. */
  description?: readonly string[]
  positionals: readonly PositionalSpec[]
  flags: Readonly<Record<string, FlagSpec>>
  examples: readonly string[]
  /**
   * The exit codes this command can return besides the common ones (1 error, 130 Ctrl-C),
   * with their meaning; 0's meaning too when it is more than "success". `--help` shows these only.
   */
  exitCodes?: readonly (readonly [string, string])[]
  /** Loaded only when the command runs, so `layer --version` stays a bare Node start. */
  load: () => Promise<CommandModule>
}

export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  env: { type: "string", short: "e", valueName: "name", description: "environment (default: LAYERON_ENV, then the config's defaultEnvironment)" },
  json: { type: "boolean", description: "print one JSON document on stdout instead of text" },
  cwd: { type: "string", valueName: "dir", description: "look for layeron.config.ts from this directory upwards (default: the current directory)" },
  debug: { type: "boolean", description: "debug lines on stderr (also LAYERON_DEBUG=1); values are never printed" },
  help: { type: "boolean", short: "h", description: "show help" },
}

/** Every command's exit codes unless its row says more. */
export const COMMON_EXIT_CODES: readonly (readonly [string, string])[] = [
  ["0", "success"],
  ["1", "error: the message says what is wrong and the hint how to fix it"],
  ["130", "interrupted (Ctrl-C)"],
]

/** All of them, for `layer --help`. */
export const EXIT_CODES: readonly [string, string][] = [
  ["0", "success (for `secret rotate` without --apply: nothing is due)"],
  ["1", "error: the message says what is wrong and the hint how to fix it"],
  ["2", "`secret rotate` plan: rotations are due"],
  ["130", "interrupted (Ctrl-C)"],
]
