/**
 * `layer init`'s work: check the folder, then write each template's file unless one is there.
 * Everything that can refuse (a config already there, a folder that cannot be written, a
 * path in the way) is checked before the first write, so a refusal writes nothing. Files are
 * created with O_EXCL: a file that appears meanwhile is kept, never overwritten.
 */
import { access, constants, mkdir, readFile, stat } from "node:fs/promises"
import { dirname, join, relative } from "node:path"
import { LayerError } from "../errors.js"
import { CONFIG_FILE_NAMES } from "../config/find.js"
import { createExclusive } from "../fs/create-exclusive.js"
import { LOCAL_ONLY_ENTRIES, TEMPLATES } from "./templates/index.js"
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
}

export async function scaffold(dir: string, options: ScaffoldOptions): Promise<ScaffoldResult> {
  await checkFolder(dir)
  const files = TEMPLATES.map((template) => ({ path: template.path(options), content: template.content(options) }))
  const existing = new Set<string>()
  for (const file of files) if (await pathExists(join(dir, file.path))) existing.add(file.path)
  for (const file of files) if (!existing.has(file.path)) await checkCreatable(dir, file.path)

  const written: string[] = []
  const kept: string[] = []
  for (const file of files) {
    if (existing.has(file.path) || !(await createFile(join(dir, file.path), file.content))) kept.push(file.path)
    else written.push(file.path)
  }
  const ignored = kept.includes(".gitignore") ? await ignoredEntries(join(dir, ".gitignore")) : undefined
  const hidesState = ignored !== undefined && [".layeron", ".layeron/", "/.layeron", "/.layeron/", ".layeron/*", ".layeron/**"].some((form) => ignored.has(form))
  const gitignoreMissing = ignored && !hidesState ? LOCAL_ONLY_ENTRIES.filter((entry) => !isIgnored(ignored, entry)) : []
  return { written, kept, gitignoreMissing, gitignoreHidesState: hidesState }
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
