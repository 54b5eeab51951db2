/**
 * Where a deploy goes: the environment's provider, plus (for Cloudflare) the account's
 * Workers API. Everything a dry run calls here is read-only: the store is looked up, never
 * created, until apply asks for it.
 */
import { relative } from "node:path"
import type { EnvironmentConfig } from "../config/types.js"
import { resolveCloudflareCredentials } from "../credentials/resolve.js"
import { CloudflareApi } from "../providers/cloudflare/api.js"
import { createCloudflareProvider } from "../providers/cloudflare/index.js"
import { getQuota, listStores } from "../providers/cloudflare/secrets.js"
import { createLocalProvider } from "../providers/local/index.js"
import type { SecretProvider, StoreRef } from "../providers/provider.js"
import { listScriptNames, uploadScript } from "./upload.js"
import type { UploadOptions } from "./upload.js"
import type { WorkerScript } from "./workers.js"
import { accountSubdomain, scriptOnWorkersDev, setScriptOnWorkersDev } from "./workers-dev.js"

export interface DeployTarget {
  readonly kind: "local" | "cloudflare"
  readonly provider: SecretProvider
  readonly accountId?: string
  /** For the store node of a local environment: the store's directory, relative to the project. */
  readonly storeLocation?: string
  /** The store, if there is one; never creates it. */
  findStore(): Promise<StoreRef | undefined>
  /** The account's Worker script names (Cloudflare); undefined for local environments. */
  liveScripts(): Promise<Set<string> | undefined>
  /** Upload one Worker (Cloudflare only). */
  upload(script: WorkerScript, options: UploadOptions): Promise<void>
  /** Cloudflare: the account's workers.dev subdomain (null: none registered); undefined for local. */
  workersSubdomain(): Promise<string | null | undefined>
  /** Cloudflare: whether each named (existing) script's workers.dev route is on. */
  workersDevStatus(names: readonly string[]): Promise<Map<string, boolean>>
  setWorkersDev(name: string, enabled: boolean): Promise<void>
  /** Cloudflare: the account's secret quota and usage; undefined for local. */
  quota(): Promise<{ quota: number; usage: number } | undefined>
}

export interface TargetContext {
  projectRoot: string
  environment: string
  home: string
  owner: { workspace: string; project: string }
  env: NodeJS.ProcessEnv
  debug: (message: string) => void
  warn: (message: string) => void
}

export async function openDeployTarget(config: EnvironmentConfig, context: TargetContext): Promise<DeployTarget> {
  if (config.provider === "local") {
    const provider = createLocalProvider({ projectRoot: context.projectRoot, environment: context.environment, home: context.home, owner: context.owner })
    await provider.checkStoreKey()
    return {
      kind: "local",
      provider,
      storeLocation: relative(context.projectRoot, provider.directory),
      findStore: () => provider.resolveStore(),
      liveScripts: async () => undefined,
      upload: async () => {
        throw new Error("a local environment has no Workers to upload to")
      },
      workersSubdomain: async () => undefined,
      workersDevStatus: async () => new Map(),
      setWorkersDev: async () => {
        throw new Error("a local environment has no workers.dev routes")
      },
      quota: async () => undefined,
    }
  }
  const credentials = await resolveCloudflareCredentials({ name: context.environment, accountId: config.accountId }, { home: context.home, env: context.env, warn: context.warn })
  context.debug(`cloudflare: account ${credentials.accountId} (from ${credentials.accountIdSource}), token from ${credentials.source}`)
  const { accountId } = credentials
  const apiToken = credentials.apiToken.reveal()
  const provider = createCloudflareProvider({ accountId, apiToken, home: context.home, env: context.env, debug: context.debug })
  const api = new CloudflareApi({ apiToken, env: context.env, debug: context.debug })
  return {
    kind: "cloudflare",
    provider,
    accountId,
    async findStore() {
      const { items } = await listStores(api, accountId)
      const oldest = items[0]
      return oldest ? { id: oldest.id, name: oldest.name } : undefined
    },
    liveScripts: () => listScriptNames(api, accountId),
    upload: (script, options) => uploadScript(api, accountId, script, options),
    workersSubdomain: () => accountSubdomain(api, accountId),
    async workersDevStatus(names) {
      const status = new Map<string, boolean>()
      for (const name of names) status.set(name, await scriptOnWorkersDev(api, accountId, name))
      return status
    },
    setWorkersDev: (name, enabled) => setScriptOnWorkersDev(api, accountId, name, enabled),
    quota: async () => (await getQuota(api, accountId)).secrets,
  }
}
