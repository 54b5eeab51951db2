import { keyPath } from "./describe.js"

export interface DuplicateKey {
  /** The enclosing object's path as messages show it (long keys described, not quoted). */
  path: string
  /**
   * The enclosing object's raw keys from the root, for callers that nest envelopes (a pack's
   * `members.<id>`) and need to tell which one; never put into a message as is.
   */
  trail: string[]
  key: string
  role: "field" | "version"
}

/**
 * The path of the first key that appears twice in one JSON object, or undefined.
 * `JSON.parse` silently keeps the last of two equal keys, and other JSON readers keep the
 * first: an envelope with a duplicated `value` or version id means different things to
 * different readers, so it is rejected rather than guessed. `text` must be valid JSON, and
 * `parsed`, when given, its `JSON.parse`.
 */
export function findDuplicateKey(text: string, parsed?: unknown): DuplicateKey | undefined {
  // Fast path for what layer writes (compact JSON): when `text` is exactly JSON.stringify of
  // its own parse, no object in it can hold a key twice (JSON.parse keeps one of two equal
  // keys, so the text would be longer than its re-serialization). Anything else (spaces,
  // escapes, integer-like keys that JSON.stringify reorders) takes the scan below.
  if (parsed !== undefined && JSON.stringify(parsed) === text) return undefined
  // Paths are worked out only for the one duplicate reported: a pack holds hundreds of
  // objects, and the scan runs on every new stored text (a cold read).
  interface Frame {
    kind: "object" | "array"
    parent: Frame | undefined
    /** The parent's key (object) or index (array) under which this container sits. */
    at: string
    keys: Set<string>
    expectKey: boolean
    /** The key (object) or index (array) of the value being read. */
    member: string
  }
  const trailOf = (frame: Frame): string[] => {
    const trail: string[] = []
    for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) trail.unshift(f.at)
    return trail
  }
  const pathOf = (frame: Frame): string => {
    if (frame.parent === undefined) return ""
    const parentPath = pathOf(frame.parent)
    if (frame.parent.kind === "array") return `${parentPath}[${frame.at}]`
    return keyPath(parentPath, frame.at, parentPath === "versions" ? "version" : "field")
  }

  let top: Frame | undefined
  let i = 0
  while (i < text.length) {
    const ch = text.charCodeAt(i)
    if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      top = { kind: ch === OPEN_BRACE ? "object" : "array", parent: top, at: top?.member ?? "", keys: new Set(), expectKey: ch === OPEN_BRACE, member: "0" }
      i++
    } else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
      top = top?.parent
      i++
    } else if (ch === COMMA) {
      if (top?.kind === "object") top.expectKey = true
      else if (top) top.member = String(Number(top.member) + 1)
      i++
    } else if (ch === QUOTE) {
      const end = closingQuote(text, i)
      if (top?.kind === "object" && top.expectKey) {
        // Decode escapes, so that "a" and "\u0061" count as the same key.
        const raw = text.slice(i + 1, end)
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw
        if (top.keys.has(key)) {
          const path = pathOf(top)
          return { path, trail: trailOf(top), key, role: path === "versions" ? "version" : "field" }
        }
        top.keys.add(key)
        top.member = key
        top.expectKey = false
      }
      i = end + 1
    } else {
      i++ // whitespace, ':', numbers, true/false/null
    }
  }
  return undefined
}

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COMMA = 0x2c
const QUOTE = 0x22
const BACKSLASH = 0x5c

/** The index of the quote that closes the JSON string opening at `open`; found natively, so long values cost little. */
function closingQuote(text: string, open: number): number {
  let from = open + 1
  for (;;) {
    const quote = text.indexOf('"', from)
    if (quote === -1) return text.length // not valid JSON; the caller's precondition
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote
    from = quote + 1
  }
}
