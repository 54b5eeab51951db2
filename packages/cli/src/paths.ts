/**
 * Where things live. LAYERON_HOME holds what belongs to the user rather than the project
 * (the local store's key, the fingerprint key, file-stored credentials, caches); the
 * project's `.layeron/` holds what the team shares or what belongs to one checkout.
 */
import { chmod, mkdir, stat } from "./fs/io.js"
import { homedir } from "node:os"
import { join } from "node:path"
import { assertSafePath, guardTree } from "./fs/safe-path.js"

export interface HomeLookup {
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  homedir?: string
}

/**
 * LAYERON_HOME if set; otherwise the platform's per-user config directory with `layeron`
 * in it: `$XDG_CONFIG_HOME` or `~/.config` on Linux and BSDs,
 * `~/Library/Application Support` on macOS, `%APPDATA%` on Windows.
 */
export function layeronHome(lookup: HomeLookup = {}): string {
  const env = lookup.env ?? process.env
  const platform = lookup.platform ?? process.platform
  const home = lookup.homedir ?? homedir()
  const path = env.LAYERON_HOME ? env.LAYERON_HOME : platformHome(env, platform, home)
  // Every read and write under it goes through fs/safe-path.ts: no links, owned by this user.
  guardTree(path, "home")
  return path
}

function platformHome(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "layeron")
  if (platform === "darwin") return join(home, "Library", "Application Support", "layeron")
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "layeron")
}

/** Create LAYERON_HOME (0700) if needed, tighten it if others can read it, and return its path. */
export async function ensureLayeronHome(lookup: HomeLookup = {}): Promise<string> {
  const home = layeronHome(lookup)
  await ensurePrivateDirectory(home)
  return home
}

/** A directory only its owner may enter: created 0700, or narrowed to 0700 if group/other had access. */
export async function ensurePrivateDirectory(path: string): Promise<void> {
  await assertSafePath(path)
  await mkdir(path, { recursive: true, mode: 0o700 })
  if (process.platform === "win32") return
  const { mode } = await stat(path)
  if ((mode & 0o077) !== 0) await chmod(path, 0o700)
}

/** The project's own folder. */
export function projectStateDir(projectRoot: string): string {
  const path = join(projectRoot, ".layeron")
  // Committed state is input: every read and write under it goes through fs/safe-path.ts.
  guardTree(path, "project")
  return path
}

/** The local provider's store for one environment: `.layeron/local/<env>/`. */
export function localStoreDir(projectRoot: string, environment: string): string {
  return join(projectStateDir(projectRoot), "local", environment)
}

/**
 * The rotation state of one environment. A shared (Cloudflare) environment's is
 * `.layeron/secret-rotation/<env>/`, committed so that any checkout can rotate; a local
 * environment belongs to one developer, so its state stays with its local store, in
 * `.layeron/local/<env>/rotation/` (ignored by git), where nothing a teammate commits can reach it.
 */
export function rotationStateDir(projectRoot: string, environment: string): string {
  return isLocalEnvironment(projectRoot, environment) ? localRotationStateDir(projectRoot, environment) : sharedRotationStateDir(projectRoot, environment)
}

/** `.layeron/secret-rotation/<env>/`: the committed state of a shared environment. */
export function sharedRotationStateDir(projectRoot: string, environment: string): string {
  return join(projectStateDir(projectRoot), "secret-rotation", environment)
}

/** `.layeron/local/<env>/rotation/`: a local environment's state, next to its store. */
export function localRotationStateDir(projectRoot: string, environment: string): string {
  return join(localStoreDir(projectRoot, environment), "rotation")
}

/**
 * Which environments of a project use the local provider, as its loaded config says
 * (config/load.ts records them on every load). Kept here rather than passed to every reader
 * and writer of rotation state, which all name an environment by project root and name.
 */
const localEnvironments = new Map<string, ReadonlySet<string>>()

export function recordLocalEnvironments(projectRoot: string, environments: Iterable<string>): void {
  localEnvironments.set(projectRoot, new Set(environments))
}

export function isLocalEnvironment(projectRoot: string, environment: string): boolean {
  return localEnvironments.get(projectRoot)?.has(environment) ?? false
}

/** The per-user key that encrypts every local store (never inside a project). */
export function localStoreKeyPath(home: string): string {
  return join(home, "local-store.key")
}

/** The per-user key that makes value fingerprints unguessable offline. */
export function fingerprintKeyPath(home: string): string {
  return join(home, "fingerprint.key")
}
