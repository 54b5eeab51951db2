/**
 * Text that came from outside (an API's answer, a file, a name read from a store) is shown
 * with its control characters escaped, so it cannot act on the terminal: no clear-screen, no
 * OSC 52 clipboard write, no cursor moves, no `\r` that overwrites a line, no bidirectional
 * override that reorders what is read. The output module applies it to everything it prints.
 */

/** C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates. */
const CONTROLS_KEEPING_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g
/** The same, line feeds included: for text that must stay on one line (an API message, a table cell). */
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\u001b": "\\e" }

function escapeOne(character: string): string {
  return NAMED[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`
}

/** `text` with every control character written out (`\e`, `\r`, `\u0007`); line feeds kept unless `singleLine`. */
export function escapeControls(text: string, options: { singleLine?: boolean } = {}): string {
  return text.replace(options.singleLine ? CONTROLS : CONTROLS_KEEPING_LINES, escapeOne)
}

/**
 * A JSON document's text with the characters JSON.stringify leaves raw (DEL, C1 controls,
 * bidirectional controls) written as \u escapes: still the same JSON, but inert on a terminal.
 */
export function escapeJsonText(json: string): string {
  return json.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`)
}
