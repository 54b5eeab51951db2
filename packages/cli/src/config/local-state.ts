/**
 * Local environments belong to one developer: their rotation state lives with their local
 * store (`.layeron/local/<env>/rotation/`, ignored by git), not in the committed
 * `.layeron/secret-rotation/<env>/`. Every load records which environments are local (so
 * paths.ts resolves their state there), and moves a state committed by an older version of
 * the CLI, once, when it is this checkout's own.
 *
 * "Its own" means the state's public key is the public half of the sealing key in this
 * developer's local store: then the state was written here, next to these values. A committed local state without
 * that (a teammate's, pulled into a fresh clone) is someone else's: it is left where it is,
 * untouched, and never read, so it cannot block this developer's own dev environment.
 */
import { readdir, rename, rmdir } from "../fs/io.js"
import { join, relative } from "node:path"
import { physicalName, sealingKeyDeclaration } from "@layeron/modules/naming"
import { readTextIfExists } from "../fs/read-if-exists.js"
import { assertSafePath, makeDirectory } from "../fs/safe-path.js"
import { localRotationStateDir, localStoreDir, recordLocalEnvironments, sharedRotationStateDir } from "../paths.js"
import { createLocalProvider } from "../providers/local/index.js"
import type { ProjectConfig } from "./types.js"

export interface LocalStateOptions {
  root: string
  config: ProjectConfig
  /** The environment the command runs in: only its state is moved. */
  environment: string
  /** LAYERON_HOME: the local store's key, to tell this developer's state from another's. */
  home: string
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
  const committed = await listDir(from)
  const moving = committed.filter((entry) => !present.has(entry))
  if (moving.length === 0) return
  const sealingKey = await physicalName({ workspace: config.workspace, project: config.name, environment, namespace: sealingKeyDeclaration.namespace, name: sealingKeyDeclaration.name })
  // The committed public key says whose state it is; after a move killed halfway it is already in `to`.
  if (!(await ownState(root, config, environment, committed.includes("public-key.json") ? from : to, sealingKey, options.home))) {
    options.debug(`ignoring ${relative(root, from)}/: committed state of the local environment "${environment}" whose sealing key is not in this checkout's local store (another developer's)`)
    return
  }
  await makeDirectory(to, 0o700)
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

/**
 * The committed state is this checkout's own when its public key is the public half of the
 * sealing key in this developer's local store: the private JWK, decrypted with the user's
 * key, has the same point. Every developer's dev sealing key has the same physical name, so
 * the name alone proves nothing. Anything unreadable (no key, a lost LAYERON_HOME) is "not own".
 */
async function ownState(root: string, config: ProjectConfig, environment: string, dir: string, sealingKey: string, home: string): Promise<boolean> {
  try {
    const file = JSON.parse((await readTextIfExists(join(dir, "public-key.json"))) ?? "{}") as { physicalName?: unknown; publicKey?: { x?: unknown; y?: unknown } }
    if (file.physicalName !== sealingKey || typeof file.publicKey?.x !== "string") return false
    if ((await readTextIfExists(join(localStoreDir(root, environment), `${sealingKey}.json`))) === undefined) return false
    const store = createLocalProvider({ projectRoot: root, environment, home, owner: { workspace: config.workspace, project: config.name } })
    const plaintext = (await store.decryptAll()).get(sealingKey)?.reveal()
    if (plaintext === undefined) return false
    const privateKey = JSON.parse(plaintext) as { x?: unknown; y?: unknown }
    return privateKey.x === file.publicKey.x && privateKey.y === file.publicKey.y
  } catch {
    return false
  }
}

async function listDir(dir: string): Promise<string[]> {
  await assertSafePath(dir)
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return []
    throw error
  }
}
