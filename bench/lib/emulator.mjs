/**
 * The Cloudflare API emulator (tools/cf-emulator, built) for the scale sections: one account,
 * one all-permission user token, and the environment a `layer` process needs to use them.
 * Latency is added as the emulator's own fault, so it applies to every API request exactly as
 * a slow network would, after setup has run at full speed.
 */
import { REPO_ROOT } from "./project.mjs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"

const EMULATOR_ENTRY = pathToFileURL(join(REPO_ROOT, "tools", "cf-emulator", "dist", "index.js")).href

/** @param {{ quota?: number }} [options] */
export async function startBenchEmulator(options = {}) {
  const { startEmulator, PERMISSIONS } = await import(EMULATOR_ENTRY)
  // Secrets become active at once: how long Cloudflare keeps them pending is unknown, and
  // the benchmark should not measure the emulator's guess.
  const emulator = await startEmulator({ pendingDelayMs: 0, ...(options.quota !== undefined ? { quota: options.quota } : {}) })
  const { id: accountId } = emulator.addAccount({ name: "Bench account" })
  const newToken = () => emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  let token = newToken()
  let latencyFault

  return {
    emulator,
    accountId,
    /** What `layer` needs in its environment to talk to this emulator. */
    cliEnv: () => ({ CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ACCOUNT_ID: accountId }),
    /**
     * A fresh token: Cloudflare's rate limit (1,200 requests per 5 minutes) counts per token
     * here, so each timed run starts with the whole budget, as a single real run would.
     */
    rotateToken() {
      token = newToken()
    },
    setLatency(ms) {
      if (latencyFault !== undefined) emulator.clearFault(latencyFault)
      latencyFault = ms > 0 ? emulator.setFault({ kind: "latency", ms }) : undefined
    },
    resetRequestLog: () => emulator.resetRequestLog(),
    /**
     * Requests since the last reset: how many, how many were pages of the secrets list, how
     * many were answered 429, and how many of each kind ("PATCH /accounts/:id/secrets_store/stores/:id/secrets/:id"), most first.
     */
    requestCounts() {
      const requests = emulator.requests
      const kinds = new Map()
      for (const r of requests) {
        const kind = `${r.method} ${r.path.replace(/\/[0-9a-f]{32}(?=\/|$)/g, "/:id")}`
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
      }
      // A page of the secrets list (no `search`), as opposed to a lookup of one secret by name.
      const listing = requests.filter((r) => r.method === "GET" && /\/secrets$/.test(r.path) && !/[?&]search=/.test(r.query ?? "")).length
      return {
        total: requests.length,
        listing,
        rateLimited: requests.filter((r) => r.status === 429).length,
        kinds: [...kinds].sort((a, b) => b[1] - a[1]).map(([kind, count]) => ({ kind, count })),
      }
    },
    close: () => emulator.close(),
  }
}
