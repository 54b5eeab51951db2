/** The shape of one row of the command table in cli.ts. */
import type { CommandModule } from "../commands/types.js"

export interface FlagSpec {
  type: "string" | "boolean"
  description: string
  /** Shown in help after a string flag: `--env <name>`. */
  valueName?: string
  short?: string
}

export interface PositionalSpec {
  name: string
  required: boolean
  description: string
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
  /** Loaded only when the command runs, so `layer --version` stays a bare Node start. */
  load: () => Promise<CommandModule>
}

export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  env: { type: "string", valueName: "name", description: "environment (default: LAYERON_ENV, then the config's defaultEnvironment)" },
  json: { type: "boolean", description: "print one JSON document on stdout instead of text" },
  cwd: { type: "string", valueName: "dir", description: "look for layeron.config.ts from this directory upwards (default: the current directory)" },
  debug: { type: "boolean", description: "debug lines on stderr (also LAYERON_DEBUG=1); values are never printed" },
  help: { type: "boolean", short: "h", description: "show help" },
}

export const EXIT_CODES: readonly [string, string][] = [
  ["0", "success (for `secret rotate` without --apply: nothing is due)"],
  ["1", "error: the message says what is wrong and the hint how to fix it"],
  ["2", "`secret rotate` plan: rotations are due"],
  ["130", "interrupted (Ctrl-C)"],
]
