/**
 * The folder bin/layer.cjs keeps compiled code in: LAYERON_HOME/cache/compile, for V8's code
 * cache of the bundle, never a folder of os.tmpdir(), where another user of the machine could
 * plant compiled code (the launcher says more). The launcher only uses the folder; a command that succeeded makes it, 0700, and only
 * in a LAYERON_HOME that already exists: a cache is no reason to create one.
 */
import { join } from "node:path"
import { stat } from "./fs/io.js"
import { ensurePrivateDirectory, layeronHome } from "./paths.js"

export async function ensureCompileCacheFolder(env: NodeJS.ProcessEnv): Promise<void> {
  const home = layeronHome({ env })
  const exists = await stat(home).then(
    () => true,
    () => false,
  )
  if (exists) await ensurePrivateDirectory(join(home, "cache", "compile"))
}
