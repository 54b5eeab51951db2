/**
 * `layer dev` for tests, started the way a user starts it and handed over once it is ready:
 * on a port that was free a moment ago, returned when it prints its URL line (dev prints it
 * only once the first request would be answered correctly). If another process took the port
 * in between, dev exits with port_in_use and is started again on another port.
 */
import { pollUntil } from "./poll.js"
import { PortTaken, withFreePort } from "./ports.js"
import { spawnProcess } from "./processes.js"
import type { SpawnOptions, Spawned } from "./processes.js"

/** What `layer dev` prints (and exits 1 on) when its port was taken. */
export const PORT_IN_USE = /port \d+ on 127\.0\.0\.1 is already in use/

export interface RunningDev extends Spawned {
  port: number
  /** Whether the process has exited (its pipes closed). */
  exited(): boolean
}

export interface LayerDevOptions extends SpawnOptions {
  /** Arguments after `dev --port N`. */
  devArgs?: readonly string[]
  /** How long to wait for the URL line (default 60 s). */
  readyTimeoutMs?: number
}

/**
 * `command ...prefix dev --port N ...devArgs`: `process.execPath` with the launcher's path as
 * prefix, or an installed `node_modules/.bin/layer` with no prefix.
 */
export async function startLayerDev(command: string, prefix: readonly string[], options: LayerDevOptions): Promise<RunningDev> {
  return withFreePort(async (port) => {
    const dev = spawnProcess(command, [...prefix, "dev", "--port", String(port), ...(options.devArgs ?? [])], options)
    let exited = false
    const markExited = () => (exited = true)
    dev.done.then(markExited, markExited)
    await pollUntil(() => exited || dev.stderr().includes(`on http://127.0.0.1:${port}`), { timeoutMs: options.readyTimeoutMs ?? 60_000, what: `layer dev's URL line on port ${port}` })
    if (exited && PORT_IN_USE.test(dev.stderr())) throw new PortTaken(port)
    if (exited) throw new Error(`layer dev exited before serving:\n${dev.stderr()}`)
    return { ...dev, port, exited: () => exited }
  })
}
