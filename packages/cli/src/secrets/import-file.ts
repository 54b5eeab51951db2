/**
 * The file `layer secret import` reads: dotenv (`.env`, `.dev.vars`) or one flat JSON object,
 * parsed into entries that each know their line. A small parser of our own rather than the
 * `dotenv` package: that one never fails (a malformed line is skipped, a duplicate key
 * silently wins, an unclosed quote swallows the rest) and gives no line numbers, and an
 * import that is all or nothing has to refuse those with the line that is wrong.
 *
 * dotenv, as read here:
 * - `KEY=value` per line; `export KEY=value` too; spaces around `=` are ignored;
 * - `#` starts a comment at the start of a line, or after whitespace in an unquoted value;
 * - unquoted values are trimmed; `'single'` and `` `backtick` `` quotes are literal;
 *   `"double"` quotes know `\n`, `\r`, `\t`, `\"`, `\\` (any other escape is an error, so
 *   `"C:\path"` is never read as something else); quoted values may span lines;
 * - `${VAR}` is not expanded: values are taken as written.
 * JSON: one object whose values are strings, or objects (an envelope, stored as its JSON).
 *
 * CRLF line endings are normalised to LF before parsing (wrangler and dotenv accept them too), so a
 * quoted value that spans lines holds LF. Refused, with the line: a byte-order mark, NUL bytes or
 * invalid UTF-8 (a binary file), a duplicate key, an empty value, a malformed line. Messages name
 * lines, columns and keys (quoted, cut to 40 characters), never a value.
 */
import { LayerError } from "../errors.js"

export interface ImportEntry {
  /** The key as written in the file. */
  key: string
  /** 1-based line of the key. */
  line: number
  value: string
}

export interface ParsedImport {
  format: "dotenv" | "json"
  entries: ImportEntry[]
}

/** Keys as the file may write them: env-style, Cloudflare names, or a declared namespace/name. */
const KEY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/

/** The fix for a BOM, with the file's own path in the command (FILE when it came on stdin). */
function bomFix(source: string): string {
  const file = source === "stdin" || !/^[\w./-]+$/.test(source) ? "FILE" : source
  return `remove it with \`tail -c +4 ${file} > ${file}.new\` (the BOM is the first 3 bytes), or save the file as UTF-8 without BOM`
}

/** Decode and parse; `source` names the file in messages ("FILE" or "stdin"). */
export function parseImportFile(bytes: Uint8Array, source: string): ParsedImport {
  const text = decodeText(bytes, source)
  const first = text.search(/\S/)
  const entries = first !== -1 && text[first] === "{" ? parseJsonObject(text, source) : parseDotenv(text, source)
  checkEntries(entries, source)
  return { format: first !== -1 && text[first] === "{" ? "json" : "dotenv", entries }
}

function fail(source: string, line: number, problem: string, hint: string, details: Record<string, unknown> = {}): LayerError {
  return new LayerError("invalid_import_file", `${source} line ${line}: ${problem}; nothing was written`, { hint, details: { line, ...details } })
}

/** A key in a message: quoted, and cut short (a key is a name, but what sits there is input). */
function quotedKey(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)
}

function lineOf(text: string, index: number): number {
  let line = 1
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

function decodeText(bytes: Uint8Array, source: string): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw fail(source, 1, "the file starts with a UTF-8 byte-order mark (BOM)", bomFix(source))
  }
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    throw fail(source, lineOf(Buffer.from(bytes.subarray(0, nul)).toString("latin1"), nul), "the file holds a NUL byte: it is a binary file, not dotenv or JSON text", "import a .env, .dev.vars or JSON file; encode binary values as base64url first")
  }
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    const bad = firstInvalidUtf8(bytes)
    throw fail(source, lineOf(Buffer.from(bytes.subarray(0, bad)).toString("latin1"), bad), "the file is not valid UTF-8 (a binary file, or another encoding)", "save the file as UTF-8; encode binary values as base64url first")
  }
  // CRLF (Windows) line endings are read as LF, as wrangler and dotenv read them: a CR before a
  // newline is never part of a value. A CR anywhere else is kept.
  return text.replace(/\r\n/g, "\n")
}

