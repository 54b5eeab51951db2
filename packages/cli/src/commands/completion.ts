/**
 * `layer completion bash|zsh|fish`: a completion script generated from the command table, so
 * it never falls out of step with the commands. Environment names for --env come from the
 * project at completion time: the scripts read the `environments` keys of the layeron.config.*
 * found from the current directory upwards with sed, so completing never waits for a Node start.
 * Only `secret import` completes file names (a secret's name is not a file).
 */
import { LayerError } from "../errors.js"
import { COMMANDS } from "../command-table.js"
import { CONFIG_FILE_NAMES } from "../config/find.js"
import { GLOBAL_FLAGS } from "../framework/spec.js"
import type { CommandResult } from "../output/index.js"
import type { CommandContext } from "./types.js"

const SHELLS = ["bash", "zsh", "fish"] as const
type Shell = (typeof SHELLS)[number]

export async function run(context: CommandContext): Promise<CommandResult<{ shell: Shell; script: string }>> {
  const shell = context.positionals[0] ?? ""
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new LayerError("unknown_shell", `layer completion supports bash, zsh and fish${/^[a-z]{1,16}$/.test(shell) ? `, not ${shell}` : ""}`, { hint: "layer completion bash (or zsh, fish)" })
  }
  const script = completionScript(shell as Shell)
  return { json: { shell: shell as Shell, script }, human: script.split("\n").map((text) => ({ type: "line" as const, text })) }
}

interface Word {
  /** "secret set" */
  label: string
  flags: string[]
}

function table(): { top: string[]; groups: Map<string, string[]>; commands: Word[] } {
  const top = [...new Set(COMMANDS.map((c) => c.words[0] ?? ""))]
  const groups = new Map<string, string[]>()
  for (const c of COMMANDS) if (c.words.length > 1) groups.set(c.words[0]!, [...(groups.get(c.words[0]!) ?? []), c.words[1]!])
  const global = Object.keys(GLOBAL_FLAGS).map((name) => `--${name}`)
  const commands = COMMANDS.map((c) => ({ label: c.words.join(" "), flags: [...Object.keys(c.flags).map((name) => `--${name}`), ...global] }))
  return { top, groups, commands }
}

export function completionScript(shell: Shell): string {
  const { top, groups, commands } = table()
  if (shell === "bash") return bash(top, groups, commands)
  if (shell === "zsh") return zsh(top, groups, commands)
  return fish(top, groups, commands)
}

// The config's environment names: keys of `environments: { dev: …, production: … }` in the
// layeron.config.* found from the current directory upwards (as the CLI finds it), read with sed so
// completion stays instant; a config written another way just completes no names. A POSIX sh
// script without single quotes, so that bash, zsh and fish can all run it through `sh -c '…'`.
const FIND_ENV_NAMES = [
  "d=$PWD; while :; do",
  `for f in ${CONFIG_FILE_NAMES.join(" ")}; do if [ -f "$d/$f" ]; then`,
  'sed -n "/environments/,/^ *}/s/^ *\\([a-z0-9_-]*\\): *{.*/\\1/p" "$d/$f" | grep -v "^environments$"; exit 0; fi; done;',
  '[ "$d" = / ] && exit 0; d=$(dirname "$d"); done',
].join(" ")
const ENV_NAMES = `sh -c '${FIND_ENV_NAMES}' 2>/dev/null`

/** What a command's positional argument is, for completion: a file, a folder, a shell, or nothing to offer (a secret's name). */
function positionalKind(label: string): "file" | "dir" | "shell" | "none" {
  if (label === "secret import") return "file"
  if (label === "init") return "dir"
  if (label === "completion") return "shell"
  return "none"
}

