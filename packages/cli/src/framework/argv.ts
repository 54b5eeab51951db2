/**
 * argv → command + flags. The command words are found first (global flags may come before
 * them), then node's util.parseArgs parses the rest strictly against the global flags plus
 * the command's own. parseArgs' own messages are never shown: they can quote what was typed,
 * and what was typed may be a secret value, so each failure gets a message of our own that
 * names only the flag.
 */
import { parseArgs } from "node:util"
import { LayerError } from "../errors.js"
import { GLOBAL_FLAGS } from "./spec.js"
import { closestFlag } from "./suggest.js"
import type { CommandSpec, FlagSpec } from "./spec.js"

export interface SplitArgv {
  /** The command words found (may be a group alone, such as ["secret"]). */
  words: string[]
  /** Everything else, in order. */
  rest: string[]
}

const GLOBAL_VALUE_FLAGS = new Set(
  Object.entries(GLOBAL_FLAGS)
    .filter(([, f]) => f.type === "string")
    .flatMap(([name, f]) => [`--${name}`, ...(f.short ? [`-${f.short}`] : [])]),
)

/** Take the command words out of argv; `groups` are words that need a sub-command ("secret"). */
export function splitCommandWords(argv: readonly string[], groups: ReadonlySet<string>): SplitArgv {
  const words: string[] = []
  const rest: string[] = []
  let expectValue = false
  let done = false
  for (const token of argv) {
    if (done || expectValue) {
      rest.push(token)
      expectValue = false
      continue
    }
    if (token === "--") {
      done = true
      rest.push(token)
    } else if (token.startsWith("-")) {
      rest.push(token)
      expectValue = GLOBAL_VALUE_FLAGS.has(token)
    } else if (words.length === 0 || (words.length === 1 && groups.has(words[0] ?? ""))) {
      words.push(token)
    } else {
      rest.push(token)
      done = true
    }
  }
  return { words, rest }
}

/** Just enough to set up output before anything can fail: --json and --debug anywhere before `--`. */
export function scanOutputFlags(argv: readonly string[], env: NodeJS.ProcessEnv): { json: boolean; debug: boolean } {
  const end = argv.indexOf("--")
  const before = end === -1 ? argv : argv.slice(0, end)
  const debugEnv = env.LAYERON_DEBUG
  return {
    json: before.includes("--json"),
    debug: before.includes("--debug") || debugEnv === "1" || debugEnv === "true",
  }
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/** Parse `args` strictly against `flags`; `commandLabel` is "secret set" or "" for the top level. */
export function parseFlags(args: readonly string[], flags: Readonly<Record<string, FlagSpec>>, commandLabel: string): ParsedArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {}
  for (const [name, spec] of Object.entries(flags)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) }
  }
  const helpCommand = commandLabel ? `layer ${commandLabel} --help` : "layer --help"
  try {
    const { values, positionals, tokens } = parseArgs({ args: [...args], options, strict: true, allowPositionals: true, tokens: true })
    refuseRepeated(tokens, flags, helpCommand)
    return { flags: { ...values } as ParsedArgs["flags"], positionals }
  } catch (error) {
    throw error instanceof LayerError ? error : translateParseError(error, flags, helpCommand)
  }
}

/**
 * A flag that takes one value, given twice (`--env dev --env production`): parseArgs keeps the
 * last silently, so a command could act on an environment (or a value) other than the one the
 * reader of the command line sees first. Named, never its values.
 */
function refuseRepeated(tokens: ReadonlyArray<{ kind: string; name?: string }>, flags: Readonly<Record<string, FlagSpec>>, helpCommand: string): void {
  const seen = new Set<string>()
  for (const token of tokens) {
    if (token.kind !== "option" || token.name === undefined) continue
    const spec = flags[token.name]
    if (spec?.type !== "string" || spec.multiple) continue
    if (seen.has(token.name)) {
      throw new LayerError("flag_repeated", `flag --${token.name} is given more than once`, { hint: `give --${token.name} once: one command acts on one ${spec.valueName ?? "value"}; see \`${helpCommand}\`` })
    }
    seen.add(token.name)
  }
}

