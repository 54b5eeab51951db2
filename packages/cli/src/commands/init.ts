/**
 * `layer init [DIR]`: start a project (scaffold/ writes the files). Names are checked with
 * the config's own rule before anything is written; at a terminal the person confirms what
 * will be created, elsewhere --yes or --workspace says they chose.
 */
import { readFileSync } from "node:fs"
import { basename, relative, resolve } from "node:path"
import { DECLARATION_NAME_PATTERN } from "@layeron/modules/limits"
import { LayerError } from "../errors.js"
import type { CommandResult, HumanBlock } from "../output/index.js"
import { packageFile } from "../package-root.js"
import { scaffold } from "../scaffold/index.js"
import type { ScaffoldOptions, ScaffoldResult } from "../scaffold/index.js"
import { detectInstallSource, packageSpecs } from "../scaffold/install-source.js"
import type { InstallSource } from "../scaffold/install-source.js"
import { cliVersion } from "../version.js"
import { booleanFlag, stringFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface InitDocument {
  directory: string
  workspace: string
  name: string
  written: string[]
  kept: string[]
  /** How the project depends on the Layeron packages: as the running CLI was installed. */
  install: InstallSource["kind"]
  /** What was added to an existing package.json (`type`, `scripts.test`, `devDependencies.tsx`, …). */
  packageJsonAdded: string[]
  /** Its entries that differ from what init would write, kept as they are. */
  packageJsonKept: string[]
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
  const shown = relative(context.global.cwd, dir) || "."
  const askWorkspace = !yes && context.terminal.interactive && workspaceFlag === undefined && context.terminal.ask !== undefined
  const workspace = checkName("workspace", askWorkspace ? await context.terminal.ask!("Workspace (your team or company; part of every secret's physical name)", name) : (workspaceFlag ?? name), "--workspace")

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

  const cliRoot = packageFile("")
  const install = detectInstallSource(cliRoot, cliVersion())
  const options: ScaffoldOptions = {
    workspace,
    name,
    backend: "api",
    compatibilityDate: await compatibilityDate(context.now()),
    packages: packageSpecs(install, dir),
    devTools: devTools(cliRoot),
  }
  const result = await scaffold(dir, options)
  const next = [...(shown === "." ? [] : [`cd ${shown}`]), "npm install", "npm test", "npx layer deploy --env dev", "npx layer dev"]
  if (result.packageJsonAdded.length > 0) context.output.note(`added to ${shown}/package.json: ${result.packageJsonAdded.join(", ")}`)
  if (result.packageJsonKept.length > 0) {
    context.output.warn(`${shown}/package.json already had ${result.packageJsonKept.join(", ")}: kept as they are (layer init writes no key that exists)`)
  }
  if (result.tsconfigDiffers) {
    context.output.warn(`${shown}/tsconfig.json was kept: for a Worker it needs "lib": ["ES2022", "WebWorker"] and "include" with "test" (docs/guide.md, "Set up a project"), or Response and fetch do not type-check`)
  }
  for (const entry of result.gitignoreMissing) context.output.warn(`${shown}/.gitignore does not ignore ${entry}: add it (it must stay on this machine)`)
  if (result.gitignoreHidesState) {
    context.output.warn(
      `${shown}/.gitignore ignores all of .layeron/, so shared environments' rotation state (.layeron/secret-rotation/) would never be committed and teammates and CI could not rotate: ` +
        "ignore only .layeron/local/, .layeron/locks/ and .layeron/deploy/",
    )
  }
  return {
    json: {
      directory: dir,
      workspace,
      name,
      written: result.written,
      kept: result.kept,
      install: install.kind,
      packageJsonAdded: result.packageJsonAdded,
      packageJsonKept: result.packageJsonKept,
      gitignoreMissing: result.gitignoreMissing,
      next,
    },
    human: human(shown, workspace, name, result, next),
  }
}

function human(shown: string, workspace: string, name: string, result: ScaffoldResult, next: string[]): HumanBlock[] {
  const blocks: HumanBlock[] = [{ type: "line", text: `created a Layeron project in ${shown} (workspace "${workspace}", name "${name}")`, tone: "success" }]
  for (const path of result.written) blocks.push({ type: "line", text: `  wrote ${path}` })
  for (const path of result.kept) blocks.push({ type: "line", text: `  kept ${path} (it exists; not overwritten)`, tone: "muted" })
  if (result.packageJsonAdded.length > 0) blocks.push({ type: "line", text: `  added to package.json: ${result.packageJsonAdded.join(", ")}` })
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

/** miniflare 4.20260426.0 is the last release that runs on Node 20; Node 22 and 24 take the newest 4.x. */
export const MINIFLARE_FOR_NODE_20 = "4.20260426.0"

/** The dev tools a new project declares, for the Node that runs `layer init`. */
function devTools(cliRoot: string): ScaffoldOptions["devTools"] {
  const major = Number(process.versions.node.split(".")[0])
  const cli = JSON.parse(readFileSync(`${cliRoot}/package.json`, "utf8")) as { dependencies?: Record<string, string> }
  const tsx = cli.dependencies?.tsx ?? "4"
  return {
    miniflare: major === 20 ? MINIFLARE_FOR_NODE_20 : `^${MINIFLARE_FOR_NODE_20}`,
    tsx: tsx.startsWith("^") ? tsx : `^${tsx}`,
    typescript: "^5.9.3",
    typesNode: `^${major}`,
  }
}

/**
 * Today, unless the workerd the project will run is older: the installed miniflare's, else the
 * oldest the scaffold's miniflare range allows (4.20260426.0 supports 2026-04-26), so `layer dev`
 * never has to lower the date.
 */
async function compatibilityDate(now: Date): Promise<string> {
  const today = now.toISOString().slice(0, 10)
  const { findMiniflare } = await import("../deploy/dev/miniflare-support.js")
  if (findMiniflare() !== undefined) return (await import("../deploy/dev/compat-date.js")).clampCompatibilityDate(today).date
  const floor = MINIFLARE_FOR_NODE_20.replace(/^4\.(\d{4})(\d{2})(\d{2})\.\d+$/, "$1-$2-$3")
  return today > floor ? floor : today
}
