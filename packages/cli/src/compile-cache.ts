/**
 * The folder bin/layer.cjs keeps Node's compile cache in: LAYERON_HOME/cache/compile, never
 * Node's default in os.tmpdir(), where another user of the machine could plant compiled code
 * (the launcher says more). The launcher only uses the folder; a command that succeeded makes
 * it, 0700, and only in a LAYERON_HOME that already exists: a cache is no reason to create one.
 */
import * as nodeModule from "node:module"
import { join } from "node:path"
import { stat } from "./fs/io.js"
import { ensurePrivateDirectory, layeronHome } from "./paths.js"

/** Node 22.1+ has `module.enableCompileCache`; a NODE_COMPILE_CACHE the user set wins over ours. */
export async function ensureCompileCacheFolder(env: NodeJS.ProcessEnv): Promise<void> {
  if (typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache !== "function" || env.NODE_COMPILE_CACHE) return
  const home = layeronHome({ env })
  const exists = await stat(home).then(
    () => true,
    () => false,
  )
  if (exists) await ensurePrivateDirectory(join(home, "cache", "compile"))
}
