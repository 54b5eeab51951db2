/**
 * The project cache. Importing layeron.config.ts and the backend entries through tsx is most
 * of what `layer secret set` and `secret list` cost (~180 ms of ~260 ms, docs/performance.md),
 * yet the result (the config object and the discovered declarations and backends) is plain
 * data that changes only when the code does. So the result is kept in
 * LAYERON_HOME/cache/projects/<hash of the config path>.json (0600, no values: declarations
 * and config only) together with what it was computed from:
 * - size, mtime and ctime of every file the import loaded (node_modules included), plus the
 *   project's package.json and tsconfig.json, present or not (they steer how files compile);
 * - every environment variable the modules read while loading, as HMAC-SHA-256 under the
 *   per-user fingerprint key (never the value itself), or "unset";
 * - the Node version, the working directory, and the CLI's own loading code;
 * - the config file and every backend entry as imported, with the real path each resolved
 *   to (a symlinked source folder pointed elsewhere is a change).
 * Any difference and the project is imported again. Not seen: files a config reads by other
 * means than import (fs.readFileSync) and other outside state; LAYERON_PROJECT_CACHE=off
 * turns the cache off for such projects.
 *
 * A result is saved only after the command succeeds (after-success.ts): a failing command
 * leaves LAYERON_HOME as it was.
 */
import { createHash, createHmac } from "node:crypto"
import { realpath, stat } from "../fs/io.js"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterSuccess } from "../after-success.js"
import { isLayerError } from "../errors.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { loadOrCreateKeyFile } from "../fs/key-file.js"
import { readGuardedFile, readGuardedText } from "../fs/safe-path.js"
import { ensurePrivateDirectory, fingerprintKeyPath } from "../paths.js"
import type { ImportInputs } from "./import-inputs.js"
import type { DiscoveredBackend, DiscoveredDeclaration } from "./types.js"

/** Bump when the stored shape or the meaning of a field changes. */
const FORMAT = 3

export const PROJECT_CACHE_VARIABLE = "LAYERON_PROJECT_CACHE"

/** Longer than a kernel clock tick at HZ=100. */
const RACY_MARGIN_MS = 10

/** What loading produced: the config's default export as imported, and the discovery. */
export interface ProjectLoadResult {
  rawConfig: unknown
  declarations: DiscoveredDeclaration[]
  backends: DiscoveredBackend[]
}

/** [size, mtimeMs, ctimeMs], or null for a file that must stay absent. */
type FileStamp = [number, number, number] | null

interface CacheEntry {
  format: number
  identity: Identity
  files: Record<string, FileStamp>
  /** Variable name → HMAC hex of its value, or null when it was unset. */
  env: Record<string, string | null>
  /**
   * The config file and each backend entry as imported (before symlinks are resolved) → the
   * real path they resolved to. The loaded files above are real paths, so a symlinked source
   * folder switched to another target would otherwise look unchanged.
   */
  links: Record<string, string | null>
  result: ProjectLoadResult
}

interface Identity {
  node: string
  cwd: string
  configFile: string
  /** Stamps of the CLI's own loading modules: a changed CLI must not trust an old entry. */
  loader: Record<string, FileStamp>
}

export interface ProjectCacheOptions {
  configFile: string
  root: string
  home: string
  env: NodeJS.ProcessEnv
  debug: (message: string) => void
}

export function projectCacheEnabled(env: NodeJS.ProcessEnv): boolean {
  const setting = env[PROJECT_CACHE_VARIABLE]?.toLowerCase()
  return setting !== "off" && setting !== "0" && setting !== "false"
}

export function projectCachePath(home: string, configFile: string): string {
  const key = createHash("sha256").update(configFile, "utf8").digest("hex").slice(0, 24)
  return join(home, "cache", "projects", `${key}.json`)
}

/** The cached result if every input is unchanged; undefined (with a debug line why) if not. */
export async function readCachedProject(options: ProjectCacheOptions): Promise<ProjectLoadResult | undefined> {
  const path = projectCachePath(options.home, options.configFile)
  let entry: CacheEntry
  try {
    entry = JSON.parse(await readGuardedText(path)) as CacheEntry
  } catch (error) {
    if (isLayerError(error)) throw error
    const code = (error as NodeJS.ErrnoException).code
    options.debug(`project cache: ${code === "ENOENT" ? "none yet" : `unreadable (${code ?? "not JSON"}), ignored`}`)
    return undefined
  }
  const stale = await staleReason(entry, options)
  if (stale) {
    options.debug(`project cache: ${stale}; importing the project`)
    return undefined
  }
  options.debug(`project cache: config and declarations from ${path} (${Object.keys(entry.files).length} files unchanged)`)
  return entry.result
}

