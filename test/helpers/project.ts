/**
 * Throwaway projects for end-to-end tests: a temp directory with layeron.config.ts and a
 * backend from an inline file map, a `node_modules` symlink to the repository's so that
 * @layeron/* resolve (to their built dist), and a private LAYERON_HOME. `layer()` spawns the
 * BUILT CLI (`npm run build` first) with a clean environment.
 */
import { createHash } from "node:crypto"
import { chmod, lstat, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { dirname, join, relative } from "node:path"

import { runProcess } from "./processes.js"
import { LAYER_BIN, REPO_ROOT, cleanEnv, layTempProject } from "./temp-project.mjs"

export { LAYER_BIN, REPO_ROOT }

export const DEFAULT_CONFIG = `import { project } from "@layeron/core"
export default project({
  workspace: "acme",
  name: "shop",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "dev",
  environments: {
    dev: { provider: "local" },
    staging: { provider: "local" },
  },
})
`

/** The default project with a `production` environment on Cloudflare (an emulator's account, in tests). */
export function cloudflareConfig(accountId: string): string {
  return `import { project } from "@layeron/core"
export default project({
  workspace: "acme",
  name: "shop",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "dev",
  environments: {
    dev: { provider: "local" },
    production: { provider: "cloudflare", accountId: "${accountId}" },
  },
})
`
}

/** Declares one secret of each kind, an adopted name and one in the default namespace. */
export const DEFAULT_API = `import { env } from "cloudflare:workers"
import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
export const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
export const signingKey = secret.generated({ name: "signing-key", namespace: "auth", bytes: 16 })
export const stripe = secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" })
export const webhookKey = secret.static({ name: "webhook-key" })
app.use(sessionKey)
app.use(signingKey)
app.use(stripe)
app.use(webhookKey)
app.get("/", (c) => c.text(typeof env))
export default app
`

export const DEFAULT_FILES: Readonly<Record<string, string>> = {
  "package.json": `${JSON.stringify({ name: "e2e-shop", private: true, type: "module" }, null, 2)}\n`,
  "layeron.config.ts": DEFAULT_CONFIG,
  "src/api.ts": DEFAULT_API,
}

export interface LayerRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface LayerOptions {
  /** Written to stdin, then closed; without it stdin is an empty pipe (not a TTY). */
  input?: string | Buffer
  /** Extra environment variables (undefined removes one). */
  env?: Record<string, string | undefined>
  /** Defaults to the project root. */
  cwd?: string
  uid?: number
  gid?: number
}

export interface TestProject {
  /** Holds the project and the user's home. */
  base: string
  root: string
  /** LAYERON_HOME (not created in advance: the CLI must create it 0700). */
  home: string
  /** The environment the CLI runs with: PATH, HOME and LAYERON_HOME only, plus extras. */
  env(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv
  layer(args: readonly string[], options?: LayerOptions): Promise<LayerRun>
  write(path: string, content: string): Promise<void>
  /** sha256 of every file under <root>/.layeron and LAYERON_HOME, by path. */
  snapshot(): Promise<Map<string, string>>
  /** Files under the project (node_modules excluded) and LAYERON_HOME whose bytes contain `needle`. */
  filesContaining(needle: string): Promise<string[]>
  cleanup(): Promise<void>
}

export async function createProject(files: Readonly<Record<string, string | null>> = {}): Promise<TestProject> {
  const paths = await layTempProject("layeron-e2e-", { ...DEFAULT_FILES, ...files })
  const { base, root, home } = paths
  const env = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => cleanEnv(paths, extra)

  return {
    base,
    root,
    home,
    env,
    layer: (args, options = {}) => runLayer(args, { ...options, cwd: options.cwd ?? root, env: env(options.env) }),
    async write(path, content) {
      await mkdir(dirname(join(root, path)), { recursive: true })
      await writeFile(join(root, path), content)
    },
    async snapshot() {
      const hashes = new Map<string, string>()
      for (const dir of [join(root, ".layeron"), home]) {
        for (const file of await listFiles(dir)) hashes.set(relative(base, file), sha256(await readFile(file)))
      }
      return hashes
    },
    async filesContaining(needle) {
      const bytes = Buffer.from(needle, "utf8")
      const found: string[] = []
      for (const dir of [root, join(base, "home")]) {
        for (const file of await listFiles(dir)) {
          if ((await readFile(file)).includes(bytes)) found.push(relative(base, file))
        }
      }
      return found
    },
    async cleanup() {
      await chmod(base, 0o700).catch(() => {})
      await rm(base, { recursive: true, force: true })
    },
  }
}

/** Spawn the built CLI; resolves when it exits (killed after 60 s, so a hang fails the test). */
export function runLayer(args: readonly string[], options: LayerOptions & { cwd: string; env: NodeJS.ProcessEnv }): Promise<LayerRun> {
  return runProcess(process.execPath, [LAYER_BIN, ...args], options)
}

/** Parse a run's stdout as its one JSON document. */
export function jsonOf<T = Record<string, unknown>>(run: LayerRun): T {
  try {
    return JSON.parse(run.stdout) as T
  } catch {
    throw new Error(`stdout is not one JSON document:\n${run.stdout}\n--- stderr:\n${run.stderr}`)
  }
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex")
}

/** Every regular file under `dir`, not following symlinks (node_modules is one). */
export async function listFiles(dir: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
    throw error
  }
  const files: string[] = []
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files.push(...(await listFiles(path)))
    else if (entry.isFile()) files.push(path)
  }
  return files.sort()
}

export async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o777
}
