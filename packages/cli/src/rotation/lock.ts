/**
 * One lock per environment, so two writers never interleave a read of state with a write of
 * it. The lock is a file created with O_EXCL that names its owner; a lock whose process is
 * gone (same host) is taken over, so a killed run never blocks the next one forever.
 */
import { open, readFile, rm, mkdir, stat } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname } from "node:path"
import { LayerError } from "../errors.js"
import { lockPath } from "./paths.js"

interface LockOwner {
  pid: number
  host: string
  command: string
  since: string
}

export interface LockOptions {
  /** How long to wait for another holder before refusing. */
  waitMs?: number
  pollMs?: number
}

export async function withEnvironmentLock<T>(projectRoot: string, environment: string, command: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const path = lockPath(projectRoot, environment)
  await mkdir(dirname(path), { recursive: true })
  const waitMs = options.waitMs ?? Number(process.env.LAYERON_LOCK_WAIT_MS ?? 5000)
  const pollMs = options.pollMs ?? 100
  const deadline = Date.now() + waitMs
  for (;;) {
    if (await tryAcquire(path, command)) break
    const owner = await readOwner(path)
    if (owner ? isStale(owner) : await isAbandonedEmpty(path)) {
      await rm(path, { force: true })
      continue
    }
    if (Date.now() >= deadline) {
      const who = owner ? `process ${owner.pid} (${owner.command}, since ${owner.since})` : "another process"
      throw new LayerError("environment_locked", `environment "${environment}" is locked by ${who}`, {
        hint: `wait for it to finish and run the command again; if no such process exists, remove ${path}`,
        details: { lock: path },
      })
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  try {
    return await fn()
  } finally {
    await rm(path, { force: true })
  }
}

async function tryAcquire(path: string, command: string): Promise<boolean> {
  try {
    const handle = await open(path, "wx", 0o644)
    const owner: LockOwner = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() }
    await handle.writeFile(JSON.stringify(owner))
    await handle.sync()
    await handle.close()
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false
    throw error
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as LockOwner
  } catch {
    // Mid-write by its creator, or just removed: treat as held and look again next poll.
    return undefined
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH"
  }
}

/** A lock file left empty by a process killed between creating and writing it. */
async function isAbandonedEmpty(path: string): Promise<boolean> {
  try {
    const info = await stat(path)
    return info.size === 0 && Date.now() - info.mtimeMs > 2000
  } catch {
    return false
  }
}
