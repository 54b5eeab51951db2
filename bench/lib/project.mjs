/**
 * Throwaway projects for the benchmarks, laid out by test/helpers/temp-project.mjs (shared with the e2e tests): a
 * temp directory with layeron.config.ts and backend files, a `node_modules` symlink to the
 * repository's (so @layeron/* resolve to their built dist), a private LAYERON_HOME, and the
 * BUILT CLI (`npm run build` first) run with a clean environment.
 */
import { mkdir, rm, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { runChecked, runProcess } from "./measure.mjs"
import { LAYER_BIN, REPO_ROOT, cleanEnv, layTempProject } from "../../test/helpers/temp-project.mjs"

export { LAYER_BIN, REPO_ROOT }
export const WRANGLER_BIN = join(REPO_ROOT, "node_modules", ".bin", "wrangler")

/**
 * @param {{ config: string, files: Record<string, string> }} spec layeron.config.ts and the rest
 */
export async function createBenchProject({ config, files }) {
  const paths = await layTempProject("layeron-bench-", {
    "package.json": `${JSON.stringify({ name: "bench-project", private: true, type: "module" }, null, 2)}\n`,
    "layeron.config.ts": config,
    ...files,
  })
  const { base, root, home } = paths
  /** PATH, HOME and LAYERON_HOME only, plus extras: nothing from the developer's shell leaks in. */
  const env = (extra = {}) => cleanEnv(paths, extra)
  const layerArgs = (args) => [LAYER_BIN, ...args]

  return {
    base,
    root,
    home,
    env,
    /** Run `layer ARGS` once (a measured process). */
    layer: (args, options = {}) => runProcess(process.execPath, layerArgs(args), { cwd: root, ...options, env: env(options.env) }),
    /** Run `layer ARGS` and fail with its stderr unless it exits with an allowed code. */
    layerChecked: (args, options = {}, allowedCodes = [0]) => runChecked(process.execPath, layerArgs(args), { cwd: root, ...options, env: env(options.env) }, allowedCodes),
    async write(path, content) {
      await mkdir(dirname(join(root, path)), { recursive: true })
      await writeFile(join(root, path), content)
    },
    cleanup: () => rm(base, { recursive: true, force: true }),
  }
}