function translateParseError(error: unknown, flags: Readonly<Record<string, FlagSpec>>, helpCommand: string): LayerError {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : ""
  // parseArgs quotes the offending option first, as '--name' or '-x'; flag names are safe to repeat.
  // A flag with a short form is quoted as '-e, --env <value>': name the long form, as typed most.
  const quoted = /'(?:-[A-Za-z], )?(-{1,2}[A-Za-z0-9][A-Za-z0-9-]*)/.exec(message)?.[1]
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    // Flag names are lower-case words; anything else may be a value typed in the wrong place.
    const named = quoted !== undefined && /^(-[A-Za-z]|--[a-z][a-z0-9-]{0,39})$/.test(quoted)
    const flag = named ? quoted : "(not shown: it does not look like a flag name and may be a value)"
    const suggestion = named && quoted.startsWith("--") ? closestFlag(quoted, Object.keys(flags)) : undefined
    return new LayerError("unknown_flag", `unknown flag ${flag}${suggestion ? `; did you mean ${suggestion}?` : ""}`, { hint: `see \`${helpCommand}\` for the flags this command takes` })
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted) {
    const name = quoted.replace(/^-+/, "")
    const spec = flags[name] ?? Object.entries(flags).find(([, f]) => f.short === name)?.[1]
    if (spec?.type === "boolean") {
      return new LayerError("invalid_flag", `flag ${quoted} takes no value`, { hint: `write just ${quoted}; see \`${helpCommand}\`` })
    }
    if (/ambiguous/.test(message)) {
      return new LayerError("invalid_flag", `flag ${quoted} is followed by something that looks like another flag`, {
        hint: `if the value starts with "-", write it as ${quoted}=<value>; see \`${helpCommand}\``,
      })
    }
    return new LayerError("invalid_flag", `flag ${quoted} needs a value`, { hint: `write ${quoted} <${spec?.valueName ?? "value"}>; see \`${helpCommand}\`` })
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return new LayerError("unexpected_argument", "unexpected argument", { hint: `see \`${helpCommand}\`` })
  }
  // Unknown parseArgs failure: say which command, not what was typed.
  return new LayerError("invalid_arguments", "could not read the command line", { hint: `see \`${helpCommand}\`` })
}

/** Check positionals against the spec; extra arguments are counted, never echoed (one may be a value). */
export function checkPositionals(spec: CommandSpec, positionals: readonly string[]): void {
  const label = spec.words.join(" ")
  const missing = spec.positionals.filter((p, index) => p.required && positionals[index] === undefined)
  if (missing.length > 0) {
    const names = missing.map((p) => p.name).join(", ")
    throw new LayerError("missing_argument", `layer ${label}: missing ${names}`, {
      hint: `usage: ${usageLine(spec)}; see \`layer ${label} --help\``,
    })
  }
  const variadic = spec.positionals.at(-1)?.variadic === true
  if (!variadic && positionals.length > spec.positionals.length) {
    const extra = positionals.length - spec.positionals.length
    // Only a command that takes a value has a better place for one typed as an argument.
    const takesValue = Object.hasOwn(spec.flags, "value-env") || Object.hasOwn(spec.flags, "from-stdin")
    throw new LayerError("unexpected_argument", `layer ${label}: ${extra} unexpected argument${extra === 1 ? "" : "s"} after ${spec.positionals.map((p) => p.name).join(" ") || "the command"}`, {
      hint: `usage: ${usageLine(spec)}; ${takesValue ? "to pass a value use --value-env, --from-stdin or the prompt; " : ""}see \`layer ${label} --help\``,
    })
  }
}

export function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => {
    const name = p.variadic ? `${p.name}…` : p.name
    return p.required ? name : `[${name}]`
  })
  return ["layer", ...spec.words, ...positionals, "[flags]"].join(" ")
}
