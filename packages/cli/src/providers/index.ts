/**
 * The one place that turns an environment's config into a provider. The Cloudflare
 * provider (and its SDK-free REST client) is imported only when an environment uses it.
 */
import { LayerError } from "../errors.js"
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
  env: NodeJS.ProcessEnv
  debug?: (message: string) => void
  /**
   * The API token when CLOUDFLARE_API_TOKEN is unset (credentials stored by `layer login`);
   * undefined when there is none.
   */
  storedApiToken?: () => Promise<string | undefined>
}

/** What `./cloudflare/index.js` exports (written separately; loaded on demand). */
export interface CloudflareProviderModule {
  createCloudflareProvider(options: { accountId: string; apiToken: string; baseUrl?: string; home: string; debug?: (message: string) => void }): SecretProvider
}

export async function createProvider(environment: EnvironmentConfig, context: ProviderContext): Promise<SecretProvider> {
  if (environment.provider === "local") {
    return createLocalProvider({ projectRoot: context.projectRoot, environment: context.environment, home: context.home })
  }
  const accountId = environment.accountId ?? context.env.CLOUDFLARE_ACCOUNT_ID
  if (!accountId) {
    throw new LayerError("missing_account_id", `environment "${context.environment}" uses Cloudflare but has no account id`, {
      hint: `set environments.${context.environment}.accountId in layeron.config.ts or export CLOUDFLARE_ACCOUNT_ID`,
    })
  }
  const apiToken = context.env.CLOUDFLARE_API_TOKEN || (await context.storedApiToken?.())
  if (!apiToken) {
    throw new LayerError("not_logged_in", `environment "${context.environment}" uses Cloudflare and no API token is available`, {
      hint: "run `layer login`, or export CLOUDFLARE_API_TOKEN",
    })
  }
  // A variable specifier: the module is another engineer's and may be absent from a build.
  const specifier = "./cloudflare/index.js"
  const cloudflare = (await import(specifier)) as CloudflareProviderModule
  const baseUrl = context.env.CLOUDFLARE_API_BASE_URL
  return cloudflare.createCloudflareProvider({
    accountId,
    apiToken,
    ...(baseUrl ? { baseUrl } : {}),
    home: context.home,
    ...(context.debug ? { debug: context.debug } : {}),
  })
}
