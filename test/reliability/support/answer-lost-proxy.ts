/**
 * A fault the emulator cannot make: the request reaches Cloudflare and is carried out, but
 * the answer never comes back (the connection drops after the server answered). For a write
 * this is the dangerous case: it landed, and the client believes it failed. This proxy sits
 * between the CLI and the emulator, forwards every request, and for the chosen request
 * number waits for the emulator's full answer, then destroys the client's socket instead of
 * relaying it.
 */
import { createServer, request } from "node:http"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface AnswerLostProxy {
  /** The API base to give the CLI (CLOUDFLARE_API_BASE_URL). */
  url: string
  /** Lose the answer to API request number `k` from now (1 = the next one); undefined: lose none. */
  loseAnswerTo(k: number | undefined): void
  /** Whether the chosen request has been forwarded and its answer dropped. */
  readonly fired: boolean
  close(): Promise<void>
}

export async function startAnswerLostProxy(emulatorUrl: string): Promise<AnswerLostProxy> {
  const upstream = new URL(emulatorUrl)
  let target: number | undefined
  let seen = 0
  let fired = false

  const server: Server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const number = ++seen
    const lose = target !== undefined && number === target
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        if (lose) {
          // Read the whole answer (the write is done), then hang up without a word.
          answer.resume()
          answer.on("end", () => {
            fired = true
            incoming.socket.destroy()
          })
          return
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    forward.on("error", () => outgoing.destroy())
    incoming.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    loseAnswerTo(k) {
      seen = 0
      fired = false
      target = k
    },
    get fired() {
      return fired
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
