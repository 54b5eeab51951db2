/**
 * `layer init`'s work: check the folder, then write each template's file unless one is there,
 * and write or merge package.json (package-json.ts). Everything that can refuse (a config
 * already there, a folder that cannot be written, a path in the way, a CommonJS or read-only
 * package.json) is checked before the first write, so a refusal writes nothing. Files are
 * created with O_EXCL: a file that appears meanwhile is kept, never overwritten; package.json
 * is replaced atomically, and only if it still reads as it did when the merge was planned.
 */
import { access, constants, mkdir, readFile, stat } from "node:fs/promises"
import { dirname, join, relative } from "node:path"
import { LayerError } from "../errors.js"
import { CONFIG_FILE_NAMES } from "../config/find.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { createExclusive } from "../fs/create-exclusive.js"
import { planPackageJson } from "./package-json.js"
import { LOCAL_ONLY_ENTRIES, TEMPLATES, TSCONFIG } from "./templates/index.js"
import type { ScaffoldOptions } from "./templates/index.js"

export type { ScaffoldOptions } from "./templates/index.js"

export interface ScaffoldResult {
  /** Paths relative to the folder, in template order. */
  written: string[]
  /** Files that existed and were left as they are. */
  kept: string[]
  /** Entries a kept .gitignore lacks (what must stay local). */
  gitignoreMissing: string[]
  /** A kept .gitignore ignores all of .layeron/, so the shared rotation state would never be committed. */
  gitignoreHidesState: boolean
  /** What a merge added to an existing package.json (`type`, `scripts.test`, …); empty when it was written whole. */
  packageJsonAdded: string[]
  /** Entries of an existing package.json that differ from the scaffold's and were kept. */
  packageJsonKept: string[]
  /** A kept tsconfig.json lacks what the scaffold's has (the WebWorker lib, test/ included). */
  tsconfigDiffers: boolean
}

export async function scaffold(dir: string, options: ScaffoldOptions): Promise<ScaffoldResult> {
  await checkFolder(dir)
  const files = TEMPLATES.map((template) => ({ path: template.path(options), content: template.content(options) }))
  const existing = new Set<string>()
  for (const file of files) if (await pathExists(join(dir, file.path))) existing.add(file.path)
  for (const file of files) if (!existing.has(file.path)) await checkCreatable(dir, file.path)
  const packageFile = join(dir, "package.json")
  const packageBefore = await readIfPresent(packageFile)
  const packagePlan = planPackageJson(packageBefore, options, "package.json")
  if (packageBefore !== undefined && packagePlan.content !== undefined) await checkWritable(packageFile)
  if (packageBefore === undefined) await checkCreatable(dir, "package.json")

  const written: string[] = []
  const kept: string[] = []
  for (const file of files) {
    if (existing.has(file.path) || !(await createFile(join(dir, file.path), file.content))) kept.push(file.path)
    else written.push(file.path)
  }
  if (packageBefore === undefined) {
    if (await createFile(packageFile, packagePlan.content ?? "")) written.push("package.json")
    else kept.push("package.json")
  } else {
    // Kept (never replaced by the template); what it lacked is added and named in packageJsonAdded.
    kept.push("package.json")
  }
  if (packageBefore !== undefined && packagePlan.content !== undefined) {
    if ((await readIfPresent(packageFile)) !== packageBefore) {
      throw new LayerError("init_package_json_changed", "package.json changed while `layer init` ran: it was not merged (the other files were written)", { hint: "run `layer init` again to merge it" })
    }
    await writeFileAtomic(packageFile, packagePlan.content, 0o644)
  }
  const tsconfigDiffers = kept.includes("tsconfig.json") && !(await tsconfigFits(join(dir, "tsconfig.json")))
  const ignored = kept.includes(".gitignore") ? await ignoredEntries(join(dir, ".gitignore")) : undefined
  const hidesState = ignored !== undefined && [".layeron", ".layeron/", "/.layeron", "/.layeron/", ".layeron/*", ".layeron/**"].some((form) => ignored.has(form))
  const gitignoreMissing = ignored && !hidesState ? LOCAL_ONLY_ENTRIES.filter((entry) => !isIgnored(ignored, entry)) : []
  return {
    written,
    kept,
    gitignoreMissing,
    gitignoreHidesState: hidesState,
    packageJsonAdded: packageBefore === undefined ? [] : packagePlan.added,
    packageJsonKept: packageBefore === undefined ? [] : packagePlan.kept,
    tsconfigDiffers,
  }
}

