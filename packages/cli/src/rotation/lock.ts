/**
 * One lock per environment, so two writers (`secret set`, `secret rotate --apply`, deploy)
 * never interleave a read of the rotation state with a write of it. The file lock itself
 * (O_EXCL file naming its owner, takeover of a lock whose process is gone, a breaker so two
 * waiters cannot both take over) is fs/lock.ts; this names the lock and what it guards.
 */
import { mkdir } from "node:fs/promises"
import { dirname } from "node:path"
import { LayerError } from "../errors.js"
import { withFileLock } from "../fs/lock.js"
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
  return withFileLock(path, fn, {
    describe: `environment "${environment}" (its secrets and rotation state)`,
    timeoutMs: options.waitMs ?? lockWaitFromEnv(process.env) ?? DEFAULT_LOCK_WAIT_MS,
    holder: command,
    timeoutCode: "environment_locked",
  })
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

/**
 * mkdir -p, reporting the real cause: Node's recursive mkdir answers ENOENT on a read-only
 * file system (or a full one) where the last step fails, so that step is retried alone.
 */
async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
    await mkdir(path)
  }
}
