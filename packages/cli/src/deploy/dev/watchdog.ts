/**
 * workerd must not outlive `layer dev`. miniflare kills it from an `exit` hook, which runs on
 * a normal exit and an uncaught error, but not on SIGKILL or on a signal Node does not handle
 * (SIGHUP when the terminal closes), and then workerd keeps serving, reparented to init.
 *
 * Two layers:
 * - On Linux with util-linux's `setpriv`, workerd is started through workerd-guard.sh, which
 *   sets the kernel's parent-death signal (PR_SET_PDEATHSIG = SIGKILL) and becomes workerd:
 *   the kernel kills it the moment the CLI dies, whatever killed the CLI.
 * - Everywhere, each session records its pid and its workerd pids in LAYERON_HOME/dev/; the
 *   next `layer dev` kills the workerd of sessions whose CLI is gone and removes the record.
 *   miniflare's own temp directory (its cache, no values) is created inside a session
 *   directory `<tmp>/layeron-dev-<pid>-…`, removed with the session, or by the next start
 *   once that pid is gone. That sweep also removes the `layeron-dev-*` directories where
 *   earlier versions kept plaintext values (they are written no more).
 */
import { execFileSync } from "node:child_process"
import { constants, accessSync, readFileSync, readdirSync, rmSync } from "node:fs"
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { isProcessAlive } from "../../fs/lock.js"
import { assertSafePath, makeDirectory, readGuardedText } from "../../fs/safe-path.js"
import { packageFile } from "../../package-root.js"

const GUARD = packageFile("src/deploy/dev/workerd-guard.sh")

/** Sets miniflare's workerd command to the guard when it can work here; returns whether it does. */
export function guardWorkerd(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== "linux" || !executable(GUARD) || !onPath("setpriv", env)) return false
  if (env.MINIFLARE_WORKERD_PATH === GUARD) return true
  env.LAYERON_WORKERD = env.MINIFLARE_WORKERD_PATH ?? workerdBinary()
  env.MINIFLARE_WORKERD_PATH = GUARD
  return true
}

function workerdBinary(): string {
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve("miniflare"))
  return (fromMiniflare("workerd") as { default: string }).default
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? "").split(":").some((dir) => dir !== "" && executable(join(dir, command)))
}

/** The workerd processes this CLI started (its children named workerd). */
export function workerdChildren(pid = process.pid): number[] {
  if (process.platform === "linux") {
    const children: number[] = []
    for (const task of safeReaddir(`/proc/${pid}/task`)) {
      for (const child of safeRead(`/proc/${pid}/task/${task}/children`).split(/\s+/).filter(Boolean)) children.push(Number(child))
    }
    return children.filter(isWorkerd)
  }
  try {
    return execFileSync("ps", ["-A", "-o", "pid=,ppid=,comm="], { encoding: "utf8" })
      .split("\n")
      .map((row) => row.trim().split(/\s+/))
      .filter(([, ppid, comm]) => Number(ppid) === pid && /workerd/.test(comm ?? ""))
      .map(([child]) => Number(child))
  } catch {
    return []
  }
}

function isWorkerd(pid: number): boolean {
  if (process.platform === "linux") return /workerd/.test(safeRead(`/proc/${pid}/cmdline`).split("\0")[0] ?? "")
  try {
    return /workerd/.test(execFileSync("ps", ["-p", String(pid), "-o", "comm="], { encoding: "utf8" }))
  } catch {
    return false
  }
}

/** Alive and not a zombie (a zombie has closed its sockets; PID 1 in a container may never reap it). */
function running(pid: number): boolean {
  if (process.platform !== "linux") return isProcessAlive(pid)
  const stat = safeRead(`/proc/${pid}/stat`)
  return stat !== "" && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
}

interface SessionRecord {
  pid: number
  workerd: number[]
}

/** This session's record, rewritten after each workerd (re)start; removed at the end. */
export class SessionRecordFile {
  readonly path: string
  constructor(home: string) {
    this.path = join(home, "dev", `${process.pid}.json`)
  }
  async write(workerd: number[]): Promise<void> {
    await makeDirectory(join(this.path, ".."), 0o700)
    const record: SessionRecord = { pid: process.pid, workerd }
    await assertSafePath(this.path)
    await writeFile(this.path, `${JSON.stringify(record)}\n`, { mode: 0o600 })
  }
  async remove(): Promise<void> {
    await rm(this.path, { force: true })
  }
}

/** This session's temp directory (mode 0700), which holds miniflare's. */
export async function sessionTempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), `layeron-dev-${process.pid}-`))
}

/**
 * Runs `create` (the Miniflare constructor, which names its temp directory from os.tmpdir())
 * with TMPDIR set to `dir`, so that directory is inside this session's.
 */
export function withTempDir<T>(dir: string, create: () => T): T {
  const saved = process.env.TMPDIR
  process.env.TMPDIR = dir
  try {
    return create()
  } finally {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  }
}

/** On an exit without stop() (an uncaught error), still removes these; the sweep is for what even this misses. */
export function removeOnExit(paths: readonly string[]): () => void {
  const remove = () => {
    for (const path of paths) rmSync(path, { recursive: true, force: true })
  }
  process.once("exit", remove)
  return () => process.removeListener("exit", remove)
}

/** Kills what dead sessions left running and removes their leftovers; returns what it did, for one line. */
export async function sweepDeadSessions(home: string): Promise<string[]> {
  const swept: string[] = []
  const dir = join(home, "dev")
  await assertSafePath(dir)
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (!/^\d+\.json$/.test(entry)) continue
    let record: SessionRecord
    try {
      record = JSON.parse(await readGuardedText(join(dir, entry))) as SessionRecord
    } catch {
      await rm(join(dir, entry), { force: true })
      continue
    }
    if (record.pid === process.pid || isProcessAlive(record.pid)) continue
    for (const pid of record.workerd ?? []) {
      if (!Number.isInteger(pid) || pid <= 1 || !running(pid) || !isWorkerd(pid)) continue
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        continue // Gone meanwhile, or not ours.
      }
      // Its port is free only once it is gone.
      await until(() => !running(pid), 3_000)
      swept.push(`workerd (pid ${pid}) left by layer dev pid ${record.pid}`)
    }
    await rm(join(dir, entry), { force: true })
  }
  const uid = process.getuid?.()
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    if (!entry.startsWith("layeron-dev-")) continue
    const path = join(tmpdir(), entry)
    const info = await stat(path).catch(() => undefined)
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue
    // `layeron-dev-<pid>-…` is this version's session directory; a bare `layeron-dev-…` an earlier version's store copy.
    const owner = /^layeron-dev-(\d+)-/.exec(entry)?.[1]
    if (owner !== undefined && (Number(owner) === process.pid || isProcessAlive(Number(owner)))) continue
    await rm(path, { recursive: true, force: true })
    if (owner === undefined) swept.push(`${path} (a copy of the secrets in plain text left by an earlier version of layer dev)`)
  }
  return swept
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return ""
  }
}
