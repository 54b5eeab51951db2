/**
 * `layer dev` checks its port before starting workerd, so a taken port is a clear error
 * naming the port and `--port` rather than a runtime failure from deep inside workerd.
 */
import { createServer } from "node:net"
import { LayerError } from "../../errors.js"
import { quoteInput } from "../../output/quote.js"

export const DEFAULT_DEV_PORT = 8787
export const DEV_HOST = "127.0.0.1"

/** `--port`: a whole number from 1 to 65535. */
export function parsePort(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_DEV_PORT
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LayerError("invalid_port", `--port must be a port number from 1 to 65535; got ${quoteInput(raw)}`, {
      hint: `for example \`layer dev --port ${DEFAULT_DEV_PORT}\``,
    })
  }
  return port
}

export async function ensurePortFree(port: number, host = DEV_HOST): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" || error.code === "EACCES" ? portUnavailable(port, host, error.code) : error))
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()))
  })
}

export function portUnavailable(port: number, host: string, code: string | undefined): LayerError {
  const why = code === "EACCES" ? "needs privileges this user does not have" : "is already in use"
  return new LayerError("port_in_use", `port ${port} on ${host} ${why}`, {
    hint: `stop whatever listens on ${port}, or pick another port: \`layer dev --port ${port === 65535 ? DEFAULT_DEV_PORT : port + 1}\``,
    details: { port, host },
  })
}

/** workerd's own words for a taken port, in case another process took it after the check. */
export function isAddressInUse(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : String(error)
  return /EADDRINUSE|address already in use/i.test(text)
}
