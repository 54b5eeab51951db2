/**
 * The sockets `layer dev` listens on: one small HTTP front per backend, in this process, in
 * front of workerd (which listens on ports of its own that nobody is told about).
 *
 * It exists for two reasons:
 * - **Saves lose no request.** A rebuild restarts workerd (miniflare's `setOptions`). The front
 *   holds requests that arrive meanwhile and hands them to the new build once it answers, as
 *   wrangler dev does; requests already in flight are let finish first (drained).
 * - **Only local names are served.** A web page can reach a dev server through DNS rebinding
 *   (its own host name resolving to 127.0.0.1): the browser then sends that name as `Host`. The
 *   front answers 403 to any `Host` that is not `localhost` (or `*.localhost`), `127.0.0.1`,
 *   `[::1]` or a name given with `--allow-host`.
 *
 * Plain `node:http` piping rather than a proxy library: the front forwards to one loopback
 * address per backend and needs to hold requests, which proxy libraries do not offer; bodies are
 * streamed both ways, WebSocket upgrades are passed through.
 */
import { Agent, createServer, request as httpRequest } from "node:http"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { quoteInput } from "../../output/quote.js"
import { listenExclusive } from "./port.js"

/** How long a request waits for a start or restart before it is answered 503 (a restart takes ~1–3 s). */
export const HOLD_LIMIT_MS = 30_000
/** How long a restart waits for requests in flight to finish before it goes on. */
export const DRAIN_LIMIT_MS = 10_000
/** Connection errors after which a request without a body is sent once more (its Worker restarted under it). */
const RETRIED_ERRORS = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE"])

const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"])

export interface FrontOptions {
  host: string
  /** Host names (without port) served besides the local ones: `--allow-host`. */
  allowedHosts: readonly string[]
  holdLimitMs?: number
  /** A refused Host, once per name (stderr). */
  warn: (message: string) => void
}

