/**
 * Ports for tests. A server the test owns binds port 0 and reports the port it got, so no
 * other process can take it in between. A program that must be told its port up front
 * (`layer dev --port N`) gets one through `withFreePort`, which retries with another port
 * when the program says the port was taken, instead of trusting that a released port stays free.
 */
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import type { Server } from "node:http"

/** Listen on port 0 of `host` and return the port the system chose. */
export async function listenOnFreePort(server: Server | ReturnType<typeof createServer>, host = "127.0.0.1"): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

/**
 * A port nothing listens on, for "cannot connect" cases: bound and released at once. Another
 * process could bind it in between; that only turns a refused connection into another failure.
 */
export async function closedPort(host = "127.0.0.1"): Promise<number> {
  const server = createServer()
  const port = await listenOnFreePort(server, host)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Thrown (or returned) by a `withFreePort` start function when its port turned out to be taken. */
export class PortTaken extends Error {
  constructor(port: number) {
    super(`port ${port} was taken before the program could bind it`)
  }
}

/**
 * Start something on a port that was free a moment ago; if `start` throws PortTaken (another
 * process took the port in between), try again with a fresh one, up to `attempts` times.
 */
export async function withFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  let last: unknown
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await start(await closedPort())
    } catch (error) {
      if (!(error instanceof PortTaken)) throw error
      last = error
    }
  }
  throw last
}
