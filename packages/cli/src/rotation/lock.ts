/**
 * One lock per environment, so two writers (`secret set`, `secret rotate --apply`, deploy)
 * never interleave a read of the rotation state with a write of it. The file lock itself
 * (O_EXCL file naming its owner, takeover of a lock whose process is gone, a breaker so two
 * waiters cannot both take over) is fs/lock.ts; this names the lock and what it guards.
 */
import { dirname } from "node:path"
import { LayerError } from "../errors.js"
import { withFileLock } from "../fs/lock.js"
import { makeDirectory } from "../fs/safe-path.js"
import { lockPath } from "./paths.js"

/** How long a second writer waits for the first before refusing, by default. */
export const DEFAULT_LOCK_WAIT_MS = 10_000

export interface LockOptions {
  /** How long to wait for another holder before refusing (default LAYERON_LOCK_WAIT_MS, else 10 s). */
  waitMs?: number
}

export async function withEnvironmentLock<T>(projectRoot: string, environment: string, command: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const path = lockPath(projectRoot, environment)
  await makeDirectory(dirname(path))
  const held = async () => {
    heldLocks.add(path)
    try {
      return await fn()
    } finally {
      heldLocks.delete(path)
    }
  }
  return withFileLock(path, held, {
    describe: `environment "${environment}" (its secrets and rotation state)`,
    timeoutMs: options.waitMs ?? lockWaitFromEnv(process.env) ?? DEFAULT_LOCK_WAIT_MS,
    holder: command,
    timeoutCode: "environment_locked",
  })
}

/** The environment locks this process holds now. */
const heldLocks = new Set<string>()

/**
 * Whether this process holds the environment's lock: a reader that settles a write-ahead
 * intent may persist the settled file only then (another holder's intent may be in flight).
 */
export function holdsEnvironmentLock(projectRoot: string, environment: string): boolean {
  return heldLocks.has(lockPath(projectRoot, environment))
}

/** LAYERON_LOCK_WAIT_MS: how long a command waits for the environment lock; undefined means the default. */
export function lockWaitFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.LAYERON_LOCK_WAIT_MS
  if (raw === undefined || raw === "") return undefined
  const ms = Number(raw)
  if (!Number.isInteger(ms) || ms < 0) {
    throw new LayerError("invalid_setting", `LAYERON_LOCK_WAIT_MS must be a whole number of milliseconds (0 or more); got ${JSON.stringify(raw)}`, {
      hint: `unset it to wait the default ${DEFAULT_LOCK_WAIT_MS / 1000} s`,
    })
  }
  return ms
}
