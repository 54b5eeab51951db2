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
 * different readers, so it is rejected rather than guessed. `text` must be valid JSON.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  interface Frame {
    kind: "object" | "array"
    path: string
    /** The raw keys (and array indices) from the root to this container. */
    trail: string[]
    keys: Set<string>
    expectKey: boolean
    /** The key (object) or index (array) of the value being read. */
    member: string
  }
  const stack: Frame[] = []
  const childPath = (frame: Frame | undefined): string => {
    if (!frame) return ""
    if (frame.kind === "array") return `${frame.path}[${frame.member}]`
    return keyPath(frame.path, frame.member, frame.path === "versions" ? "version" : "field")
  }

  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    const top = stack[stack.length - 1]
    if (ch === "{" || ch === "[") {
      stack.push({ kind: ch === "{" ? "object" : "array", path: childPath(top), trail: top ? [...top.trail, top.member] : [], keys: new Set(), expectKey: ch === "{", member: "0" })
      i++
    } else if (ch === "}" || ch === "]") {
      stack.pop()
      i++
    } else if (ch === ",") {
      if (top?.kind === "object") top.expectKey = true
      else if (top) top.member = String(Number(top.member) + 1)
      i++
    } else if (ch === '"') {
      let end = i + 1
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1
      if (top?.kind === "object" && top.expectKey) {
        // Decode escapes, so that "a" and "\u0061" count as the same key.
        const key = JSON.parse(text.slice(i, end + 1)) as string
        if (top.keys.has(key)) return { path: top.path, trail: top.trail, key, role: top.path === "versions" ? "version" : "field" }
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
