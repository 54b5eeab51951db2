/**
 * A Cloudflare API emulator with one account and one all-permission user token, a private
 * LAYERON_HOME, and a factory for the Cloudflare provider pointed at it. Waits are shortened
 * (small backoff) so fault tests stay fast; budgets and timeouts are per test.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import assert from "node:assert/strict"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator, EmulatorOptions } from "@layeron/cf-emulator"
import { createCloudflareProvider } from "../../packages/cli/src/providers/cloudflare/index.js"
import type { CloudflareProviderOptions } from "../../packages/cli/src/providers/cloudflare/index.js"
import type { SecretProvider } from "../../packages/cli/src/providers/provider.js"
import { isLayerError } from "../../packages/cli/src/errors.js"
import type { LayerError } from "../../packages/cli/src/errors.js"

export interface CloudflareFixture {
  emulator: Emulator
  accountId: string
  token: string
  /** LAYERON_HOME for the provider (holds cache/stores.json). */
  home: string
  /** Every --debug line the providers made. */
  debugLines: string[]
  provider(overrides?: Partial<CloudflareProviderOptions>): SecretProvider
  /** Requests as "METHOD path" (query left out), oldest first. */
  requestLines(): string[]
  close(): Promise<void>
}

export interface FixtureOptions {
  emulator?: EmulatorOptions
  /** Create the account's store up front, as the dashboard does. */
  withDefaultStore?: boolean
}

export async function startCloudflareFixture(options: FixtureOptions = {}): Promise<CloudflareFixture> {
  const emulator = await startEmulator({ pendingDelayMs: 0, ...options.emulator })
  const accountId = emulator.addAccount({ name: "Test account", withDefaultStore: options.withDefaultStore ?? false }).id
  const token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  const home = await mkdtemp(join(tmpdir(), "layeron-cf-home-"))
  const debugLines: string[] = []
  return {
    emulator,
    accountId,
    token,
    home,
    debugLines,
    provider: (overrides = {}) =>
      createCloudflareProvider({
        accountId,
        apiToken: token,
        baseUrl: emulator.url,
        home,
        debug: (line) => debugLines.push(line),
        maxRetryWaitMs: 5_000,
        requestTimeoutMs: 5_000,
        backoffBaseMs: 10,
        ...overrides,
      }),
    requestLines: () => emulator.requests.map((request) => `${request.method} ${request.path}`),
    async close() {
      await emulator.close()
      await rm(home, { recursive: true, force: true })
    },
  }
}

/** The LayerError a call fails with; fails the test when it succeeds or throws something else. */
export async function rejection(promise: Promise<unknown>): Promise<LayerError> {
  try {
    await promise
  } catch (error) {
    assert.ok(isLayerError(error), `expected a LayerError, got ${String(error)}`)
    return error
  }
  assert.fail("expected the call to fail")
}
