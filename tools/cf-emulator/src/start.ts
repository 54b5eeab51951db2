/** Starts the emulator: the state, the HTTP server, and the typed control API over them. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { accountRoutes } from "./accounts/routes.js"
import { verifyRoutes } from "./auth/verify-routes.js"
import { Clock } from "./clock.js"
import { CONTROL_PREFIX, handleControlRequest } from "./control/control-plane.js"
import { FaultBook } from "./faults/fault-book.js"
import { parseFault } from "./faults/parse-fault.js"
import { CLOUDFLARE_RATE_LIMIT, RateLimiter } from "./faults/rate-limiter.js"
import { API_PREFIX, handleApiRequest, type ApiParts } from "./http/api-handler.js"
import { sendJson } from "./http/io.js"
import { RequestLog } from "./request-log.js"
import { secretRoutes } from "./secrets-store/secret-routes.js"
import { storeRoutes } from "./secrets-store/store-routes.js"
import { secretStatus } from "./secrets-store/views.js"
import { EmulatorState } from "./state.js"
import type { Emulator, EmulatorOptions, UploadedScript } from "./types.js"
import { workerRoutes } from "./workers/routes.js"

export const DEFAULT_PENDING_DELAY_MS = 50
export const DEFAULT_SECRET_QUOTA = 100

const ROUTES = [...verifyRoutes, ...accountRoutes, ...storeRoutes, ...secretRoutes, ...workerRoutes]

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const pendingDelayMs = options.pendingDelayMs ?? DEFAULT_PENDING_DELAY_MS
  if (!Number.isInteger(pendingDelayMs) || pendingDelayMs < 0) {
    throw new TypeError(`pendingDelayMs must be a non-negative integer, got ${pendingDelayMs}`)
  }
  const clock = new Clock()
  const state = new EmulatorState(clock, DEFAULT_SECRET_QUOTA)
  if (options.quota !== undefined) state.setQuota(options.quota)
  const schema = options.schema ?? "published"
  if (schema !== "published" && schema !== "legacy") throw new TypeError(`schema must be "published" or "legacy", got ${JSON.stringify(schema)}`)
  const parts: ApiParts = {
    state,
    clock,
    settings: { pendingDelayMs, schema },
    faults: new FaultBook(),
    limiter: new RateLimiter({ ...CLOUDFLARE_RATE_LIMIT, ...options.rateLimit }, clock),
    log: new RequestLog(),
    routes: ROUTES,
  }

  let emulator: Emulator | undefined
  let closing: Promise<void> | undefined
  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => {
      console.error("cf-emulator: unhandled error:", error instanceof Error ? error.stack : error)
      if (!res.headersSent) sendJson(res, 500, { error: "cf-emulator internal error" })
      else res.destroy()
    })
  })
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://emulator.invalid")
    if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) return handleApiRequest(parts, req, res, url)
    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      return handleControlRequest(emulator as Emulator, req, res, url)
    }
    sendJson(res, 404, { error: `not found: the API is under ${API_PREFIX}, the control plane under ${CONTROL_PREFIX}` })
  }

  const host = options.host ?? "127.0.0.1"
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

  emulator = {
    url: `${origin}${API_PREFIX}`,
    port,
    controlUrl: `${origin}${CONTROL_PREFIX}`,
    // Idempotent: a second close() returns the first one's promise.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      })),
    addAccount: (spec) => state.addAccount(spec),
    get accounts() {
      const now = clock.now()
      return [...state.accounts.values()].map((account) => ({
        id: account.id,
        name: account.name,
        quota: account.quota,
        stores: [...account.stores.values()].map((store) => ({
          id: store.id,
          name: store.name,
          secrets: [...store.secrets.values()].map((secret) => ({
            id: secret.id,
            name: secret.name,
            scopes: [...secret.scopes],
            status: secretStatus(secret, now),
            modified: secret.modified,
          })),
        })),
        scripts: [...account.scripts.keys()],
      }))
    },
    addToken: (spec) => state.addToken(spec),
    setTokenStatus: (value, status) => state.setTokenStatus(value, status),
    setFault: (fault) => parts.faults.add(parseFault(fault), parts.log.lastSeq),
    clearFault: (id) => {
      if (!parts.faults.remove(id)) throw new TypeError(`clearFault: no fault ${JSON.stringify(id)}`)
    },
    clearFaults: () => parts.faults.clear(),
    get faults() {
      return parts.faults.list()
    },
    get requests() {
      return parts.log.snapshot()
    },
    resetRequestLog: () => parts.log.reset(),
    setQuota: (quota, accountId) => state.setQuota(quota, accountId),
    getSecretValue: (accountId, storeId, name) => {
      const store = state.accounts.get(accountId)?.stores.get(storeId)
      return store === undefined ? undefined : state.findSecretByName(store, name)?.value
    },
    get scripts() {
      const scripts: UploadedScript[] = []
      for (const account of state.accounts.values()) {
        for (const script of account.scripts.values()) {
          const { accountId, name, metadata, modules, bindings, subdomain, createdOn, modifiedOn } = script
          scripts.push({
            accountId,
            name,
            metadata: structuredClone(metadata),
            modules: modules.map((m) => ({ ...m })),
            bindings: structuredClone(bindings),
            subdomain: { ...subdomain },
            createdOn,
            modifiedOn,
          })
        }
      }
      return scripts
    },
    advanceClock: (ms) => clock.advance(ms),
    setRateLimit: (rateLimit) => {
      parts.limiter = new RateLimiter({ ...CLOUDFLARE_RATE_LIMIT, ...rateLimit }, clock)
    },
  }
  return emulator
}
