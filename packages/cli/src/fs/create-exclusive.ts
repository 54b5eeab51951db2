import { open, unlink } from "node:fs/promises"
import { assertSafePath } from "./safe-path.js"

/**
 * Create `path` with `content` only if nothing is there (O_EXCL): true when this call created
 * it, false when the file already existed. Never overwrites, even if another process creates
 * the file between a check and this call.
 */
export async function createExclusive(path: string, content: string, mode: number): Promise<boolean> {
  await assertSafePath(path)
  let handle
  try {
    handle = await open(path, "wx", mode)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  }
  try {
    await handle.writeFile(content)
  } catch (error) {
    // A full disk: the file was created but not written. Remove it (an empty lock would
    // otherwise look like a holder to the next run), and name it (a FileHandle error has no path).
    await handle.close().catch(() => {})
    await unlink(path).catch(() => {})
    throw Object.assign(error as Error, { path })
  }
  await handle.close()
  return true
}
