/**
 * The HTTP control plane under /__emulator, for tests that run the emulator in another process.
 * It drives the same typed control API a test in-process would call. Secret values are never
 * served here: `getSecretValue` has no HTTP route on purpose.
 *
 *   GET    /__emulator                  this list
 *   GET    /__emulator/accounts         accounts, stores, secret metadata, script names
 *   POST   /__emulator/accounts         {id?, name?, withDefaultStore?}            -> {id, name}
 *   POST   /__emulator/tokens           {value?, kind, accountIds, permissions, status?} -> {value}
 *   PATCH  /__emulator/tokens           {value, status}
 *   GET    /__emulator/faults           faults in force
 *   POST   /__emulator/faults           a Fault                                     -> {id}
 *   DELETE /__emulator/faults           clear all faults
 *   DELETE /__emulator/faults/{id}      clear one fault
 *   GET    /__emulator/requests         the request log
 *   DELETE /__emulator/requests         reset the request log
 *   POST   /__emulator/quota            {quota, accountId?}
 *   GET    /__emulator/scripts          uploaded scripts with metadata
 *   POST   /__emulator/clock            {advanceMs}
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { readBody, sendJson } from "../http/io.js"
import type { Emulator } from "../types.js"

export const CONTROL_PREFIX = "/__emulator"

type ControlHandler = (emulator: Emulator, body: () => Promise<Record<string, unknown>>, id: string | undefined) => unknown

const CONTROL_ROUTES: Record<string, ControlHandler> = {
  "GET /": () => ({ endpoints: ENDPOINTS }),
  "GET /accounts": (emulator) => emulator.accounts,
  "POST /accounts": async (emulator, body) => emulator.addAccount(await body()),
  "POST /tokens": async (emulator, body) => ({ value: emulator.addToken((await body()) as never) }),
  "PATCH /tokens": async (emulator, body) => {
    const { value, status } = await body()
    if (typeof value !== "string") throw new TypeError("PATCH /__emulator/tokens needs {value, status}")
    emulator.setTokenStatus(value, status as never)
    return { ok: true }
  },
  "GET /faults": (emulator) => emulator.faults,
  "POST /faults": async (emulator, body) => ({ id: emulator.setFault((await body()) as never) }),
  "DELETE /faults": (emulator, _body, id) => {
    if (id === undefined) emulator.clearFaults()
    else emulator.clearFault(id)
    return { ok: true }
  },
  "GET /requests": (emulator) => emulator.requests,
  "DELETE /requests": (emulator) => {
    emulator.resetRequestLog()
    return { ok: true }
  },
  "POST /quota": async (emulator, body) => {
    const { quota, accountId } = await body()
    if (accountId !== undefined && typeof accountId !== "string") throw new TypeError("quota: accountId must be a string")
    emulator.setQuota(quota as number, accountId)
    return { ok: true }
  },
  "GET /scripts": (emulator) => emulator.scripts,
  "POST /clock": async (emulator, body) => {
    emulator.advanceClock((await body()).advanceMs as number)
    return { ok: true }
  },
}

const ENDPOINTS = [
  "GET /__emulator/accounts",
  "POST /__emulator/accounts",
  "POST /__emulator/tokens",
  "PATCH /__emulator/tokens",
  "GET /__emulator/faults",
  "POST /__emulator/faults",
  "DELETE /__emulator/faults[/{id}]",
  "GET /__emulator/requests",
  "DELETE /__emulator/requests",
  "POST /__emulator/quota",
  "GET /__emulator/scripts",
  "POST /__emulator/clock",
]

export async function handleControlRequest(emulator: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const rest = url.pathname.slice(CONTROL_PREFIX.length) || "/"
  // Only /faults/{id} carries an id.
  const faultId = /^\/faults\/([^/]+)$/.exec(rest)?.[1]
  const key = `${(req.method ?? "GET").toUpperCase()} ${faultId === undefined ? rest : "/faults"}`
  const handler = CONTROL_ROUTES[key]
  if (handler === undefined) {
    return sendJson(res, 404, { error: `no control endpoint ${key}; see GET ${CONTROL_PREFIX}` })
  }
  const body = async (): Promise<Record<string, unknown>> => {
    const text = (await readBody(req)).toString("utf8")
    let parsed: unknown
    try {
      parsed = text.trim() === "" ? {} : JSON.parse(text)
    } catch {
      throw new TypeError("the body is not valid JSON")
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new TypeError("the body must be a JSON object")
    return parsed as Record<string, unknown>
  }
  try {
    const result = await handler(emulator, body, faultId === undefined ? undefined : decodeURIComponent(faultId))
    sendJson(res, key.startsWith("POST /accounts") || key.startsWith("POST /tokens") ? 201 : 200, result)
  } catch (error) {
    sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) })
  }
}
