import { readFile } from "node:fs/promises"

/**
 * A file's text, or undefined when it does not exist: the one shape of every optional state
 * file (rotation state, public key, deploy state, local records). Other read failures
 * (permissions, a directory in the way) still throw, for the caller to explain.
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
}
