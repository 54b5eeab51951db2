import { open } from "node:fs/promises"
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
  } finally {
    await handle.close()
  }
  return true
}
