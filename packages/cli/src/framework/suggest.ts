/**
 * No dead ends on a typo: "did you mean" for commands and flags, and an answer for the
 * commands people reach for that do not exist on purpose (`secret get`: values are
 * write-only). Suggestions come only from the command table, never from what was typed, so
 * a value typed in the wrong place is never repeated.
 */
import { LayerError } from "../errors.js"
import type { CommandSpec } from "./spec.js"

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/** The closest candidate within a third of its length (at least 1, at most 3 edits), or a unique prefix match. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate)
    const allowed = Math.min(3, Math.max(1, Math.floor(candidate.length / 3)))
    if (distance <= allowed && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best) return best
  const prefixed = typed.length >= 2 ? candidates.filter((candidate) => candidate.startsWith(typed)) : []
  return prefixed.length === 1 ? prefixed[0] : undefined
}

/** Words people type for "show me the value": answered, not "unknown command". */
const READ_BACK_WORDS = new Set(["get", "show", "reveal", "read", "cat", "print", "view", "value"])

export function unknownCommandError(words: readonly string[], commands: readonly CommandSpec[], groups: ReadonlySet<string>): LayerError {
  const typed = words.join(" ")
  const group = words[0] ?? ""
  if (groups.has(group) && group === "secret" && READ_BACK_WORDS.has(words[1] ?? "")) return readBackError(words[1] ?? "get")
  const inGroup = groups.has(group) && words.length > 1
  const candidates = inGroup ? commands.filter((c) => c.words[0] === group) : commands
  const labels = candidates.map((c) => c.words.join(" "))
  // Compare like with like: "secret lsit" against "secret list", "deply" against the first words.
  const firstWords = [...new Set(commands.map((c) => c.words[0] ?? ""))]
  const suggestion = inGroup ? closest(typed, labels) : (groupedAlias(words, commands) ?? helpAlias(words, commands) ?? closest(group, firstWords))
  const shown = /^[a-z][a-z-]{0,30}( [a-z][a-z-]{0,30})?$/.test(typed) ? `"${typed}"` : "(not shown: it does not look like a command and may be a value)"
  return new LayerError("unknown_command", `unknown command ${shown}${suggestion ? `; did you mean \`layer ${suggestion}\`?` : ""}`, {
    hint: `commands: ${labels.join(", ")}; see \`layer --help\``,
  })
}

/** `layer rotate`, `layer list`: a group's subcommand typed without its group means `layer secret rotate`. */
function groupedAlias(words: readonly string[], commands: readonly CommandSpec[]): string | undefined {
  if (words.length !== 1) return undefined
  const matches = commands.filter((c) => c.words.length > 1 && c.words[1] === words[0])
  return matches.length === 1 ? matches[0]!.words.join(" ") : undefined
}

/** `layer help` and `layer help deploy`: the help flag, with the command when there is one. */
function helpAlias(words: readonly string[], commands: readonly CommandSpec[]): string | undefined {
  if (words[0] !== "help") return undefined
  const rest = words.slice(1).join(" ")
  const command = commands.find((c) => c.words.join(" ") === rest || c.words[0] === rest)
  return command && rest ? `${rest} --help` : "--help"
}

/** `layer secret get`: why there is no such command, and what answers the question instead. */
export function readBackError(word: string): LayerError {
  return new LayerError(
    "values_are_write_only",
    `there is no \`layer secret ${word}\`: values are write-only on purpose. Cloudflare Secrets Store never returns a value through its API, and the CLI keeps the local store to the same rule, so no command reads a value back`,
    {
      hint:
        "to check which value is stored, compare fingerprints: `layer secret set` and `layer secret import --dry-run` print one per value, and `layer secret list` shows each secret's status and last write; " +
        "to use a value, read it where it lives: in a Worker (`await key.current().text()`), locally with `layer dev`",
    },
  )
}

/** For an unknown flag: the closest flag of the command, as `--name`. */
export function closestFlag(typed: string, flags: readonly string[]): string | undefined {
  const name = typed.replace(/^-+/, "")
  const found = closest(name, flags)
  return found === undefined ? undefined : `--${found}`
}