/** Index of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true })
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0
    if (length === 0) return i
    try {
      decoder.decode(bytes.subarray(i, i + length))
    } catch {
      return i
    }
    i += length
  }
  return i
}

function parseDotenv(text: string, source: string): ImportEntry[] {
  const entries: ImportEntry[] = []
  let i = 0
  let line = 1
  const n = text.length
  while (i < n) {
    // One logical line: skip blanks and comments.
    const lineStart = i
    while (i < n && (text[i] === " " || text[i] === "\t")) i++
    if (i >= n) break
    if (text[i] === "\n" || text[i] === "#") {
      while (i < n && text[i] !== "\n") i++
      i++
      line++
      continue
    }
    const keyLine = line
    let end = text.indexOf("\n", i)
    if (end === -1) end = n
    const head = text.slice(i, end)
    const match = /^(export[ \t]+)?([^\s=]+)[ \t]*=[ \t]*/.exec(head)
    if (!match) {
      // The line is not shown: a value pasted on a line of its own must not be printed.
      throw fail(source, keyLine, "expected KEY=value", "write one KEY=value per line; # starts a comment", { column: i - lineStart + 1 })
    }
    const key = match[2]!
    if (!KEY_PATTERN.test(key)) {
      throw fail(source, keyLine, `the key ${quotedKey(key)} is not a valid name (letters, digits, _, -, . and / only)`, "use names such as STRIPE_SECRET or auth/session-key")
    }
    i += match[0].length
    const quote = text[i]
    let value: string
    if (quote === '"' || quote === "'" || quote === "`") {
      const read = readQuoted(text, i, quote, source, keyLine, key)
      value = read.value
      line += countNewlines(text, i, read.end)
      i = read.end
      // After the closing quote: only whitespace and a comment.
      let rest = i
      while (rest < n && (text[rest] === " " || text[rest] === "\t")) rest++
      if (rest < n && text[rest] !== "\n" && text[rest] !== "#") {
        throw fail(source, line, `unexpected text after the closing quote of ${key}`, "put a comment after whitespace and #, or quote the whole value")
      }
      while (i < n && text[i] !== "\n") i++
    } else {
      let valueEnd = i
      while (valueEnd < n && text[valueEnd] !== "\n") {
        if (text[valueEnd] === "#" && valueEnd > i && (text[valueEnd - 1] === " " || text[valueEnd - 1] === "\t")) break
        valueEnd++
      }
      value = text.slice(i, valueEnd).trim()
      i = valueEnd
      while (i < n && text[i] !== "\n") i++
    }
    entries.push({ key, line: keyLine, value })
    i++
    line++
  }
  return entries
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) count++
  return count
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" }

function readQuoted(text: string, start: number, quote: string, source: string, line: number, key: string): { value: string; end: number } {
  let value = ""
  let i = start + 1
  while (i < text.length) {
    const c = text[i]!
    if (c === quote) return { value, end: i + 1 }
    if (c === "\\" && quote === '"') {
      const next = text[i + 1]
      const escaped = next === undefined ? undefined : ESCAPES[next]
      if (escaped === undefined) {
        throw fail(source, line + countNewlines(text, start, i), `unknown escape in the double-quoted value of ${key} (only \\n \\r \\t \\" \\\\ are read)`, "write \\\\ for a backslash, or use single quotes for a literal value")
      }
      value += escaped
      i += 2
      continue
    }
    value += c
    i++
  }
  throw fail(source, line, `the ${quote === '"' ? "double" : quote === "'" ? "single" : "backtick"} quote opening ${key}'s value is never closed`, `close the quote; a value may span lines, but it must end with ${quote}`)
}

