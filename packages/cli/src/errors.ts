/**
 * The CLI's one error type. A LayerError carries a stable `code`, the process exit code and a
 * `hint` that says how to fix the problem. Constructors take names and numbers, never values
 * or tokens, so no error can print one.
 */
/** 1 error, 2 "rotations are due" (`secret rotate` plan), 3 reserved, 130 interrupted (Ctrl-C). */
export type ExitCode = 1 | 2 | 3 | 130

export interface LayerErrorOptions {
  hint?: string
  /** Defaults to 1. (2 is reserved for "rotations are due" in `secret rotate`.) */
  exitCode?: ExitCode
  /** Extra fields for `--json` error output; must never hold a value or token. */
  details?: Record<string, unknown>
  cause?: unknown
}

export class LayerError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: ExitCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: string, message: string, options: LayerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "LayerError"
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? 1
    this.details = options.details
  }
}

export function isLayerError(error: unknown): error is LayerError {
  return error instanceof Error && (error as { name?: string }).name === "LayerError" && "code" in error
}
