/**
 * The Secrets Store `layer dev` gives the Secret Product Worker, kept in this process's memory.
 *
 * workerd has no Secrets Store binding of its own; miniflare emulates one with a KV namespace
 * in a Durable Object whose SQLite files are always on disk (its "in-memory" persistence is a
 * directory under the system temp dir too), so every value would sit there in plain text
 * until something removed it, and nothing does after `kill -9`. Instead each Secrets Store
 * binding of the product Worker is a wrapped binding with the same `get()` (and the same
 * `Secret "<name>" not found` error for a missing value), answered from a Map in the CLI
 * through miniflare's loopback. Nothing is written to disk, the values are all there before
 * workerd starts (ready means ready), and a reload is a Map update, without restarting workerd.
 *
 * The loopback port is reachable by any local process, so each request must carry a random
 * per-session token, which only workerd's configuration (sent over a pipe) holds.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import type { Request as MiniflareRequest, Response as MiniflareResponse, WorkerOptions } from "miniflare"
import { Response } from "miniflare"
import type { SecretText } from "../../providers/provider.js"

/** The Worker holding the `get()` shim; its name cannot clash with a project's (those have a dash-joined prefix). */
export const DEV_SECRETS_WORKER = "layeron:dev-secrets"

const TOKEN_HEADER = "x-layeron-dev-token"
const NAME_HEADER = "x-layeron-dev-secret"

const SHIM = `export default function (env) {
  return {
    async get() {
      const response = await env.VALUES.fetch("http://layeron-dev/", { headers: { "${TOKEN_HEADER}": env.token, "${NAME_HEADER}": env.secret_name } })
      if (response.status === 404) throw new Error(\`Secret "\${env.secret_name}" not found\`)
      if (!response.ok) throw new Error(\`layer dev could not read secret "\${env.secret_name}" (\${response.status})\`)
      return await response.text()
    },
  }
}
`

export class DevSecrets {
  readonly #token = randomBytes(32).toString("hex")
  readonly #values = new Map<string, SecretText>()
  /** Physical name → SHA-256 of its value, to tell which ones a reload changed. */
  readonly #digests = new Map<string, string>()

  /** Makes the Map equal to `values` for the `bound` names; returns the names written or removed. */
  sync(values: ReadonlyMap<string, SecretText>, bound: Iterable<string>): string[] {
    const changed: string[] = []
    const keep = new Set(bound)
    for (const name of keep) {
      const value = values.get(name)
      if (value === undefined) {
        if (this.#values.delete(name)) changed.push(name)
        this.#digests.delete(name)
        continue
      }
      const digest = createHash("sha256").update(value.reveal()).digest("hex")
      if (this.#digests.get(name) !== digest) changed.push(name)
      this.#values.set(name, value)
      this.#digests.set(name, digest)
    }
    for (const name of [...this.#values.keys()]) {
      if (!keep.has(name)) {
        this.#values.delete(name)
        this.#digests.delete(name)
      }
    }
    return changed
  }

  /** The shim Worker, to add to miniflare's workers. */
  worker(): WorkerOptions {
    return {
      name: DEV_SECRETS_WORKER,
      modules: true,
      script: SHIM,
      bindings: { token: this.#token },
      serviceBindings: { VALUES: (request: MiniflareRequest) => this.#answer(request) },
    }
  }

  /** The product Worker's Secrets Store bindings (binding → secret name), as wrapped bindings on the shim. */
  bindings(secrets: Record<string, { secret_name: string }>): NonNullable<WorkerOptions["wrappedBindings"]> {
    return Object.fromEntries(Object.entries(secrets).map(([binding, { secret_name }]) => [binding, { scriptName: DEV_SECRETS_WORKER, bindings: { secret_name } }]))
  }

  #answer(request: MiniflareRequest): MiniflareResponse {
    const token = Buffer.from(request.headers.get(TOKEN_HEADER) ?? "")
    const expected = Buffer.from(this.#token)
    if (token.length !== expected.length || !timingSafeEqual(token, expected)) return new Response("forbidden", { status: 403 })
    const value = this.#values.get(request.headers.get(NAME_HEADER) ?? "")
    return value === undefined ? new Response("not found", { status: 404 }) : new Response(value.reveal())
  }
}
