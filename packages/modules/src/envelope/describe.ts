import { VERSION_ID_PATTERN } from "../limits.js"

/**
 * Safe wording for error messages. Messages may name structure (key names, version ids) but
 * never content: a string that failed validation is described by its type and length only,
 * because it may be a secret pasted into the wrong place.
 */

/** Field names shown in messages: a lowercase word, camelCase or snake_case, no digits. */
const SHOWABLE_FIELD = /^[a-z][a-zA-Z]{0,23}$|^[a-z]{1,12}(?:_[a-z]{1,12}){1,3}$/
/** Version ids shown without brackets. */
const PLAIN_VERSION_ID = /^[A-Za-z0-9_-]+$/

/**
 * The path of a member: `parent.key`, `parent["v1.2"]`, or `parent[a key of 40 characters]`.
 * Version ids are shown when valid (messages must name the version). Other keys are shown
 * only when they read like a field name: a long or random-looking key may be a secret
 * pasted into the wrong place.
 */
export function keyPath(parent: string, key: string, role: "field" | "version" = "field"): string {
  const join = (shown: string) => (parent ? `${parent}.${shown}` : shown)
  if (role === "version" && VERSION_ID_PATTERN.test(key)) {
    return PLAIN_VERSION_ID.test(key) ? join(key) : `${parent}[${JSON.stringify(key)}]`
  }
  if (role === "field" && SHOWABLE_FIELD.test(key)) return join(key)
  return `${parent}[a key of ${key.length} characters]`
}

/** The JSON type of a value, e.g. "a number", "an array", "null". */
export function describeType(value: unknown): string {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  switch (typeof value) {
    case "string":
      return `a string of ${value.length} characters`
    case "object":
      return "an object"
    case "undefined":
      return "nothing"
    default:
      return `a ${typeof value}`
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

/** The known key closest to a typo (edit distance at most 2), for "did you mean" hints. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = row
  }
  return previous[b.length]!
}
