#!/usr/bin/env node
/**
 * `cf-emulator` (root: `npm run emulator -- --port N`): runs the Cloudflare API emulator,
 * seeds one account and one test token with every permission, prints them, and stops cleanly
 * on Ctrl-C. The token is a test token for this emulator only; it means nothing to Cloudflare.
 */
import { parseArgs } from "node:util"
import { PERMISSIONS, startEmulator, type RateLimitOptions } from "./index.js"

const USAGE = `usage: cf-emulator [options]
  --port N                     port to listen on (0, the default, picks a free one)
  --host HOST                  address to bind (default 127.0.0.1)
  --account-id ID              the seeded account's id (32 hex; random by default)
  --token VALUE                the seeded test token (40+ of A-Z a-z 0-9 _ -; random by default)
  --with-store                 give the seeded account its default_secrets_store up front
  --pending-delay-ms N         how long new secrets stay "pending" (default 50)
  --quota N                    secrets per account (default 100)
  --rate-limit-requests N      requests per window per token (default 1200)
  --rate-limit-window-seconds N   (default 300)
  --rate-limit-block-seconds N    how long a token is blocked past the limit (default 300)
  --json                       print the start-up facts as one JSON line
  --help`

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "account-id": { type: "string" },
        token: { type: "string" },
        "with-store": { type: "boolean" },
        "pending-delay-ms": { type: "string" },
        quota: { type: "string" },
        "rate-limit-requests": { type: "string" },
        "rate-limit-window-seconds": { type: "string" },
        "rate-limit-block-seconds": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return
  }

  const rateLimit: Partial<RateLimitOptions> = {}
  const requests = integerOption(values, "rate-limit-requests")
  const windowSeconds = integerOption(values, "rate-limit-window-seconds")
  const blockSeconds = integerOption(values, "rate-limit-block-seconds")
  if (requests !== undefined) rateLimit.requests = requests
  if (windowSeconds !== undefined) rateLimit.windowMs = windowSeconds * 1000
  if (blockSeconds !== undefined) rateLimit.blockMs = blockSeconds * 1000

  const port = integerOption(values, "port")
  const pendingDelayMs = integerOption(values, "pending-delay-ms")
  const quota = integerOption(values, "quota")
  const emulator = await startEmulator({
    ...(port === undefined ? {} : { port }),
    ...(typeof values.host === "string" ? { host: values.host } : {}),
    ...(pendingDelayMs === undefined ? {} : { pendingDelayMs }),
    ...(quota === undefined ? {} : { quota }),
    rateLimit,
  }).catch((error: unknown) => fail(`could not start: ${error instanceof Error ? error.message : String(error)}`))

  let accountId: string
  let token: string
  try {
    const accountSpec = typeof values["account-id"] === "string" ? { id: values["account-id"] } : {}
    accountId = emulator.addAccount({ ...accountSpec, name: "Emulated account", withDefaultStore: values["with-store"] === true }).id
    const tokenSpec = typeof values.token === "string" ? { value: values.token } : {}
    token = emulator.addToken({ ...tokenSpec, kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  } catch (error) {
    await emulator.close()
    fail(error instanceof Error ? error.message : String(error))
  }

  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ url: emulator.url, port: emulator.port, controlUrl: emulator.controlUrl, accountId, token })}\n`)
  } else {
    process.stdout.write(
      [
        "cf-emulator: a local Cloudflare API emulator, for tests",
        `  API base     ${emulator.url}   (CLOUDFLARE_API_BASE_URL)`,
        `  control      ${emulator.controlUrl}`,
        `  account      ${accountId}   (CLOUDFLARE_ACCOUNT_ID)`,
        `  test token   ${token}   (CLOUDFLARE_API_TOKEN; valid only against this emulator)`,
        "Press Ctrl-C to stop.",
        "",
      ].join("\n"),
    )
  }

  let stopping = false
  const stop = (): void => {
    if (stopping) process.exit(130)
    stopping = true
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}

function integerOption(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const raw = values[name]
  if (raw === undefined) return undefined
  if (typeof raw !== "string" || !/^\d+$/.test(raw)) fail(`--${name} must be a non-negative integer, got ${JSON.stringify(raw)}`)
  return Number(raw)
}

function fail(message: string): never {
  process.stderr.write(`cf-emulator: ${message}\n`)
  process.exit(1)
}

await main()
