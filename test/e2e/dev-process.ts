/**
 * A running `layer dev` for the dev e2e tests: the built CLI spawned in a temp project, its
 * output collected, with polling helpers (a condition and a deadline, never a fixed sleep)
 * and the checks of "nothing left behind": its workerd processes, its port, its files. Ports
 * come from dev itself (`--port 0`, read back with `urls`) or from withDevOnFreePort.
 */
import type { ChildProcess } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { mkdir, readdir, readFile } from "node:fs/promises"
import { createServer } from "node:net"
import { join } from "node:path"
import { LAYER_BIN, listFiles } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { PORT_IN_USE } from "../helpers/dev.js"
import { PortTaken, withFreePort } from "../helpers/ports.js"
import { spawnProcess } from "../helpers/processes.js"

export interface DevProcess {
  child: ChildProcess
  stdout(): string
  stderr(): string
  exited: Promise<number | null>
  /** The temp directory the CLI runs with (TMPDIR), inside the test's base directory. */
  tmp: string
}

export interface DevOptions {
  /** Node options before the CLI's path, such as `--import` of a test hook. */
  nodeArgs?: string[]
  args?: string[]
  /** Extra environment variables for the CLI. */
  env?: Record<string, string | undefined>
  /** SIGKILL after this long (default 120 s): a run meant to last longer (the soak) must say so. */
  timeoutMs?: number
}

/** `layer dev --port PORT` (0: any free port, read back with `urls`), through the launcher as `npx layer` runs it. */
export async function startDev(project: TestProject, port: number, options: DevOptions = {}): Promise<DevProcess> {
  const tmp = join(project.base, "tmp")
  await mkdir(tmp, { recursive: true })
  const spawned = spawnProcess(process.execPath, [...(options.nodeArgs ?? []), LAYER_BIN, "dev", "--port", String(port), ...(options.args ?? [])], {
    cwd: project.root,
    env: project.env({ TMPDIR: tmp, ...options.env }),
    timeoutMs: options.timeoutMs ?? 120_000,
  })
  return { child: spawned.child, stdout: spawned.stdout, stderr: spawned.stderr, exited: spawned.done.then((run) => run.code), tmp }
}

/**
 * For the tests that must know dev's port before it starts (to poll from the instant of spawn,
 * or to start again on the same port): `body` runs with a dev started on a port that was free a
 * moment ago; if dev found the port taken by then (it exits with port_in_use), all again on
 * another port.
 */
export async function withDevOnFreePort<T>(project: TestProject, options: DevOptions, body: (dev: DevProcess, port: number) => Promise<T>): Promise<T> {
  return withFreePort(async (port) => {
    const dev = await startDev(project, port, options)
    try {
      return await body(dev, port)
    } catch (error) {
      const ended = await Promise.race([dev.exited.then(() => true), Promise.resolve(false)])
      if (ended && PORT_IN_USE.test(dev.stderr())) throw new PortTaken(port)
      throw error
    }
  })
}

/** How a process that is no longer running ended, for a timeout's message (a dead dev sees no change). */
function ended(child: ChildProcess | undefined): string {
  if (!child || (child.exitCode === null && child.signalCode === null)) return ""
  return ` (layer dev is no longer running: ${child.signalCode ? `killed by ${child.signalCode}` : `exit code ${child.exitCode}`})`
}

/** Polls `probe` (every 100 ms) until it returns a value; the failure shows dev's stderr. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, dev: { stderr(): string; child?: ChildProcess }, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${ended(dev.child)}\n--- stderr:\n${dev.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function get(port: number | string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const base = typeof port === "number" ? `http://127.0.0.1:${port}` : port
  const response = await fetch(`${base}${path}`)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** The URLs dev printed, by backend, once it printed `count` of them. */
export async function urls(dev: DevProcess, count = 1): Promise<Map<string, string>> {
  return await until(
    `${count} URL line(s)`,
    async () => {
      const found = new Map([...dev.stderr().matchAll(/backend "([^"]+)" on (http:\/\/127\.0\.0\.1:\d+)/g)].map((match) => [match[1] ?? "", match[2] ?? ""]))
      return found.size >= count ? found : undefined
    },
    dev,
    90_000,
  )
}

/** What dev (and miniflare inside it) keep in the temp directory; tsx's compile cache is not theirs. */
export async function devTempEntries(dev: DevProcess): Promise<string[]> {
  return (await readdir(dev.tmp)).filter((entry) => entry.startsWith("layeron-dev-") || entry.startsWith("miniflare-"))
}

/** workerd processes whose parent is `pid` (Linux /proc). */
export function workerdChildrenOf(pid: number): number[] {
  const children: number[] = []
  for (const task of list(`/proc/${pid}/task`)) {
    for (const child of read(`/proc/${pid}/task/${task}/children`).split(/\s+/).filter(Boolean)) children.push(Number(child))
  }
  return children.filter((child) => /workerd/.test(read(`/proc/${child}/cmdline`).split("\0")[0] ?? ""))
}

/** Alive, and not a zombie waiting for a reaper (PID 1 in a container may not reap). */
export function isRunning(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`)
  if (stat === "") return false
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z"
}

export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer()
  return await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false))
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/** Files under the CLI's temp directory, the project and LAYERON_HOME whose bytes contain `needle`. */
export async function leftoversContaining(project: TestProject, dev: DevProcess, needle: string): Promise<string[]> {
  const found = await project.filesContaining(needle)
  for (const file of await listFiles(dev.tmp)) if ((await readFile(file).catch(() => Buffer.alloc(0))).includes(Buffer.from(needle))) found.push(file)
  return found
}

function list(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return ""
  }
}
