/**
 * How an error looks. A LayerError shows its message and its hint; anything else is a bug
 * in layer and says so. Neither path adds anything but the error's own fields, and
 * LayerError messages are built from names and numbers only (errors.ts), so no value or
 * token can reach the terminal from here.
 */
import { isLayerError } from "../errors.js"

export interface ErrorDocument {
  error: { code: string; message: string; hint: string | null; details?: Record<string, unknown> }
}

export interface DescribedError {
  document: ErrorDocument
  /** Lines for stderr, without colour. */
  lines: { kind: "error" | "hint" | "bug" | "stack"; text: string }[]
}

export const BUG_HINT = "this is a bug in layer: please report it with the command you ran (add --debug for a stack trace)"

export function describeError(error: unknown, withStack: boolean): DescribedError {
  if (isLayerError(error)) {
    const document: ErrorDocument = { error: { code: error.code, message: error.message, hint: error.hint ?? null } }
    if (error.details) document.error.details = error.details
    const lines: DescribedError["lines"] = [{ kind: "error", text: error.message }]
    if (error.hint) lines.push({ kind: "hint", text: error.hint })
    return { document, lines }
  }
  const message = error instanceof Error ? `${error.name}: ${shownMessage(error)}` : `non-error thrown (${typeof error})`
  const lines: DescribedError["lines"] = [
    { kind: "error", text: `unexpected failure: ${message}` },
    { kind: "bug", text: BUG_HINT },
  ]
  if (withStack && error instanceof Error && error.stack) lines.push({ kind: "stack", text: error.message ? error.stack.split(error.message).join(shownMessage(error)) : error.stack })
  return { document: { error: { code: "internal_error", message: `unexpected failure: ${message}`, hint: BUG_HINT } }, lines }
}

/**
 * A SyntaxError (JSON.parse) quotes the text it failed on, and that text may be a file the
 * error reached through a link or a mistake (a private key, a token file): only the position is
 * kept. Every other error's message is shown as it is.
 */
function shownMessage(error: Error): string {
  if (!(error instanceof SyntaxError)) return error.message
  const position = /\bposition \d+/.exec(error.message)?.[0]
  return `the text is not valid JSON${position ? ` (at ${position})` : ""}; the text itself is not shown`
}
