/**
 * Redaction of text that came from outside (an API's error message, a network failure's
 * reason) against the values and token a request carried. An answer need not echo a value
 * whole to leak it: a prefix, the value in upper case, or encoded as base64, base64url or hex
 * is as good to an attacker. So each sensitive string is looked for in all those forms,
 * ignoring case, and any run of 8 characters or more that starts one of the forms is cut out.
 */

export const REDACTED = "[redacted]"

/** A match must cover this many characters of a form (or the whole form, if shorter). */
export const MIN_MATCH = 8

/** Strings shorter than this are not looked for at all: they would redact ordinary words. */
const MIN_SENSITIVE = 4

/** Replace every occurrence of a sensitive string, in any of its forms, in `text` with `[redacted]`. */
export function redact(text: string, sensitive: readonly string[]): string {
  const forms = sensitive.flatMap(formsOf)
  if (forms.length === 0 || text.length === 0) return text
  const lower = fold(text)
  // Where each redacted run starts and ends, merged afterwards (runs of two forms may overlap).
  const runs: [number, number][] = []
  for (const form of forms) {
    const needle = form.slice(0, Math.min(MIN_MATCH, form.length))
    for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + 1)) {
      let end = at + needle.length
      while (end < lower.length && end - at < form.length && lower[end] === form[end - at]) end++
      // A whole base64 form may be followed by its padding.
      if (end - at === form.length) while (lower[end] === "=" && end - at < form.length + 2) end++
      runs.push([at, end])
    }
  }
  if (runs.length === 0) return text
  runs.sort((a, b) => a[0] - b[0])
  // Overlapping or touching runs become one mark.
  const merged: [number, number][] = []
  for (const [start, end] of runs) {
    const last = merged.at(-1)
    if (last && start <= last[1]) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  let result = ""
  let from = 0
  for (const [start, end] of merged) {
    result += text.slice(from, start) + REDACTED
    from = end
  }
  return result + text.slice(from)
}

/**
 * The lower-cased forms a value can be echoed in: as sent, base64 (padding dropped: a prefix
 * is enough), base64url and hex of its UTF-8 bytes, and JSON-escaped. A value that is JSON
 * (an envelope, a private JWK) adds the strings inside it, so an echo of one version's value
 * or of a key's private member is caught too.
 */
function formsOf(value: string): string[] {
  const texts = new Set<string>([value, ...jsonStrings(value)])
  const forms = new Set<string>()
  for (const text of texts) {
    if (text.length < MIN_SENSITIVE) continue
    const bytes = Buffer.from(text, "utf8")
    forms.add(text)
    forms.add(JSON.stringify(text).slice(1, -1))
    forms.add(bytes.toString("base64").replace(/=+$/, ""))
    forms.add(bytes.toString("base64url"))
    forms.add(bytes.toString("hex"))
  }
  return [...forms].map(fold)
}

/** Lower case, one UTF-16 unit for one (toLowerCase can lengthen a string: "İ"), so positions in the folded text are positions in the original. */
function fold(text: string): string {
  let folded = ""
  for (let i = 0; i < text.length; i++) {
    const unit = text[i]!
    const lower = unit.toLowerCase()
    folded += lower.length === 1 ? lower : unit
  }
  return folded
}

/** The string members of a JSON value (two levels: an envelope's value may itself be a JWK), long enough to matter. */
function jsonStrings(text: string, depth = 0): string[] {
  if (depth > 1 || !/^\s*[[{]/.test(text)) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return []
  }
  const found: string[] = []
  const visit = (node: unknown): void => {
    if (typeof node === "string") {
      if (node.length >= MIN_MATCH) found.push(node, ...jsonStrings(node, depth + 1))
    } else if (Array.isArray(node)) node.forEach(visit)
    else if (typeof node === "object" && node !== null) Object.values(node).forEach(visit)
  }
  visit(parsed)
  return found
}