/** A kept tsconfig.json that names the WebWorker lib and includes test/ fits; JSON with comments is judged by those words alone. */
async function tsconfigFits(path: string): Promise<boolean> {
  const text = await readFile(path, "utf8").catch(() => "")
  return TSCONFIG.compilerOptions.lib.every((lib) => text.includes(`"${lib}"`)) && /"test\/?"/.test(text)
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw new LayerError("init_unreadable", `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "unknown error"}; nothing was written`, { hint: `check the permissions of ${path}` })
  }
}

/** A package.json that must be merged must be writable: a read-only one is refused before any write. */
async function checkWritable(path: string): Promise<void> {
  try {
    // The mode bits too: root's access() passes on a file its owner made read-only.
    if (((await stat(path)).mode & 0o222) === 0) throw new Error("read-only")
    await access(path, constants.W_OK)
  } catch {
    throw new LayerError("init_unwritable", `cannot write ${path}: it is read-only, and \`layer init\` needs to add to it; nothing was written`, {
      hint: `make it writable (chmod u+w ${path}) and run \`layer init\` again, or add what the project needs by hand (docs/guide.md, "Set up a project")`,
      details: { file: path },
    })
  }
}

/** A folder with a config is already a project; one that cannot be written gets nothing. */
async function checkFolder(dir: string): Promise<void> {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(dir, name)
    if (await pathExists(path)) {
      throw new LayerError("already_a_project", `${path} already exists: this folder is a Layeron project, so nothing was written`, {
        hint: "run `layer init` in another folder (`layer init <dir>`), or edit the existing config",
        details: { file: path },
      })
    }
  }
  const existing = await nearestExisting(dir)
  if (!(await stat(existing)).isDirectory()) {
    throw new LayerError("init_not_a_folder", `${existing} is a file, not a folder: nothing was written`, { hint: "give `layer init` a folder path" })
  }
  try {
    await access(existing, constants.W_OK | constants.X_OK)
  } catch {
    throw new LayerError("init_unwritable", `cannot write into ${existing}: permission denied; nothing was written`, {
      hint: `choose a folder you can write to, or fix its permissions (ls -ld ${existing})`,
      details: { folder: existing },
    })
  }
}

/** A new file's parent must be a folder (or creatable): a file named `src` would stop the backend. */
async function checkCreatable(dir: string, path: string): Promise<void> {
  const parent = dirname(join(dir, path))
  const existing = await nearestExisting(parent)
  if (!(await stat(existing)).isDirectory()) {
    throw new LayerError("init_path_blocked", `cannot create ${path}: ${relative(dir, existing) || existing} is a file, not a folder; nothing was written`, {
      hint: `move ${existing} aside and run \`layer init\` again`,
    })
  }
}

async function createFile(path: string, content: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true })
  return createExclusive(path, content, 0o644)
}

async function ignoredEntries(path: string): Promise<Set<string>> {
  const lines = (await readFile(path, "utf8")).split(/\r?\n/).map((line) => line.trim())
  return new Set(lines.filter((line) => line && !line.startsWith("#")))
}

function isIgnored(ignored: ReadonlySet<string>, entry: string): boolean {
  const bare = entry.replace(/\/$/, "")
  return [entry, bare, `/${entry}`, `/${bare}`, `${bare}/**`].some((form) => ignored.has(form))
}

async function nearestExisting(path: string): Promise<string> {
  let current = path
  while (!(await pathExists(current))) {
    const parent = dirname(current)
    if (parent === current) return current
    current = parent
  }
  return current
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return false
    throw error
  }
}
