/**
 * Throwaway projects for the benchmarks, made the way test/helpers/project.ts makes them: a
 * temp directory with layeron.config.ts and backend files, a `node_modules` symlink to the
 * repository's (so @layeron/* resolve to their built dist), a private LAYERON_HOME, and the
 * BUILT CLI (`npm run build` first) run with a clean environment.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { runChecked, runProcess } from "./measure.mjs"

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url))
export const LAYER_BIN = join(REPO_ROOT, "packages", "cli", "dist", "bin.js")
export const WRANGLER_BIN = join(REPO_ROOT, "node_modules", ".bin", "wrangler")

/**
 * @param {{ config: string, files: Record<string, string> }} spec layeron.config.ts and the rest
 */
export async function createBenchProject({ config, files }) {
  const base = await mkdtemp(join(tmpdir(), "layeron-bench-"))
  const root = join(base, "project")
  const home = join(base, "home", "layeron")
  const userHome = join(base, "user")
  await mkdir(root, { recursive: true })
  await mkdir(userHome, { recursive: true })
  await symlink(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir")
  const all = { "package.json": `${JSON.stringify({ name: "bench-project", private: true, type: "module" }, null, 2)}\n`, "layeron.config.ts": config, ...files }
  for (const [path, content] of Object.entries(all)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), content)
  }

  /** PATH, HOME and LAYERON_HOME only, plus extras: nothing from the developer's shell leaks in. */
  const env = (extra = {}) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: userHome, LAYERON_HOME: home, ...extra })
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

/**
 * When a command has not landed yet, `layer … --json` answers `{"error":{"code":"not_implemented"}}`.
 * @param {{ code: number | null, stdout: string }} run
 */
export function isNotImplemented(run) {
  if (run.code === 0) return false
  try {
    return JSON.parse(run.stdout)?.error?.code === "not_implemented"
  } catch {
    return false
  }
}
