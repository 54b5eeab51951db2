/**
 * `layer dev`'s ports: taken by its front (front.ts) before workerd starts, so a taken port is a
 * clear error naming the port, its owner and `--port` rather than a failure deep inside workerd.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs"
import type { AddressInfo, Server } from "node:net"
import { LayerError } from "../../errors.js"
import { quoteInput } from "../../output/quote.js"

export const DEFAULT_DEV_PORT = 8787
export const DEV_HOST = "127.0.0.1"

/** `--port`: a whole number from 1 to 65535, or 0 for any free port (each backend its own). */
export function parsePort(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_DEV_PORT
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LayerError("invalid_port", `--port must be a port number from 1 to 65535 (or 0 for any free port); got ${quoteInput(raw)}`, {
      hint: `for example \`layer dev --port ${DEFAULT_DEV_PORT}\``,
    })
  }
  return port
}

/**
 * Listens on `port` (0: any free port) for good, so a taken port is the listen error itself,
 * turned into port_in_use, with no gap in which another process could take it.
 */
export async function listenExclusive(server: Server, port: number, host = DEV_HOST): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" || error.code === "EACCES" ? portUnavailable(port, host, error.code) : error)
    server.once("error", failed)
    server.listen({ port, host, exclusive: true }, () => {
      server.off("error", failed)
      resolve()
    })
  })
  return (server.address() as AddressInfo).port
}

export function portUnavailable(port: number, host: string, code: string | undefined): LayerError {
  const owner = code === "EACCES" ? undefined : portOwner(port)
  const why = code === "EACCES" ? "needs privileges this user does not have" : `is already in use${owner ? ` by ${owner}` : ""}`
  return new LayerError("port_in_use", `port ${port} on ${host} ${why}`, {
    hint: `stop whatever listens on ${port}, or pick another port: \`layer dev --port ${port === 65535 ? DEFAULT_DEV_PORT : port + 1}\``,
    details: { port, host },
  })
}

/**
 * Who listens on a TCP port, on Linux: the socket's inode from /proc/net/tcp{,6}, then the
 * process holding it among /proc/<pid>/fd (only this user's processes are readable). Says
 * when it is a workerd left by an earlier `layer dev`, which the next start would sweep.
 */
export function portOwner(port: number): string | undefined {
  if (process.platform !== "linux") return undefined
  const inodes = new Set<string>()
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const row of readOr(table).split("\n").slice(1)) {
      const fields = row.trim().split(/\s+/)
      const local = fields[1]
      // State 0A is LISTEN; field 9 is the socket's inode.
      if (local && fields[3] === "0A" && Number.parseInt(local.split(":")[1] ?? "", 16) === port && fields[9]) inodes.add(fields[9])
    }
  }
  if (inodes.size === 0) return undefined
  for (const pid of listOr("/proc").filter((entry) => /^\d+$/.test(entry))) {
    for (const fd of listOr(`/proc/${pid}/fd`)) {
      let target: string
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`)
      } catch {
        continue
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
      if (!inode || !inodes.has(inode)) continue
      const command = readOr(`/proc/${pid}/cmdline`).split("\0").filter(Boolean)
      const name = (command[0] ?? readOr(`/proc/${pid}/comm`).trim()).split("/").pop() || "a process"
      return `${name} (pid ${pid}${/workerd/.test(name) && Number(readOr(`/proc/${pid}/stat`).split(") ")[1]?.split(" ")[1]) === 1 ? ", orphaned: a workerd left by a layer dev that did not stop cleanly" : ""})`
    }
  }
  return "a process of another user"
}

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return ""
  }
}

function listOr(path: string): string[] {
  try {
    return readdirSync(path)
  } catch {
    return []
  }
}
