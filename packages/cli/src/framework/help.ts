/** Help text for `layer --help` and `layer <command> --help`. */
import { COMMON_EXIT_CODES, EXIT_CODES, GLOBAL_FLAGS } from "./spec.js"
import { CONFIRMATION_RULE } from "./confirm.js"
import type { CommandSpec, FlagSpec } from "./spec.js"
import { usageLine } from "./argv.js"

export function topLevelHelp(commands: readonly CommandSpec[], version: string): string {
  const width = Math.max(...commands.map((c) => c.words.join(" ").length))
  return [
    `layer ${version}: declare, write, rotate and deploy application secrets on Cloudflare (local store by default)`,
    "",
    "Usage: layer <command> [flags]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.words.join(" ").padEnd(width)}  ${c.summary}`),
    "",
    "Flags for every command:",
    ...flagLines(GLOBAL_FLAGS),
    "  --version         print the version",
    "",
    ...exitCodeLines(EXIT_CODES),
    "",
    ...wrap(`Confirmation: ${CONFIRMATION_RULE}`),
    "",
    "Environment: LAYERON_ENV (environment), LAYERON_HOME (per-user keys and credentials),",
    "LAYERON_DEBUG=1, NO_COLOR, CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_BASE_URL.",
    "",
    "Run `layer <command> --help` for a command's flags and examples.",
    "",
  ].join("\n")
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`layer ${spec.words.join(" ")}: ${spec.summary}`, "", `Usage: ${usageLine(spec)}`]
  if (spec.description?.length) lines.push("", ...spec.description.flatMap((paragraph, i) => (i === 0 ? wrap(paragraph) : ["", ...wrap(paragraph)])))
  if (spec.positionals.length) {
    lines.push("", "Arguments:")
    const width = Math.max(...spec.positionals.map((p) => p.name.length))
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(width)}  ${p.description}${p.required ? "" : " (optional)"}`)
  }
  if (Object.keys(spec.flags).length) lines.push("", "Flags:", ...flagLines(spec.flags))
  lines.push("", "Common flags:", ...flagLines(GLOBAL_FLAGS))
  if (spec.examples.length) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`))
  lines.push("", ...exitCodeLines(commandExitCodes(spec)), "")
  return lines.join("\n")
}

/** Commands of a group, for `layer secret` or `layer secret --help`. */
export function groupHelp(group: string, commands: readonly CommandSpec[]): string {
  const members = commands.filter((c) => c.words[0] === group)
  const width = Math.max(...members.map((c) => c.words.join(" ").length))
  return [
    `Usage: layer ${group} <command> [flags]`,
    "",
    "Commands:",
    ...members.map((c) => `  ${c.words.join(" ").padEnd(width)}  ${c.summary}`),
    "",
    `Run \`layer ${group} <command> --help\` for a command's flags and examples.`,
    "",
  ].join("\n")
}

function flagLines(flags: Readonly<Record<string, FlagSpec>>): string[] {
  const labels = Object.entries(flags).map(([name, f]) => {
    const short = f.short ? `-${f.short}, ` : ""
    return [`${short}--${name}${f.type === "string" ? ` <${f.valueName ?? "value"}>` : ""}`, f.description] as const
  })
  const width = Math.max(16, ...labels.map(([label]) => label.length))
  return labels.map(([label, description]) => `  ${label.padEnd(width)}  ${description}`)
}

/** The command's own codes, with the common ones it does not redefine, in numeric order. */
export function commandExitCodes(spec: CommandSpec): (readonly [string, string])[] {
  const own = spec.exitCodes ?? []
  const codes = [...own, ...COMMON_EXIT_CODES.filter(([code]) => !own.some(([mine]) => mine === code))]
  return codes.sort(([a], [b]) => Number(a) - Number(b))
}

function exitCodeLines(codes: readonly (readonly [string, string])[]): string[] {
  return ["Exit codes:", ...codes.map(([code, meaning]) => `  ${code.padEnd(3)}  ${meaning}`)]
}

/** Word-wrap a paragraph for an 80-column terminal. */
function wrap(paragraph: string, width = 88): string[] {
  const lines: string[] = []
  let line = ""
  for (const word of paragraph.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}
