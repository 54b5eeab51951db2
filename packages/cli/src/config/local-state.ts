/**
 * Local environments belong to one developer: their rotation state lives with their local
 * store (`.layeron/local/<env>/rotation/`, ignored by git), not in the committed
 * `.layeron/secret-rotation/<env>/`. Every load records which environments are local (so
 * paths.ts resolves their state there), and moves a state committed by an older version of
 * the CLI, once, when it is this checkout's own.
 *
 * "Its own" means the local store holds the sealing key that the state's public key names:
 * then the state was written here, next to these values. A committed local state without
 * that (a teammate's, pulled into a fresh clone) is someone else's: it is left where it is,
 * untouched, and never read, so it cannot block this developer's own dev environment.
 */
import { mkdir, readdir, rename, rmdir } from "node:fs/promises"
import { join, relative } from "node:path"
import { physicalName } from "@layeron/modules/naming"
import { sealingKeyDeclaration } from "@layeron/modules/naming"
import { readTextIfExists } from "../fs/read-if-exists.js"
import { localRotationStateDir, localStoreDir, recordLocalEnvironments, sharedRotationStateDir } from "../paths.js"
import type { ProjectConfig } from "./types.js"

export interface LocalStateOptions {
  root: string
  config: ProjectConfig
  /** The environment the command runs in: only its state is moved. */
  environment: string
  /** Says once that the state moved (stderr). Without it (`layer dev`, which never reads the state) nothing moves. */
  warn?: (message: string) => void
  debug: (message: string) => void
}

export async function settleLocalStateLocations(options: LocalStateOptions): Promise<void> {
  const { root, config, environment } = options
  recordLocalEnvironments(root, Object.entries(config.environments).filter(([, env]) => env.provider === "local").map(([name]) => name))
  const warn = options.warn
  if (config.environments[environment]?.provider !== "local" || !warn) return
  const from = sharedRotationStateDir(root, environment)
  const to = localRotationStateDir(root, environment)
  const present = new Set(await listDir(to))
  const moving = (await listDir(from)).filter((entry) => !present.has(entry))
  if (moving.length === 0) return
  const sealingKey = await physicalName({ workspace: config.workspace, project: config.name, environment, namespace: sealingKeyDeclaration.namespace, name: sealingKeyDeclaration.name })
  // The public key names the pair; after a move killed halfway it may already be in `to`.
  if (!(await ownState(root, environment, present.has("public-key.json") ? to : from, sealingKey))) {
    options.debug(`ignoring ${relative(root, from)}/: committed state of the local environment "${environment}" whose sealing key is not in this checkout's local store (another developer's)`)
    return
  }
  await mkdir(to, { recursive: true, mode: 0o700 })
  // One rename per file, each atomic: a run killed halfway leaves the rest, which the next run
  // moves. A file already in the new place is this checkout's newer copy and is kept.
  for (const entry of moving) await rename(join(from, entry), join(to, entry))
  await rmdir(from).catch(() => {})
  const shown = relative(root, from)
  warn(
    `moved the rotation state of local environment "${environment}" from ${shown}/ to ${relative(root, to)}/: local environments belong to each developer, ` +
      `so their state now stays with the local store and is no longer committed (values and history are unchanged). ` +
      `Commit the removal: git rm -r --cached --quiet ${shown} && git commit -m "layeron: local environment state is per developer"`,
  )
}

async function ownState(root: string, environment: string, dir: string, sealingKey: string): Promise<boolean> {
  const publicKey = await readTextIfExists(join(dir, "public-key.json")).catch(() => undefined)
  let named: unknown
  try {
    named = publicKey === undefined ? undefined : (JSON.parse(publicKey) as { physicalName?: unknown }).physicalName
  } catch {
    return false
  }
  if (named !== sealingKey) return false
  return (await readTextIfExists(join(localStoreDir(root, environment), `${sealingKey}.json`)).catch(() => undefined)) !== undefined
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return []
    throw error
  }
}
