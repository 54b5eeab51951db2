/**
 * Laying out a throwaway project, shared by the e2e helpers (test/helpers/project.ts) and the
 * benchmarks (bench/lib/project.mjs): a temp directory with the given files, a `node_modules`
 * symlink to the repository's so @layeron/* resolve (to their built dist), a private
 * LAYERON_HOME and user home, and an environment with nothing from the developer's shell.
 * Plain JavaScript so that the benchmarks run it without a TypeScript loader.
 */
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url))
/** What `npx layer` runs: the committed launcher, which loads the esbuild bundle of dist/. */
export const LAYER_BIN = join(REPO_ROOT, "packages", "cli", "bin", "layer.cjs")

/** Files are written under root; a null content leaves the file out. */
export async function layTempProject(prefix, files) {
  const base = await mkdtemp(join(tmpdir(), prefix))
  const root = join(base, "project")
  const home = join(base, "home", "layeron")
  const userHome = join(base, "user")
  await mkdir(root, { recursive: true })
  await mkdir(userHome, { recursive: true })
  await symlink(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir")
  for (const [path, content] of Object.entries(files)) {
    if (content === null) continue
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), content)
  }
  return { base, root, home, userHome }
}

/** PATH, HOME and LAYERON_HOME only, plus extras (an undefined extra removes the variable). */
export function cleanEnv(project, extra = {}) {
  const result = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: project.userHome, LAYERON_HOME: project.home }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete result[key]
    else result[key] = value
  }
  return result
}

/**
 * Where an environment's rotation state lives: a local environment's with its local store
 * (`.layeron/local/<env>/rotation/`, per developer), a shared one's in the committed
 * `.layeron/secret-rotation/<env>/`. The tests' shared environment is always `production`.
 */
export function stateDirOf(root, environment, provider = environment === "production" ? "cloudflare" : "local") {
  return provider === "local" ? join(root, ".layeron", "local", environment, "rotation") : join(root, ".layeron", "secret-rotation", environment)
}
