/**
 * Emulator projects, the one way tests make them: the Cloudflare API emulator (in this
 * process), one fresh account and all-permission token per project so tests never see each
 * other's secrets, and a project whose `production` environment is that account. The CLI
 * reaches the emulator through CLOUDFLARE_API_BASE_URL and authenticates with
 * CLOUDFLARE_API_TOKEN unless a test logs in.
 */
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator, EmulatorOptions } from "@layeron/cf-emulator"
import { cloudflareConfig, createProject, DEFAULT_API } from "./project.js"
import type { LayerOptions, LayerRun, TestProject } from "./project.js"

export type { Emulator } from "@layeron/cf-emulator"

export { cloudflareConfig }

export function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ pendingDelayMs: 0, ...options })
}

export interface CloudflareProject extends TestProject {
  emulator: Emulator
  accountId: string
  token: string
  /** The environment for a run against the emulator: base URL, token, short waits. */
  apiEnv(extra?: Record<string, string | undefined>): Record<string, string | undefined>
  /** `layer …` with apiEnv() merged under the options' env. */
  cf(args: readonly string[], options?: LayerOptions): Promise<LayerRun>
  /** Secret names (and modified times) in the account's store, sorted by name. */
  storedSecrets(): { name: string; modified: string }[]
  /** The test-only value backdoor, by secret name. */
  valueOf(name: string): string | undefined
}

export interface CloudflareProjectOptions {
  files?: Readonly<Record<string, string | null>>
  /** Create the account's store up front (as the dashboard does); default true. */
  withStore?: boolean
  /** A token value to register (a canary); default a fresh random one. */
  token?: string
  /** Default retry budget for runs (ms); tests of the retry path raise it. */
  maxRetryWaitMs?: number
}

/** A fresh account (with its default store unless told otherwise) and a user token with every permission on it. */
export function addEmulatorAccount(emulator: Emulator, options: { name?: string; withStore?: boolean; token?: string } = {}): { accountId: string; token: string } {
  const accountId = emulator.addAccount({ name: options.name ?? "Acme", withDefaultStore: options.withStore ?? true }).id
  const token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS], ...(options.token ? { value: options.token } : {}) })
  return { accountId, token }
}

export async function createCloudflareProject(emulator: Emulator, options: CloudflareProjectOptions = {}): Promise<CloudflareProject> {
  const { accountId, token } = addEmulatorAccount(emulator, { name: "Reliability", ...(options.withStore !== undefined ? { withStore: options.withStore } : {}), ...(options.token ? { token: options.token } : {}) })
  const project = await createProject({ "layeron.config.ts": cloudflareConfig(accountId), "src/api.ts": DEFAULT_API, ...options.files })
  const apiEnv = (extra: Record<string, string | undefined> = {}) => ({
    CLOUDFLARE_API_BASE_URL: emulator.url,
    CLOUDFLARE_API_TOKEN: token,
    LAYERON_MAX_RETRY_WAIT_MS: String(options.maxRetryWaitMs ?? 2000),
    LAYERON_CREDENTIALS_STORE: "file",
    ...extra,
  })
  const store = () => emulator.accounts.find((account) => account.id === accountId)?.stores[0]
  return {
    ...project,
    emulator,
    accountId,
    token,
    apiEnv,
    cf: (args, layerOptions = {}) => project.layer(args, { ...layerOptions, env: apiEnv(layerOptions.env) }),
    storedSecrets: () =>
      (store()?.secrets ?? []).map((secret) => ({ name: secret.name, modified: secret.modified })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    valueOf: (name) => {
      const id = store()?.id
      return id ? emulator.getSecretValue(accountId, id, name) : undefined
    },
  }
}
