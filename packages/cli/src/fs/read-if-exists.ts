import { readFile } from "./io.js"
import { assertSafePath } from "./safe-path.js"

/**
 * A file's text, or undefined when it does not exist: the one shape of every optional state
 * file (rotation state, public key, deploy state, local records). Other read failures
 * (permissions, a directory in the way) still throw, for the caller to explain; a symbolic
 * link on the way under `.layeron/` or LAYERON_HOME is refused (safe-path.ts).
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  await assertSafePath(path)
  try {
    return await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}
