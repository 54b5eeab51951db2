/**
 * Child processes for tests: one way to spawn a program, collect its output and wait for it,
 * with a hard timeout so that a hang fails the test instead of stalling the run. The built
 * CLI, `layer dev` and `sh -c` wrappers all go through here.
 */
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"

export interface ProcessRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface SpawnOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  /** Written to stdin, then closed; without it stdin is an empty pipe (not a TTY). */
  input?: string | Buffer
  uid?: number
  gid?: number
  /** SIGKILL after this long (default 60 s). */
  timeoutMs?: number
}

export interface Spawned {
  child: ChildProcess
  /** Output so far (for processes that keep running, such as `layer dev`). */
  stdout(): string
  stderr(): string
  /** Resolves once the process has exited and its pipes have closed. */
  done: Promise<ProcessRun>
}

export function spawnProcess(file: string, args: readonly string[], options: SpawnOptions): Spawned {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk))
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk))
  const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8")
  const done = new Promise<ProcessRun>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: text(stdout), stderr: text(stderr) })
    })
  })
  child.stdin!.on("error", () => {}) // the process may exit before reading its input
  child.stdin!.end(options.input ?? "")
  return { child, stdout: () => text(stdout), stderr: () => text(stderr), done }
}

/** Spawn and wait. */
export function runProcess(file: string, args: readonly string[], options: SpawnOptions): Promise<ProcessRun> {
  return spawnProcess(file, args, options).done
}
