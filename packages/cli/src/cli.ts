/**
 * The dispatcher: parses argv against the command table (command-table.ts) and runs the
 * command's module, loaded by dynamic import only when it runs, so `layer --version` stays
 * close to a bare Node start. Errors are thrown as LayerError; bin.ts alone turns them into
 * exit codes.
 */
import { resolve } from "node:path"
import { LayerError } from "./errors.js"
import { checkPositionals, parseFlags, splitCommandWords } from "./framework/argv.js"
import { commandHelp, groupHelp, topLevelHelp } from "./framework/help.js"
import { GLOBAL_FLAGS } from "./framework/spec.js"
import { checkCwd } from "./framework/cwd.js"
import { unknownCommandError } from "./framework/suggest.js"
import { COMMANDS } from "./command-table.js"
import type { CommandContext } from "./commands/types.js"
import type { Output, OutputStream } from "./output/index.js"
import { createTerminal } from "./output/prompt.js"
import type { TerminalInput } from "./output/prompt.js"
import { cliVersion } from "./version.js"

export { cliVersion } from "./version.js"
export { COMMANDS } from "./command-table.js"

const GROUPS: ReadonlySet<string> = new Set(COMMANDS.filter((c) => c.words.length > 1).map((c) => c.words[0] ?? ""))

export interface CliRuntime {
  env: NodeJS.ProcessEnv
  /** The process's working directory; --cwd is resolved against it. */
  cwd: string
  stdin: TerminalInput
  stderr: OutputStream
  now?: () => Date
}

/** Run one command line; resolves to the exit code of its result (0, 2 for a due plan, 1 for a partly failed deploy). */
export async function runCli(argv: readonly string[], runtime: CliRuntime, output: Output): Promise<0 | 1 | 2> {
  const { words, rest } = splitCommandWords(argv, GROUPS)
  const label = words.join(" ")
  const spec = COMMANDS.find((c) => c.words.join(" ") === label)

  if (!spec) {
    const top = parseFlags(rest, { ...GLOBAL_FLAGS, version: { type: "boolean", short: "v", description: "" } }, words.length === 1 && GROUPS.has(words[0] ?? "") ? (words[0] ?? "") : "")
    if (words.length === 0) {
      if (top.flags.version) output.text(cliVersion(), "version")
      else output.text(topLevelHelp(COMMANDS, cliVersion()), "help")
      return 0
    }
    const group = words[0] ?? ""
    if (words.length === 1 && GROUPS.has(group)) {
      output.text(groupHelp(group, COMMANDS), "help")
      return 0
    }
    throw unknownCommand(words)
  }

  const parsed = parseFlags(rest, { ...GLOBAL_FLAGS, ...spec.flags }, label)
  if (parsed.flags.help) {
    output.text(commandHelp(spec), "help")
    return 0
  }
  checkPositionals(spec, parsed.positionals)

  const env = typeof parsed.flags.env === "string" ? parsed.flags.env : undefined
  const cwd = resolve(runtime.cwd, typeof parsed.flags.cwd === "string" ? parsed.flags.cwd : ".")
  if (typeof parsed.flags.cwd === "string") await checkCwd(parsed.flags.cwd, cwd)
  const ownFlags = Object.fromEntries(Object.keys(spec.flags).map((name) => [name, parsed.flags[name]]))
  const context: CommandContext = {
    command: label,
    positionals: parsed.positionals,
    flags: ownFlags,
    global: { env, json: output.json, cwd, debug: output.debugEnabled },
    env: runtime.env,
    stdin: runtime.stdin,
    terminal: createTerminal(runtime.stdin, runtime.stderr),
    output,
    // The one clock (clock.ts), loaded here rather than at the top: `--version` never needs it.
    now: runtime.now ?? (await (await import("./clock.js")).createClock(runtime.env)),
  }
  output.debug(`command: layer ${label} (cwd ${cwd})`)
  const module = await spec.load()
  const result = await module.run(context)
  output.result(result)
  return result.exitCode ?? 0
}

function unknownCommand(words: readonly string[]): LayerError {
  return unknownCommandError(words, COMMANDS, GROUPS)
}