function bash(top: string[], groups: Map<string, string[]>, commands: Word[]): string {
  const cases = commands.map((c) => `    "${c.label}") flags="${c.flags.join(" ")}" ;;`).join("\n")
  const groupCases = [...groups].map(([group, subs]) => `    ${group}) [ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "${subs.join(" ")}" -- "$cur")); return; } ;;`).join("\n")
  return `# layer completion for bash: source it, or save it as ~/.local/share/bash-completion/completions/layer
_layer() {
  local cur prev cmd flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${top.join(" ")} --help --version" -- "$cur")); return; fi
  case "\${COMP_WORDS[1]}" in
${groupCases}
  esac
  if [ "$prev" = "--env" ] || [ "$prev" = "-e" ]; then COMPREPLY=($(compgen -W "$(${ENV_NAMES})" -- "$cur")); return; fi
  cmd="\${COMP_WORDS[1]}"
  case "\${COMP_WORDS[1]}" in ${[...groups.keys()].join("|")}) cmd="\${COMP_WORDS[1]} \${COMP_WORDS[2]}" ;; esac
  flags=""
  case "$cmd" in
${cases}
  esac
  if [ "\${cur#-}" != "$cur" ]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); return; fi
  case "$cmd" in
${positionalCases(commands, { file: 'COMPREPLY=($(compgen -f -- "$cur"))', dir: 'COMPREPLY=($(compgen -d -- "$cur"))', shell: 'COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur"))' })}
    *) COMPREPLY=() ;;
  esac
}
complete -F _layer layer
`
}

function zsh(top: string[], groups: Map<string, string[]>, commands: Word[]): string {
  const cases = commands.map((c) => `    "${c.label}") flags=(${c.flags.join(" ")}) ;;`).join("\n")
  const groupCases = [...groups].map(([group, subs]) => `    ${group}) (( CURRENT == 3 )) && { compadd -- ${subs.join(" ")}; return } ;;`).join("\n")
  return `#compdef layer
# layer completion for zsh: save it as _layer in a directory of $fpath
_layer() {
  local cmd
  local -a flags
  if (( CURRENT == 2 )); then compadd -- ${top.join(" ")} --help --version; return; fi
  case "\${words[2]}" in
${groupCases}
  esac
  if [[ "\${words[CURRENT-1]}" == (--env|-e) ]]; then compadd -- \${(f)"$(${ENV_NAMES})"}; return; fi
  cmd="\${words[2]}"
  case "\${words[2]}" in ${[...groups.keys()].join("|")}) cmd="\${words[2]} \${words[3]}" ;; esac
  case "$cmd" in
${cases}
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then compadd -- $flags; return; fi
  case "$cmd" in
${positionalCases(commands, { file: "_files", dir: "_files -/", shell: "compadd -- bash zsh fish" })}
  esac
}
compdef _layer layer
`
}

function fish(top: string[], groups: Map<string, string[]>, commands: Word[]): string {
  const lines = [
    "# layer completion for fish: save it as ~/.config/fish/completions/layer.fish",
    "complete -c layer -f",
    `complete -c layer -n __fish_use_subcommand -a "${top.join(" ")}"`,
    ...[...groups].map(([group, subs]) => `complete -c layer -n "__fish_seen_subcommand_from ${group}; and not __fish_seen_subcommand_from ${subs.join(" ")}" -a "${subs.join(" ")}"`),
    // Inside fish's double quotes: \\, " and $ escaped, so the sh script reaches sh as written.
    `complete -c layer -s e -l env -x -a "(${ENV_NAMES.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "\\$")})" -d environment`,
    "complete -c layer -n \"__fish_seen_subcommand_from secret; and __fish_seen_subcommand_from import\" -F",
    "complete -c layer -n \"__fish_seen_subcommand_from init\" -a \"(__fish_complete_directories)\"",
    "complete -c layer -n \"__fish_seen_subcommand_from completion\" -a \"bash zsh fish\"",
  ]
  for (const c of commands) {
    const words = c.label.split(" ")
    const condition = words.length === 1 ? `__fish_seen_subcommand_from ${words[0]}` : `__fish_seen_subcommand_from ${words[0]}; and __fish_seen_subcommand_from ${words[1]}`
    for (const flag of c.flags) {
      if (flag === "--env") continue
      lines.push(`complete -c layer -n "${condition}" -l ${flag.slice(2)}`)
    }
  }
  return `${lines.join("\n")}\n`
}

/** `case` arms for the commands whose positional argument can be completed. */
function positionalCases(commands: Word[], actions: Record<"file" | "dir" | "shell", string>): string {
  return commands
    .map((c) => [c.label, positionalKind(c.label)] as const)
    .filter((entry): entry is readonly [string, "file" | "dir" | "shell"] => entry[1] !== "none")
    .map(([label, kind]) => `    "${label}") ${actions[kind]} ;;`)
    .join("\n")
}
