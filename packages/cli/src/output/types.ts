/**
 * What a command hands to the output module. Commands never write to stdout or stderr:
 * they return a `CommandResult` whose `json` is the `--json` document and whose `human`
 * blocks say what a person should see; `output/` decides how it looks.
 */
export type Tone = "plain" | "success" | "warning" | "muted" | "strong"

export type HumanBlock =
  | { type: "line"; text: string; tone?: Tone }
  | { type: "table"; columns: readonly string[]; rows: readonly (readonly string[])[] }
  | { type: "blank" }

export interface CommandResult<T = unknown> {
  /** Printed as the one JSON document under `--json`. */
  json: T
  /** Printed otherwise. */
  human: HumanBlock[]
  /**
   * 0 by default; 2 only for a `secret rotate` plan with rotations due; 1 for a result that
   * is still worth printing whole although part of it failed (`layer deploy` with error nodes).
   */
  exitCode?: 0 | 1 | 2
}

/** The part of a stream the output module needs; process.stdout and test buffers both fit. */
export interface OutputStream {
  write(chunk: string): unknown
  isTTY?: boolean
}

export interface Output {
  readonly json: boolean
  /** A warning on stderr (`warning: …`); never a value. */
  warn(message: string): void
  /** A progress or status note on stderr. */
  note(message: string): void
  /**
   * Progress of a long run on stderr: at a terminal one line rewritten in place (undefined
   * clears it); elsewhere each call is a plain line (undefined prints nothing), so logs of
   * CI runs read as a list.
   */
  progress(line: string | undefined): void
  /** A `debug: …` line on stderr, only with --debug or LAYERON_DEBUG=1; never a value. */
  debug(message: string): void
  readonly debugEnabled: boolean
  /** Print a command's result: one JSON document, or the human blocks. */
  result(result: CommandResult): void
  /** Print help or version text (under --json, as `{ "help": … }`). */
  text(text: string, jsonKey: string): void
  /** Print an error; bin.ts decides the exit code. */
  error(error: unknown): void
}
