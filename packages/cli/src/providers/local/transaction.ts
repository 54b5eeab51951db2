/**
 * All or nothing over one directory tree (a local environment: its records, its key id and its
 * rotation state). Before a batch, every file is hard-linked into an undo folder beside it:
 * links cost no data blocks, and since every write in the store replaces a file by rename
 * (fs/atomic.ts), the linked inodes keep the bytes as they were. If the batch fails, each file
 * is put back by rename and each new file removed: operations that need no free space, so a
 * full disk cannot stop the undo. If the batch succeeds, the undo folder is removed.
 *
 * A process killed mid-batch leaves its undo folder; the next batch removes it (the writes it
 * made are each crash-safe on their own, as without a batch) and says so.
 */
import { randomBytes } from "node:crypto"
import { link, lstat, mkdir, readdir, rename, rm, rmdir, unlink } from "../../fs/io.js"
import { dirname, join, relative } from "node:path"
import { asLayerError, LayerError } from "../../errors.js"
import { syncDirectory } from "../../fs/atomic.js"

/** Undo folders start with this; nothing else in a store does. */
export const UNDO_PREFIX = ".undo-"

interface Snapshot {
  undo: string
  /** Relative path → inode number, for every file before the batch. */
  files: Map<string, number>
  directories: Set<string>
}

/** Files that are not store content: locks (held by others), temp files (owned by their writer), undo folders. */
function isTransient(name: string): boolean {
  return name === ".lock" || name.endsWith(".tmp") || name.startsWith(UNDO_PREFIX)
}

async function walk(root: string, directory = root, found = { files: new Map<string, number>(), directories: new Set<string>() }) {
  let entries
  try {
    entries = await readdir(directory, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return found
    throw error
  }
  for (const entry of entries) {
    if (isTransient(entry.name)) continue
    const path = join(directory, entry.name)
    if (entry.isDirectory()) {
      found.directories.add(relative(root, path))
      await walk(root, path, found)
    } else if (entry.isFile()) {
      found.files.set(relative(root, path), (await lstat(path)).ino)
    }
  }
  return found
}

/** Leftover undo folders of killed batches: removed, with a note of what they mean. */
async function removeLeftovers(root: string, warn: (message: string) => void): Promise<void> {
  let entries: string[]
  try {
    entries = await readdir(root)
  } catch {
    return
  }
  for (const name of entries.filter((entry) => entry.startsWith(UNDO_PREFIX))) {
    await rm(join(root, name), { recursive: true, force: true })
    warn(`${join(root, name)} was left by an import that was stopped mid-way; what it wrote stays (each write is whole), and running that import again completes it`)
  }
}

async function snapshot(root: string): Promise<Snapshot> {
  const { files, directories } = await walk(root)
  const undo = join(root, `${UNDO_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`)
  await mkdir(undo, { mode: 0o700 })
  try {
    for (const path of files.keys()) {
      await mkdir(dirname(join(undo, path)), { recursive: true, mode: 0o700 })
      await link(join(root, path), join(undo, path))
    }
  } catch (error) {
    await rm(undo, { recursive: true, force: true }).catch(() => {})
    throw error
  }
  return { undo, files, directories }
}

/** Put every file back as the snapshot saw it; new files and folders go. */
async function rollback(root: string, before: Snapshot): Promise<void> {
  const now = await walk(root)
  for (const [path, inode] of now.files) {
    if (!before.files.has(path)) await unlink(join(root, path))
    else if (before.files.get(path) !== inode) await rename(join(before.undo, path), join(root, path))
  }
  for (const path of before.files.keys()) {
    if (!now.files.has(path)) {
      await mkdir(dirname(join(root, path)), { recursive: true, mode: 0o700 })
      await rename(join(before.undo, path), join(root, path))
    }
  }
  const created = [...now.directories].filter((path) => !before.directories.has(path)).sort((a, b) => b.length - a.length)
  for (const path of created) await rmdir(join(root, path)).catch(() => {})
  for (const directory of new Set([root, ...[...before.files.keys()].map((path) => dirname(join(root, path)))])) await syncDirectory(directory).catch(() => {})
}

/**
 * Run `batch` so that the files under `root` change all together or not at all. On failure
 * the batch's error is thrown after the undo; if the undo itself fails, a LayerError names the
 * undo folder that still holds every file as it was.
 */
export async function allOrNothing<T>(root: string, batch: () => Promise<T>, warn: (message: string) => void): Promise<T> {
  await mkdir(root, { recursive: true, mode: 0o700 })
  await removeLeftovers(root, warn)
  const before = await snapshot(root)
  let result: T
  try {
    result = await batch()
  } catch (error) {
    try {
      await rollback(root, before)
    } catch (undoError) {
      throw new LayerError(
        "local_rollback_failed",
        `a batch write to ${root} failed (${describe(error)}) and putting the files back failed too (${describe(undoError)}); ${before.undo} holds every file as it was before`,
        { hint: `copy the files from ${before.undo} back into ${root} (same relative paths), then run the command again`, cause: error, details: { undo: before.undo } },
      )
    }
    await rm(before.undo, { recursive: true, force: true }).catch(() => {})
    throw error
  }
  await rm(before.undo, { recursive: true, force: true }).catch(() => {})
  return result
}

function describe(error: unknown): string {
  const typed = asLayerError(error)
  return typed instanceof Error ? typed.message : String(typed)
}
