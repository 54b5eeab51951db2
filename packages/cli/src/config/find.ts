/** Find the project's config file: the nearest directory, from `start` upwards, that has one. */
import { stat } from "../fs/io.js"
import { dirname, join } from "node:path"

/** In order of preference; TypeScript needs no build step (config/import.ts loads it). */
export const CONFIG_FILE_NAMES = ["layeron.config.ts", "layeron.config.mts", "layeron.config.mjs", "layeron.config.js"] as const

export async function findConfigFile(start: string): Promise<string | undefined> {
  let directory = start
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(directory, name)
      if (await isFile(candidate)) return candidate
    }
    const parent = dirname(directory)
    if (parent === directory) return undefined
    directory = parent
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
