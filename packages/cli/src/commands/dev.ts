/**
 * `layer dev`: run the backends and the Secret Product Worker locally until Ctrl-C. Status
 * lines (the URL, reloads) go to stderr; the result, printed on exit, says how it stopped.
 */
import { parsePort, startDev, waitForStopSignal } from "../deploy/dev.js"
import type { StopReason } from "../deploy/dev.js"
import type { CommandResult } from "../output/index.js"
import { stringFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface DevDocument {
  environment: string
  urls: Array<{ backend: string; worker: string; url: string }>
  /** A signal, or EPIPE when stdout or stderr was closed. */
  stoppedBy: StopReason
}

export async function run(context: CommandContext): Promise<CommandResult<DevDocument>> {
  const port = parsePort(stringFlag(context.flags, "port"))
  const stopSignal = waitForStopSignal()
  const server = await startDev({
    cwd: context.global.cwd,
    environment: context.global.env,
    env: context.env,
    port,
    debug: (message) => context.output.debug(message),
    warn: (message) => context.output.warn(message),
    note: (message) => context.output.note(message),
    line: (text) => context.output.note(text),
  })
  const stoppedBy = await stopSignal
  context.output.note(`stopping (${stoppedBy})`)
  await server.stop()
  return {
    json: { environment: server.environment, urls: server.urls, stoppedBy },
    human: [{ type: "line", text: `layer dev stopped (${stoppedBy})`, tone: "muted" }],
  }
}