/**
 * Queue the save of a freshly imported result, to run once the command has succeeded.
 * The file stamps are taken now, right after the import, so that an edit made while the
 * command runs is seen as a change next time.
 */
export async function saveProjectAfterSuccess(result: ProjectLoadResult, inputs: ImportInputs, options: ProjectCacheOptions): Promise<void> {
  if (inputs.enumeratedEnv) {
    options.debug("project cache: not saved, the project enumerates process.env while loading")
    return
  }
  if (!isPlainData(result)) {
    options.debug("project cache: not saved, the config or a backend's options hold values that are not plain data")
    return
  }
  // tsx reports loads over a message port: let any last report arrive before stamping.
  await new Promise((resolve) => setImmediate(resolve))
  const files: Record<string, FileStamp> = {}
  for (const file of [...inputs.files, ...projectManifests(options.root)]) files[file] = await stampOf(file)
  // A file written while it was being imported may have been read before the write, yet its
  // stamp is the new one: such a result must not be trusted later. File times come from a
  // coarse kernel clock (up to a tick behind), hence the margin.
  const racy = Object.entries(files).find(([, stamp]) => stamp !== null && Math.max(stamp[1], stamp[2]) >= inputs.startedAt - RACY_MARGIN_MS)
  if (racy) {
    options.debug(`project cache: not saved, ${racy[0]} changed while the project was loading`)
    return
  }
  const identity = await currentIdentity(options)
  const links = await resolvedLinks(importedPaths(options.configFile, result))
  afterSuccess(async () => {
    try {
      const env = await digestEnv(inputs.env, options.home, true)
      const entry: CacheEntry = { format: FORMAT, identity, files, env: env ?? {}, links, result }
      const path = projectCachePath(options.home, options.configFile)
      await ensurePrivateDirectory(options.home)
      await ensurePrivateDirectory(join(options.home, "cache", "projects"))
      await writeFileAtomic(path, `${JSON.stringify(entry)}\n`, 0o600)
      options.debug(`project cache: saved ${path}`)
    } catch (error) {
      options.debug(`project cache: not saved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    }
  })
}

async function staleReason(entry: CacheEntry, options: ProjectCacheOptions): Promise<string | undefined> {
  if (entry?.format !== FORMAT || typeof entry.files !== "object" || typeof entry.env !== "object" || !isResult(entry.result)) {
    return "written by another version of layer"
  }
  const identity = await currentIdentity(options)
  if (entry.identity?.node !== identity.node) return `made with node ${entry.identity?.node}`
  if (entry.identity.cwd !== identity.cwd) return "made from another working directory"
  if (entry.identity.configFile !== identity.configFile) return "made for another config file"
  if (!sameStamps(entry.identity.loader, identity.loader)) return "layer's own loading code changed"
  if (typeof entry.links !== "object" || entry.links === null) return "written by another version of layer"
  const links = await resolvedLinks(Object.keys(entry.links))
  const moved = Object.keys(entry.links).find((path) => links[path] !== entry.links[path])
  if (moved) return `${moved} now resolves to ${links[moved] ?? "nothing"} (a symlink changed)`
  for (const path of importedPaths(options.configFile, entry.result)) if (!Object.hasOwn(entry.links, path)) return `${path} is not covered by the cache`
  const changed = await firstChangedFile(entry.files)
  if (changed) return `${changed} changed`
  const names = Object.keys(entry.env)
  const current = new Map(names.map((name) => [name, options.env[name]]))
  const digests = await digestEnv(current, options.home, false)
  if (digests === undefined) return "the fingerprint key is missing"
  const differs = names.find((name) => digests[name] !== entry.env[name])
  if (differs) return `environment variable ${differs} changed`
  return undefined
}

/** The paths the project is imported by: the config file and each backend entry, unresolved. */
function importedPaths(configFile: string, result: ProjectLoadResult): string[] {
  return [configFile, ...result.backends.map((backend) => backend.file)]
}

async function resolvedLinks(paths: readonly string[]): Promise<Record<string, string | null>> {
  const entries = await Promise.all(paths.map(async (path) => [path, await realpath(path).catch(() => null)] as const))
  return Object.fromEntries(entries)
}

async function firstChangedFile(files: Record<string, FileStamp>): Promise<string | undefined> {
  const paths = Object.keys(files)
  const stamps = await Promise.all(paths.map(stampOf))
  const index = stamps.findIndex((stamp, i) => !sameStamp(stamp, files[paths[i] ?? ""] ?? null))
  return index === -1 ? undefined : paths[index]
}

async function stampOf(path: string): Promise<FileStamp> {
  try {
    const s = await stat(path)
    return [s.size, s.mtimeMs, s.ctimeMs]
  } catch {
    return null
  }
}

function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return a === b
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2]
}

function sameStamps(a: Record<string, FileStamp> | undefined, b: Record<string, FileStamp>): boolean {
  if (typeof a !== "object" || a === null) return false
  const keys = Object.keys(b)
  return Object.keys(a).length === keys.length && keys.every((key) => sameStamp(a[key], b[key]))
}

/** Files that steer how the project's modules compile and resolve, whether present or not. */
function projectManifests(root: string): string[] {
  return [join(root, "package.json"), join(root, "tsconfig.json")]
}

/** The modules whose behaviour the cached result stands for (this folder, in dist or src). */
const LOADER_MODULES = ["load", "discover", "import", "import-inputs", "cache"]

/**
 * The files whose change must invalidate the cache. From src/ or dist/, the loader modules
 * themselves; from the esbuild bundle, the bundle (one file, rewritten by every build).
 */
function loaderFiles(): string[] {
  const here = fileURLToPath(import.meta.url)
  const extension = /\/config\/cache\.(ts|js)$/.exec(here)?.[1]
  if (extension === undefined) return [here]
  return LOADER_MODULES.map((name) => fileURLToPath(new URL(`./${name}.${extension}`, import.meta.url)))
}

async function currentIdentity(options: ProjectCacheOptions): Promise<Identity> {
  const loader: Record<string, FileStamp> = {}
  for (const path of loaderFiles()) loader[path] = await stampOf(path)
  return { node: process.version, cwd: process.cwd(), configFile: options.configFile, loader }
}

/**
 * HMAC of each set variable under the per-user fingerprint key (the value may be a secret:
 * a plain hash of a short one could be reversed offline). Without the key: created when
 * saving, and when reading `undefined` (nothing can match).
 */
async function digestEnv(values: Map<string, string | undefined>, home: string, create: boolean): Promise<Record<string, string | null> | undefined> {
  const digests: Record<string, string | null> = {}
  let key: Buffer | undefined
  for (const [name, value] of [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (value === undefined) {
      digests[name] = null
      continue
    }
    key ??= create ? await loadOrCreateKeyFile(fingerprintKeyPath(home), 32, "the fingerprint key", undefined, "recreate") : await readExistingKey(home)
    if (!key) return undefined
    digests[name] = createHmac("sha256", key).update(JSON.stringify([name, value]), "utf8").digest("hex")
  }
  return digests
}

async function readExistingKey(home: string): Promise<Buffer | undefined> {
  try {
    return await readGuardedFile(fingerprintKeyPath(home))
  } catch (error) {
    if (isLayerError(error)) throw error
    return undefined
  }
}

function isResult(value: unknown): value is ProjectLoadResult {
  const result = value as Partial<ProjectLoadResult> | null
  return typeof result === "object" && result !== null && "rawConfig" in result && Array.isArray(result.declarations) && Array.isArray(result.backends)
}

/**
 * JSON round-trips it unchanged (absent and undefined properties aside): null, booleans,
 * finite numbers, strings, arrays and plain objects of those. Anything else (a function, a
 * Date, a class instance, a getter) would come back different from the cache.
 */
export function isPlainData(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value === "boolean" || typeof value === "string") return true
  if (typeof value === "number") return Number.isFinite(value)
  if (typeof value !== "object" || seen.has(value)) return false
  seen.add(value)
  try {
    if (Array.isArray(value)) return value.every((item) => item !== undefined && isPlainData(item, seen))
    const prototype = Object.getPrototypeOf(value)
    if (prototype !== Object.prototype && prototype !== null) return false
    if (Object.getOwnPropertySymbols(value).length > 0) return false
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value))) {
      if (!("value" in descriptor) || !descriptor.enumerable) return false
      if (descriptor.value !== undefined && !isPlainData((value as Record<string, unknown>)[key], seen)) return false
    }
    return true
  } finally {
    seen.delete(value)
  }
}
