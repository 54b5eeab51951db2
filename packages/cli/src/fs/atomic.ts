/**
 * The one place that replaces a file atomically: readers see the old bytes or the new
 * bytes, never a torn mix, even if the process dies mid-write (docs/design.md#rotation). The local store
 * and the rotation state both write through here.
 */
import { randomBytes } from "node:crypto"
import { rename, syncFolder, unlink, writeNewFile } from "./io.js"
import { basename, dirname, join } from "node:path"
import { assertSafePath } from "./safe-path.js"

/**
 * Write `data` to `path` through a temp file in the same directory: write, fsync, rename
 * over the target, then fsync the directory so the rename itself survives a crash.
 * `mode` applies to the new file (default 0o644; pass 0o600 for anything private).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  // A link on the way (a committed `.layeron/deploy/dev/<worker>` → elsewhere) would take the write out of the tree.
  await assertSafePath(path)
  const directory = dirname(path)
  // Same directory as the target: rename(2) is only atomic within one filesystem.
  const temp = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`)
  try {
    await writeTemp(temp, data, mode)
    await rename(temp, path)
  } catch (error) {
    // Every failure path (open, a short write on a full disk, fsync, close, rename) removes
    // the temp file: a full disk must not also collect 0-byte leftovers.
    await unlink(temp).catch(() => {})
    throw namingTarget(error, path)
  }
  await syncDirectory(directory)
}

/** Create `temp` (O_EXCL), write and fsync it; closed however that ends, removed if the write fails. */
export async function writeTemp(temp: string, data: string | Uint8Array, mode: number): Promise<void> {
  writeNewFile(temp, data, mode, { sync: true })
}

/**
 * A system error reported against the file the caller asked for, not the temp file (already
 * removed) and not a bare `write` with no path, which is how a write to a descriptor reports ENOSPC.
 */
function namingTarget(error: unknown, target: string): unknown {
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string") {
    const errno = error as NodeJS.ErrnoException
    errno.path = target
  }
  return error
}

/** fsync a directory so a rename in it is durable. Some platforms refuse; that is not fatal. */
export async function syncDirectory(directory: string): Promise<void> {
  try {
    syncFolder(directory)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // Windows cannot open directories; some filesystems reject fsync on them.
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EACCES") throw error
  }
}
