/**
 * `layer dev`: run the backends and the Secret Product Worker locally until Ctrl-C. Status
 * lines (the URL, reloads) go to stderr; the result, printed on exit, says how it stopped.
 */
import { parsePort, startDev, waitForStopSignal } from "../deploy/dev.js"
import type { StopReason } from "../deploy/dev.js"
import { LayerError } from "../errors.js"
import type { CommandResult } from "../output/index.js"
import { quoteInput } from "../output/quote.js"
import { stringFlag, stringsFlag } from "./types.js"
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
    allowedHosts: parseAllowedHosts(stringsFlag(context.flags, "allow-host")),
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

/** `--allow-host NAME`: a host name or IP address, without scheme, port or path. */
function parseAllowedHosts(names: string[]): string[] {
  for (const name of names) {
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)$/i.test(name)) {
      throw new LayerError("invalid_host", `--allow-host takes a host name such as dev.myapp.test, without scheme, port or path; got ${quoteInput(name)}`, {
        hint: "for example `layer dev --allow-host dev.myapp.test`",
      })
    }
  }
  return names
}
