/**
 * `--cwd DIR` must name a directory: a missing one is said as such, not reported later as
 * "no layeron.config.ts found" (which sends the user looking for the wrong thing).
 */
import { stat } from "../fs/io.js"
import { LayerError } from "../errors.js"

export async function checkCwd(given: string, resolved: string): Promise<void> {
  let isDirectory: boolean
  try {
    isDirectory = (await stat(resolved)).isDirectory()
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new LayerError("cwd_not_found", `--cwd ${given}: no such directory`, { hint: "pass the project's directory (the one holding layeron.config.ts, or one below it), or leave --cwd out to use the current directory" })
    }
    throw new LayerError("cwd_unreadable", `--cwd ${given}: the directory cannot be read (${code ?? "unknown error"})`, { hint: "check its permissions, or pass another directory" })
  }
  if (!isDirectory) throw new LayerError("cwd_not_directory", `--cwd ${given}: not a directory`, { hint: "pass the project's directory, not a file in it" })
}