/** A flat JSON object, scanned by hand so that duplicate keys and each key's line are known. */
function parseJsonObject(text: string, source: string): ImportEntry[] {
  let i = text.indexOf("{") + 1
  const entries: ImportEntry[] = []
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++
  }
  const bad = (problem: string) => fail(source, lineOf(text, i), problem, 'write one object: { "KEY": "value", "auth/session-key": "…" }', { column: i - text.lastIndexOf("\n", i - 1) })
  skipSpace()
  if (text[i] === "}") i++
  else {
    for (;;) {
      skipSpace()
      if (text[i] !== '"') throw bad("expected a key in double quotes")
      const keyStart = i
      const keyEnd = endOfJsonString(text, i)
      if (keyEnd === -1) throw bad("a key's string is never closed")
      const line = lineOf(text, keyStart)
      let key: string
      try {
        key = JSON.parse(text.slice(keyStart, keyEnd)) as string
      } catch {
        // Not echoed: what failed to parse is raw input, perhaps a value typed in the wrong place.
        throw fail(source, line, "a key is not a valid JSON string (a backslash starts an escape JSON does not know, such as \\x or an incomplete \\u)", 'write keys as plain names: "STRIPE_SECRET", "auth/session-key"', { column: keyStart - text.lastIndexOf("\n", keyStart - 1) })
      }
      i = keyEnd
      skipSpace()
      if (text[i] !== ":") throw bad(`expected ":" after the key ${quotedKey(key)}`)
      i++
      skipSpace()
      const valueStart = i
      const valueEnd = endOfJsonValue(text, i)
      if (valueEnd === -1) throw bad(`the value of ${quotedKey(key)} is not valid JSON`)
      let parsed: unknown
      try {
        parsed = JSON.parse(text.slice(valueStart, valueEnd))
      } catch {
        throw bad(`the value of ${quotedKey(key)} is not valid JSON`)
      }
      if (!KEY_PATTERN.test(key)) throw fail(source, line, `the key ${quotedKey(key)} is not a valid name (letters, digits, _, -, . and / only)`, "use names such as STRIPE_SECRET or auth/session-key", { key: quotedKey(key) })
      let value: string
      if (typeof parsed === "string") value = parsed
      else if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) value = JSON.stringify(parsed)
      else throw fail(source, line, `the value of ${key} is a ${Array.isArray(parsed) ? "list" : parsed === null ? "null" : typeof parsed}; values are strings (or an envelope object)`, `quote it: "${key}": "…"`)
      entries.push({ key, line, value })
      i = valueEnd
      skipSpace()
      if (text[i] === ",") {
        i++
        continue
      }
      if (text[i] === "}") {
        i++
        break
      }
      throw bad(`expected "," or "}" after the value of ${quotedKey(key)}`)
    }
  }
  skipSpace()
  if (i < text.length) throw bad("unexpected text after the object")
  return entries
}

function endOfJsonString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++
    else if (text[i] === '"') return i + 1
    else if (text[i] === "\n") return -1
  }
  return -1
}

/** Where the JSON value starting at `start` ends (strings and nesting followed; the rest is JSON.parse's job). */
function endOfJsonValue(text: string, start: number): number {
  let depth = 0
  let i = start
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      const end = endOfJsonString(text, i)
      if (end === -1) return -1
      i = end
      if (depth === 0) return i
      continue
    }
    if (c === "{" || c === "[") depth++
    else if (c === "}" || c === "]") {
      if (depth === 0) return i
      depth--
      if (depth === 0) return i + 1
    } else if (depth === 0 && (c === "," || /\s/.test(c))) return i
    i++
  }
  return depth === 0 ? i : -1
}

function checkEntries(entries: readonly ImportEntry[], source: string): void {
  const seen = new Map<string, number>()
  for (const entry of entries) {
    const earlier = seen.get(entry.key)
    if (earlier !== undefined) {
      throw fail(source, entry.line, `duplicate key ${entry.key} (first on line ${earlier})`, "keep one of the two lines", { key: entry.key, firstLine: earlier })
    }
    seen.set(entry.key, entry.line)
    if (entry.value === "") {
      throw fail(source, entry.line, `${entry.key} has an empty value`, "give it a value, or remove the line; an empty secret is never what was meant", { key: entry.key })
    }
  }
  if (entries.length === 0) {
    throw new LayerError("empty_import_file", `${source} holds no entries; nothing was written`, { hint: "write one KEY=value per line (dotenv) or a JSON object of strings" })
  }
}
