/**
 * The one guard on every path the CLI reads or writes under a project's `.layeron/` and under
 * LAYERON_HOME (docs/security.md#symlinks-and-ownership). Committed state and a home folder are
 * input: a symbolic link in them, committed by someone else or planted by another user, would
 * make a write land outside the project or home, or a read come from a file the user never
 * meant to show. So every component from the tree's top down to the path is looked at with
 * lstat (never followed): a link anywhere is refused with `path_is_symlink`, naming it. Under
 * LAYERON_HOME, the home and everything in it must also belong to the user running the CLI,
 * as ssh requires of ~/.ssh (`path_not_owned`, naming the owner).
 *
 * The checks run before the operation and look at what exists then: a link created in the
 * instant between the check and the write is not the threat here (a commit or another user's
 * planted file is, and both are there before layer starts).
 */
import { lstat, mkdir, readdir, readFile, rm, stat } from "./io.js"
import { basename, dirname, join, relative, resolve, sep } from "node:path"
import { LayerError } from "../errors.js"

export type TreeKind = "project" | "home"

/** Resolved top of each guarded tree (a project's `.layeron`, a LAYERON_HOME) → its kind. */
const trees = new Map<string, TreeKind>()

/** The name of the project folder every guarded project path runs through. */
const PROJECT_STATE_DIR = ".layeron"

/**
 * Guard paths under `top` from now on. paths.ts registers every project's `.layeron` and the
 * LAYERON_HOME it hands out, so a caller that builds its path there is covered without asking.
 */
export function guardTree(top: string, kind: TreeKind): void {
  trees.set(resolve(top), kind)
}

interface Tree {
  top: string
  kind: TreeKind
}

/** The guarded tree that holds `path` (the deepest one), if any. */
function treeOf(path: string): Tree | undefined {
  let found: Tree | undefined
  for (const [top, kind] of trees) {
    if ((path === top || path.startsWith(top.endsWith(sep) ? top : top + sep)) && (!found || top.length > found.top.length)) found = { top, kind }
  }
  if (found) return found
  // A `.layeron` folder nobody registered (a caller that built its path by hand) is still a project's.
  const parts = path.split(sep)
  const at = parts.indexOf(PROJECT_STATE_DIR)
  return at > 0 ? { top: parts.slice(0, at + 1).join(sep) || sep, kind: "project" } : undefined
}

/**
 * Refuse `path` if a symbolic link sits anywhere from its tree's top down to it (or, under
 * LAYERON_HOME, if any of them belongs to another user). Components that do not exist yet end
 * the walk: nothing below them can be a link. A path outside every guarded tree is not checked.
 */
export async function assertSafePath(path: string): Promise<void> {
  const absolute = resolve(path)
  const tree = treeOf(absolute)
  if (!tree) return
  if (tree.kind === "home") {
    // The home itself may be reached through a link (dotfile managers link ~/.config entries);
    // what it resolves to must be the user's own.
    const info = await statOrUndefined(tree.top)
    if (!info) return
    await assertOwned(tree.top, info.uid, tree)
  }
  const below = relative(tree.top, absolute)
  const components = below === "" ? [] : below.split(sep)
  // A project's `.layeron` is itself checked; the home's top was checked above.
  let current = tree.kind === "project" ? dirname(tree.top) : tree.top
  const walk = tree.kind === "project" ? [basename(tree.top), ...components] : components
  for (const component of walk) {
    current = join(current, component)
    const info = await lstatOrUndefined(current)
    if (!info) return
    if (info.isSymbolicLink()) throw symlinkError(current, tree)
    if (tree.kind === "home") await assertOwned(current, info.uid, tree)
    if (!info.isDirectory()) return
  }
}

/**
 * Check a folder and what sits directly in it, up front: a command checks LAYERON_HOME this
 * way before it writes anything, so a planted key file is refused before, say, a sealing key's
 * public half is written to the project and the local store's key is found to be someone else's.
 */
export async function assertSafeFolder(path: string): Promise<void> {
  await assertSafePath(path)
  let entries: string[]
  try {
    entries = await readdir(path)
  } catch (error) {
    if (isMissing(error)) return
    throw error
  }
  for (const entry of entries) await assertSafePath(join(path, entry))
}

/** `mkdir -p` under a guarded tree: refused before anything is created if a link is on the way. */
export async function makeDirectory(path: string, mode?: number): Promise<void> {
  await assertSafePath(path)
  const options = mode === undefined ? {} : { mode }
  try {
    await mkdir(path, { recursive: true, ...options })
  } catch (error) {
    // Node's recursive mkdir answers ENOENT on a read-only (or full) file system where the last
    // step fails: that step alone, retried, reports the real cause (EROFS, ENOSPC).
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
    await mkdir(path, options)
  }
}

/** A file's bytes, after the path is checked. */
export async function readGuardedFile(path: string): Promise<Buffer> {
  await assertSafePath(path)
  return readFile(path)
}

/** A file's text, after the path is checked. */
export async function readGuardedText(path: string): Promise<string> {
  await assertSafePath(path)
  return readFile(path, "utf8")
}

/** `rm -rf` of a folder under a guarded tree: a link on the way (which rm would follow above the last component) is refused. */
export async function removeTree(path: string): Promise<void> {
  await assertSafePath(path)
  await rm(path, { recursive: true, force: true })
}

function symlinkError(path: string, tree: Tree): LayerError {
  const where = tree.kind === "home" ? "LAYERON_HOME" : "the project's .layeron folder"
  return new LayerError("path_is_symlink", `${path} is a symbolic link; layer does not follow links in ${where} (${tree.top}), so nothing was read or written`, {
    hint:
      tree.kind === "home"
        ? "a link there could make layer use keys or credentials that are not yours: replace it with a real directory or file of your own"
        : `a committed or planted link there could make layer write or read outside the project: replace it with a real directory or file (\`git log -- ${relative(dirname(tree.top), path)}\` shows who added it)`,
    details: { path },
  })
}

async function assertOwned(path: string, uid: number, tree: Tree): Promise<void> {
  const me = process.getuid?.()
  if (me === undefined || uid === me) return
  const [owner, user] = await Promise.all([userName(uid), userName(me)])
  throw new LayerError("path_not_owned", `${path} belongs to ${owner}, not to ${user} who runs layer; LAYERON_HOME and its key files must be your own, so nothing was read or written`, {
    hint: `another user could have planted or can read the keys there: set LAYERON_HOME to a folder of your own (it is ${tree.top}), or run layer as ${owner}`,
    details: { path, ownerUid: uid },
  })
}

/** "nobody (uid 65534)", or "uid 65534" when the account database does not name it. */
async function userName(uid: number): Promise<string> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "")
  for (const line of passwd.split("\n")) {
    const [name, , id] = line.split(":")
    if (name && id === String(uid)) return `${name} (uid ${uid})`
  }
  return `uid ${uid}`
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path)
  } catch (error) {
    if (isMissing(error)) return undefined
    throw error
  }
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path)
  } catch (error) {
    if (isMissing(error)) return undefined
    throw error
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === "ENOENT" || code === "ENOTDIR"
}
