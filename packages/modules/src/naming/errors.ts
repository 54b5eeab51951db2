import type { NamingErrorCode } from "./types.js"

/**
 * A physical name could not be derived. The message names the part and the rule; it never
 * repeats the part's content.
 */
export class NamingError extends Error {
  override readonly name = "NamingError"
  readonly code: NamingErrorCode = "invalid_name_part"
  /** Which part of the name was rejected, e.g. `environment`. */
  readonly part: string

  constructor(part: string, problem: string, fix = "Pass a non-empty string.") {
    super(`Cannot derive a physical name: "${part}" ${problem}. ${fix}`)
    this.part = part
  }
}
