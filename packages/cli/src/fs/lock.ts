/**
 * A small cross-process lock: a file created with O_EXCL. Used where a read-modify-write
 * must not interleave with another `layer` process (the local store's metadata, the
 * rotation state of an environment).
 *
 * A lock left behind by a crashed process is stale when its holder is gone: on the same
 * host, the recorded pid no longer runs; from another host (a shared folder), it is older
 * than `staleMs`. Breaking a stale lock goes through a second, short-lived "breaker" lock
 * so that two waiters cannot both break it and then both believe they hold it.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import { readFile, stat, unlink } from "./io.js"
import { LayerError } from "../errors.js"
import { createExclusive } from "./create-exclusive.js"

export interface LockOptions {
  /** Says what the lock protects, for the error message: `the local store of "dev"`. */
  describe: string
  /** Give up waiting after this long (default 15 s). */
  timeoutMs?: number
  /** A lock from another host counts as abandoned after this long (default 60 s). */
  staleMs?: number
  /** What the holder is doing (`layer secret rotate --apply`), recorded so a waiter can say who holds it. */
  holder?: string
  /** The LayerError code when waiting times out (default `lock_timeout`). */
  timeoutCode?: string
}

interface LockOwner {
  pid: number
  host: string
  token: string
  createdAt: string
  command?: string
}

const BREAKER_STALE_MS = 5_000

/**
 * The locks held by the calls above this one in the same async flow. A holder may take its
 * own lock again (an import holds the store for its whole batch while each write inside it
 * locks as usual); any other caller, in this process or another, still waits.
 */
const held = new AsyncLocalStorage<ReadonlySet<string>>()

/** Run `fn` while holding the lock file at `lockPath`; the lock is released however `fn` ends. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const outer = held.getStore()
  if (outer?.has(lockPath)) return fn()
  const owner = await acquire(lockPath, options)
  try {
    return await held.run(new Set([...(outer ?? []), lockPath]), fn)
  } finally {
    await release(lockPath, owner)
  }
}

async function acquire(lockPath: string, options: LockOptions): Promise<LockOwner> {
  const timeoutMs = options.timeoutMs ?? 15_000
  const staleMs = options.staleMs ?? 60_000
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString("hex"),
    createdAt: new Date().toISOString(),
    ...(options.holder ? { command: options.holder } : {}),
  }
  const deadline = Date.now() + timeoutMs
  let delay = 5
  for (;;) {
    if (await tryCreate(lockPath, JSON.stringify(owner))) return owner
    const holder = await readOwner(lockPath)
    if (holder !== "gone" && (await isStale(lockPath, holder, staleMs))) {
      await breakStaleLock(lockPath, holder)
      continue
    }
    if (holder === "gone") continue
    if (Date.now() >= deadline) {
      const doing = holder?.command ? `: ${holder.command}` : ""
      const who = holder ? ` (held by pid ${holder.pid} on ${holder.host} since ${holder.createdAt}${doing})` : ""
      throw new LayerError(options.timeoutCode ?? "lock_timeout", `another layer process is using ${options.describe}${who}`, {
        hint: `wait for it to finish and retry; if no layer process is running, delete ${lockPath}`,
      })
    }
    await sleep(delay + Math.random() * delay)
    delay = Math.min(delay * 2, 100)
  }
}

async function release(lockPath: string, owner: LockOwner): Promise<void> {
  const holder = await readOwner(lockPath)
  // Only remove our own lock: if it was (wrongly) broken and re-taken, leave the new one.
  if (holder && holder !== "gone" && holder.token === owner.token) await unlink(lockPath).catch(() => {})
}

function tryCreate(path: string, content: string): Promise<boolean> {
  return createExclusive(path, content, 0o600)
}

/** The recorded holder; null when the file exists but is not readable JSON yet; "gone" when it vanished. */
async function readOwner(path: string): Promise<LockOwner | null | "gone"> {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone"
    throw error
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>
    if (typeof parsed.pid === "number" && typeof parsed.host === "string" && typeof parsed.token === "string") return parsed as LockOwner
  } catch {
    // Written between open and write, or truncated by a crash: judged by age below.
  }
  return null
}

async function isStale(path: string, holder: LockOwner | null, staleMs: number): Promise<boolean> {
  if (holder && holder.host === hostname()) return !isProcessAlive(holder.pid)
  const age = await ageMs(path)
  if (age === undefined) return false
  // An unreadable lock is a crash between create and write: give the writer a moment.
  return age > (holder ? staleMs : 2_000)
}

async function breakStaleLock(lockPath: string, seen: LockOwner | null): Promise<void> {
  const breaker = `${lockPath}.break`
  if (!(await tryCreate(breaker, String(process.pid)))) {
    const age = await ageMs(breaker)
    if (age !== undefined && age > BREAKER_STALE_MS) await unlink(breaker).catch(() => {})
    await sleep(5)
    return
  }
  try {
    // Re-check under the breaker: only remove the very lock we judged stale.
    const now = await readOwner(lockPath)
    const same = now === null ? seen === null : now !== "gone" && seen !== null && now.token === seen.token
    if (same) await unlink(lockPath).catch(() => {})
  } finally {
    await unlink(breaker).catch(() => {})
  }
}

async function ageMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs
  } catch {
    return undefined
  }
}

/** Whether a process with this pid exists (signal 0); shared with `layer dev`'s watchdog. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
