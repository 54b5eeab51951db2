import type { EnvelopeRule } from "./types.js"

/**
 * A stored value looks like an envelope (a JSON object with `current` and `versions`) but
 * breaks a rule. The message names the key path, the version and the rule; it never
 * repeats a value, a sealed text or any string that failed validation.
 */
export class EnvelopeError extends Error {
  override readonly name = "EnvelopeError"
  readonly code = "invalid_envelope" as const
  /** Where the problem is, e.g. `versions.v2.expiresAt`; "" for the whole document. */
  readonly path: string
  readonly rule: EnvelopeRule
  /** The message without its "Invalid secret envelope at …" lead, for callers that say where themselves (a pack). */
  readonly problem: string

  constructor(path: string, rule: EnvelopeRule, problem: string) {
    super(`Invalid secret envelope${path ? ` at ${path}` : ""}: ${problem}`)
    this.path = path
    this.rule = rule
    this.problem = problem
  }
}

/** `transition()` was asked for something that cannot produce a valid envelope. */
export class TransitionError extends Error {
  override readonly name = "TransitionError"
  readonly code = "invalid_transition" as const
  /** The input field at fault: `newVersionId`, `newEntry`, `at` or `retain`. */
  readonly field: string

  constructor(field: string, problem: string) {
    super(`Cannot rotate: ${field} ${problem}`)
    this.field = field
  }
}

/** A value's text does not decode in its declared format. Never includes the text. */
export class EncodingError extends Error {
  override readonly name = "EncodingError"
  readonly code = "invalid_encoding" as const

  constructor(problem: string) {
    super(`Cannot decode the value: ${problem}.`)
  }
}