/** `Host: name[:port]` → the name, lower case, IPv6 kept in brackets; undefined when absent or malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header.trim())
  return match?.[1]?.toLowerCase().replace(/\.$/, "")
}

export function isAllowedHost(header: string | undefined, allowed: readonly string[]): boolean {
  const name = hostName(header)
  if (!name) return false
  return LOCAL_NAMES.has(name) || name.endsWith(".localhost") || allowed.some((entry) => entry.toLowerCase() === name)
}

interface Listener {
  server: Server
  url: URL
  target: URL | undefined
}

export class DevFront {
  readonly #options: FrontOptions
  readonly #listeners: Listener[] = []
  #agent = new Agent({ keepAlive: true })
  readonly #refused = new Set<string>()
  #paused: { release: Promise<void>; open: () => void } | undefined
  #inFlight = 0
  #idle: (() => void)[] = []

  constructor(options: FrontOptions) {
    this.#options = options
  }

  /** Requests sent on to workerd and not answered yet. */
  get inFlight(): number {
    return this.#inFlight
  }

  /** The front's URLs, one per backend, in backend order. */
  get urls(): URL[] {
    return this.#listeners.map((listener) => listener.url)
  }

  /**
   * Listens for backend `index` on `port` (0: any free port), unless it already does; a taken
   * port is port_in_use.
   */
  async listen(index: number, port: number): Promise<URL> {
    const existing = this.#listeners[index]
    if (existing) return existing.url
    const server = createServer((request, response) => void this.#serve(index, request, response))
    server.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => void this.#upgrade(index, request, socket, head))
    server.on("clientError", (_error, socket) => socket.destroy())
    const bound = await listenExclusive(server, port, this.#options.host)
    const url = new URL(`http://${this.#options.host}:${bound}`)
    this.#listeners[index] = { server, url, target: undefined }
    return url
  }

  /** Stops listening for the backends from `count` on (removed from the config). */
  async closeFrom(count: number): Promise<void> {
    const removed = this.#listeners.splice(count)
    await Promise.all(removed.map(({ server }) => closeServer(server)))
  }

  /** Where each backend's requests go now (workerd's own socket for it). */
  setTargets(targets: readonly URL[]): void {
    for (const [index, target] of targets.entries()) {
      const listener = this.#listeners[index]
      if (listener) listener.target = target
    }
  }

  /**
   * Holds new requests, waits (up to DRAIN_LIMIT_MS) for those in flight, runs `restart`, and
   * lets the held requests through to whatever it left serving, even when it failed.
   */
  async whileRestarting<T>(restart: () => Promise<T>): Promise<T> {
    let open!: () => void
    const release = new Promise<void>((resolve) => (open = resolve))
    this.#paused = { release, open }
    try {
      await this.#drained(DRAIN_LIMIT_MS)
      // Kept-alive sockets lead to the workerd about to go: new requests open new ones.
      this.#agent.destroy()
      this.#agent = new Agent({ keepAlive: true })
      return await restart()
    } finally {
      this.#paused = undefined
      open()
    }
  }

  async close(): Promise<void> {
    this.#paused?.open()
    await Promise.all(this.#listeners.splice(0).map(({ server }) => closeServer(server)))
    this.#agent.destroy()
  }

  async #drained(limitMs: number): Promise<void> {
    if (this.#inFlight === 0) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, limitMs)
      this.#idle.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  #settled(): void {
    this.#inFlight -= 1
    if (this.#inFlight > 0) return
    for (const wake of this.#idle.splice(0)) wake()
  }

  /** Waits out a restart; false when it took longer than the hold limit. */
  async #waitForRestart(): Promise<boolean> {
    const paused = this.#paused
    if (!paused) return true
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.#options.holdLimitMs ?? HOLD_LIMIT_MS)))
    const done = await Promise.race([paused.release.then(() => true), limit])
    clearTimeout(timer)
    // Another restart may have begun right after this one.
    return done && (this.#paused ? this.#waitForRestart() : true)
  }

  #refuse(request: IncomingMessage): string | undefined {
    if (isAllowedHost(request.headers.host, this.#options.allowedHosts)) return undefined
    const shown = quoteInput(request.headers.host ?? "")
    if (!this.#refused.has(shown)) {
      this.#refused.add(shown)
      this.#options.warn(`refused a request for Host ${shown}: layer dev answers only localhost, 127.0.0.1 and [::1] (allow a name with --allow-host NAME)`)
    }
    return `layer dev: Host ${shown} is not a local name. Only localhost, 127.0.0.1 and [::1] are served; start layer dev with --allow-host NAME to serve another name.\n`
  }

  async #serve(index: number, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = this.#refuse(request)
    if (refusal) return void answer(response, 403, refusal)
    if (!(await this.#waitForRestart())) return void answer(response, 503, "layer dev: the Workers are still starting (or restarting after a change); try again.\n")
    this.#inFlight += 1
    let settled = false
    const settle = () => {
      if (settled) return
      settled = true
      this.#settled()
    }
    response.on("close", settle)
    const bodyless = hasNoBody(request)
    this.#forward(index, request, response, settle, bodyless, bodyless)
  }

  /** Sends `request` on to workerd; `retry`: once more after a connection error (a body cannot be replayed). */
  #forward(index: number, request: IncomingMessage, response: ServerResponse, settle: () => void, bodyless: boolean, retry: boolean): void {
    const target = this.#listeners[index]?.target
    if (!target) {
      settle()
      return void answer(response, 503, "layer dev: this backend is not running (see layer dev's output).\n")
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers, agent: this.#agent })
    upstream.on("response", (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.statusMessage, reply.rawHeaders)
      reply.pipe(response)
      reply.on("end", settle)
      reply.on("error", () => response.destroy())
    })
    upstream.on("error", async (error: NodeJS.ErrnoException) => {
      if (response.headersSent) return void response.destroy()
      if (retry && RETRIED_ERRORS.has(error.code ?? "") && !response.destroyed && (await this.#waitForRestart())) {
        return this.#forward(index, request, response, settle, bodyless, false)
      }
      settle()
      answer(response, 502, `layer dev: the Worker did not answer (${error.code ?? "connection failed"}); see layer dev's output.\n`)
    })
    response.on("close", () => {
      if (!response.writableFinished) upstream.destroy()
    })
    if (bodyless) upstream.end()
    else request.pipe(upstream)
  }

  async #upgrade(index: number, request: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy())
    const refusal = this.#refuse(request)
    if (refusal) return void rawAnswer(socket, 403, refusal)
    if (!(await this.#waitForRestart())) return void rawAnswer(socket, 503, "layer dev: the Workers are still starting or restarting.\n")
    const target = this.#listeners[index]?.target
    if (!target) return void rawAnswer(socket, 503, "layer dev: this backend is not running.\n")
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers })
    upstream.on("upgrade", (reply, upstreamSocket, upstreamHead) => {
      socket.write(`HTTP/1.1 101 ${reply.statusMessage ?? "Switching Protocols"}\r\n${rawHeaderLines(reply.rawHeaders)}\r\n`)
      if (upstreamHead.length) socket.write(upstreamHead)
      if (head.length) upstreamSocket.write(head)
      upstreamSocket.on("error", () => socket.destroy())
      socket.on("close", () => upstreamSocket.destroy())
      upstreamSocket.on("close", () => socket.destroy())
      upstreamSocket.pipe(socket).pipe(upstreamSocket)
    })
    upstream.on("response", (reply) => {
      socket.write(`HTTP/1.1 ${reply.statusCode} ${reply.statusMessage ?? ""}\r\n${rawHeaderLines(reply.rawHeaders)}\r\n`)
      reply.pipe(socket)
    })
    upstream.on("error", () => rawAnswer(socket, 502, "layer dev: the Worker did not answer.\n"))
    upstream.end()
  }
}

/** A request that carries no body (most GETs), and so can be sent again. */
function hasNoBody(request: IncomingMessage): boolean {
  return request.headers["transfer-encoding"] === undefined && (request.headers["content-length"] ?? "0") === "0"
}

function answer(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) })
  response.end(text)
}

function rawAnswer(socket: Socket, status: number, text: string): void {
  const reason = status === 403 ? "Forbidden" : status === 503 ? "Service Unavailable" : "Bad Gateway"
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`)
}

function rawHeaderLines(raw: readonly string[]): string {
  let lines = ""
  for (let i = 0; i + 1 < raw.length; i += 2) lines += `${raw[i]}: ${raw[i + 1]}\r\n`
  return lines
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
