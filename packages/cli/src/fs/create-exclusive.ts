import { writeNewFile } from "./io.js"
import { assertSafePath } from "./safe-path.js"

/**
 * Create `path` with `content` only if nothing is there (O_EXCL): true when this call created
 * it, false when the file already existed. Never overwrites, even if another process creates
 * the file between a check and this call.
 */
export async function createExclusive(path: string, content: string, mode: number): Promise<boolean> {
  await assertSafePath(path)
  try {
    // A full disk: the file is created but not written. writeNewFile removes it (an empty lock
    // would otherwise look like a holder to the next run) and names it in the error.
    writeNewFile(path, content, mode)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  }
  return true
}
