/**
 * The one place that replaces a file atomically: readers see the old bytes or the new
 * bytes, never a torn mix, even if the process dies mid-write (docs/design.md#rotation). The local store
 * and the rotation state both write through here.
 */
import { randomBytes } from "node:crypto"
import { open, rename, unlink } from "node:fs/promises"
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
  const handle = await open(temp, "wx", mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await unlink(temp).catch(() => {})
    throw error
  }
  await handle.close()
  try {
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
  await syncDirectory(directory)
}

/** fsync a directory so a rename in it is durable. Some platforms refuse; that is not fatal. */
export async function syncDirectory(directory: string): Promise<void> {
  let handle
  try {
    handle = await open(directory, "r")
    await handle.sync()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // Windows cannot open directories; some filesystems reject fsync on them.
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EACCES") throw error
  } finally {
    await handle?.close()
  }
}
