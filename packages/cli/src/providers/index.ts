/**
 * The one place that turns an environment's config into a provider. The Cloudflare
 * provider (and its SDK-free REST client) is imported only when an environment uses it;
 * its credentials come from credentials/resolve.ts (environment variables, then what
 * `layer login` stored).
 */
import type { EnvironmentConfig } from "../config/types.js"
import { createLocalProvider } from "./local/index.js"
import type { SecretProvider } from "./provider.js"

export type { SecretProvider, SecretMetadata, ListPage, StoreRef, UpsertResult } from "./provider.js"
export { SecretText } from "./provider.js"
export { LocalSecretProvider, createLocalProvider } from "./local/index.js"

export interface ProviderContext {
  projectRoot: string
  environment: string
  /** LAYERON_HOME. */
  home: string
  /** The project's workspace and name: the local store binds its records to them. */
  owner: { workspace: string; project: string }
  env: NodeJS.ProcessEnv
  debug?: (message: string) => void
  /** Warnings about credentials (a file made private again, a conflicting CLOUDFLARE_ACCOUNT_ID). */
  warn?: (message: string) => void
  /** The CLI's clock (clock.ts): the local store's `modified` comes from it. Cloudflare keeps its own. */
  now?: () => Date
}

export async function createProvider(environment: EnvironmentConfig, context: ProviderContext): Promise<SecretProvider> {
  if (environment.provider === "local") {
    const local = createLocalProvider({ projectRoot: context.projectRoot, environment: context.environment, home: context.home, owner: context.owner, ...(context.now ? { now: context.now } : {}) })
    await local.checkStoreKey()
    return local
  }
  // Loaded on demand: only Cloudflare environments pay for the client and the keychain probe.
  const [{ resolveCloudflareCredentials }, { createCloudflareProvider }] = await Promise.all([import("../credentials/resolve.js"), import("./cloudflare/index.js")])
  const credentials = await resolveCloudflareCredentials(
    { name: context.environment, accountId: environment.accountId },
    { home: context.home, env: context.env, warn: context.warn ?? context.debug ?? (() => {}) },
  )
  context.debug?.(`cloudflare: account ${credentials.accountId} (from ${credentials.accountIdSource}), token from ${credentials.source}`)
  return createCloudflareProvider({
    accountId: credentials.accountId,
    apiToken: credentials.apiToken.reveal(),
    home: context.home,
    env: context.env,
    ...(context.debug ? { debug: context.debug } : {}),
  })
}
