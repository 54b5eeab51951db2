/**
 * `layer init [DIR]`: start a project (scaffold/ writes the files). Names are checked with
 * the config's own rule before anything is written; at a terminal the person confirms what
 * will be created, elsewhere --yes or --workspace says they chose.
 */
import { basename, relative, resolve } from "node:path"
import { DECLARATION_NAME_PATTERN } from "@layeron/modules/limits"
import { LayerError } from "../errors.js"
import type { CommandResult, HumanBlock } from "../output/index.js"
import { scaffold } from "../scaffold/index.js"
import type { ScaffoldResult } from "../scaffold/index.js"
import { cliVersion } from "../version.js"
import { booleanFlag, stringFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface InitDocument {
  directory: string
  workspace: string
  name: string
  written: string[]
  kept: string[]
  /** What must stay local but a kept .gitignore does not ignore. */
  gitignoreMissing: string[]
  next: string[]
}

export async function run(context: CommandContext): Promise<CommandResult<InitDocument>> {
  const dir = resolve(context.global.cwd, context.positionals[0] ?? ".")
  const yes = booleanFlag(context.flags, "yes")
  const workspaceFlag = stringFlag(context.flags, "workspace")
  const folderName = slug(basename(dir))
  const name = checkName("name", stringFlag(context.flags, "name") ?? folderName, "--name")
  const workspace = checkName("workspace", workspaceFlag ?? name, "--workspace")
  const shown = relative(context.global.cwd, dir) || "."

  if (!yes && context.terminal.interactive) {
    const question = `Create a Layeron project in ${shown} (workspace "${workspace}", name "${name}")? Both become part of every secret's physical name`
    if (!(await context.terminal.confirm(question))) {
      throw new LayerError("not_confirmed", "nothing was written: `layer init` was not confirmed", { hint: "pass --workspace and --name to choose other names, or --yes to accept these" })
    }
  } else if (!yes && workspaceFlag === undefined) {
    throw new LayerError("init_needs_choice", `layer init needs a workspace, and stdin is not a terminal to confirm the default ("${workspace}"); nothing was written`, {
      hint: `pass --workspace <your team> (and --name), or --yes to take workspace "${workspace}" and name "${name}"`,
    })
  }

  // Today, unless the installed workerd knows no date that new: then `layer dev` runs it as declared.
  // miniflare is an optional peer (only `layer dev` needs it): without it, today's date stands.
  const today = context.now().toISOString().slice(0, 10)
  const { findMiniflare } = await import("../deploy/dev/miniflare-support.js")
  const compatibilityDate = findMiniflare() === undefined ? today : (await import("../deploy/dev/compat-date.js")).clampCompatibilityDate(today).date
  const result = await scaffold(dir, { workspace, name, backend: "api", compatibilityDate, version: cliVersion() })
  const next = [...(shown === "." ? [] : [`cd ${shown}`]), "npm install", "npx layer deploy --env dev", "npx layer dev"]
  for (const entry of result.gitignoreMissing) context.output.warn(`${shown}/.gitignore does not ignore ${entry}: add it (it must stay on this machine)`)
  if (result.gitignoreHidesState) {
    context.output.warn(
      `${shown}/.gitignore ignores all of .layeron/, so shared environments' rotation state (.layeron/secret-rotation/) would never be committed and teammates and CI could not rotate: ` +
        "ignore only .layeron/local/, .layeron/locks/ and .layeron/deploy/",
    )
  }
  return {
    json: { directory: dir, workspace, name, written: result.written, kept: result.kept, gitignoreMissing: result.gitignoreMissing, next },
    human: human(shown, workspace, name, result, next),
  }
}

function human(shown: string, workspace: string, name: string, result: ScaffoldResult, next: string[]): HumanBlock[] {
  const blocks: HumanBlock[] = [{ type: "line", text: `created a Layeron project in ${shown} (workspace "${workspace}", name "${name}")`, tone: "success" }]
  for (const path of result.written) blocks.push({ type: "line", text: `  wrote ${path}` })
  for (const path of result.kept) blocks.push({ type: "line", text: `  kept ${path} (it exists; not overwritten)`, tone: "muted" })
  blocks.push({ type: "line", text: `next: ${next.join(" && ")}`, tone: "strong" })
  blocks.push({ type: "line", text: "commit everything but what .gitignore lists: .layeron/secret-rotation/ (no plaintext) is how teammates and CI rotate shared environments", tone: "muted" })
  return blocks
}

function checkName(field: "workspace" | "name", value: string, flag: string): string {
  if (!DECLARATION_NAME_PATTERN.test(value)) {
    throw new LayerError("invalid_name", `${field} ${JSON.stringify(value)} must match ${DECLARATION_NAME_PATTERN.source} (lower-case letters, digits, _ and -, at most 63 characters); nothing was written`, {
      hint: `pass ${flag} with such a name, e.g. ${flag} ${field === "workspace" ? "acme" : "shop"}`,
    })
  }
  return value
}

/** A folder name as a default project name: lower case, other characters as `-`. */
function slug(text: string): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[-_]+/, "").slice(0, 63)
  return cleaned || "app"
}
