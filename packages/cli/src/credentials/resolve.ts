/**
 * Which Cloudflare token and account a command uses (docs/design.md#cli):
 * - the token: CLOUDFLARE_API_TOKEN, else what `layer login` stored (keychain, else file);
 * - the account: the environment's accountId in layeron.config.ts (the project says where
 *   its environment lives), else CLOUDFLARE_ACCOUNT_ID, else the account chosen at login.
 *   A CLOUDFLARE_ACCOUNT_ID that disagrees with the config gets a warning, not a silent pick.
 */
import { LayerError } from "../errors.js"
import { checkAccountId } from "../providers/cloudflare/checks.js"
import { SecretText } from "../providers/provider.js"
import { loadStoredToken } from "./storage.js"
import type { StorageContext } from "./storage.js"
import type { CloudflareCredentials, LoadedToken } from "./types.js"
import { quoteInput } from "../output/quote.js"

/** The token from the environment, else the stored one; undefined when there is none. */
export async function loadToken(context: StorageContext): Promise<LoadedToken | undefined> {
  const fromEnv = context.env.CLOUDFLARE_API_TOKEN
  if (fromEnv) {
    return { source: "env", apiToken: new SecretText(fromEnv.trim()), accountId: undefined, tokenKind: undefined, location: undefined }
  }
  return loadStoredToken(context)
}

export interface EnvironmentAccount {
  /** The environment's name, for messages. */
  name: string
  /** `environments.<name>.accountId` from layeron.config.ts. */
  accountId?: string
}

export async function resolveCloudflareCredentials(environment: EnvironmentAccount, context: StorageContext): Promise<CloudflareCredentials> {
  const token = await loadToken(context)
  if (!token) {
    throw new LayerError("not_logged_in", `environment "${environment.name}" uses Cloudflare and no API token is available`, {
      hint: "run `layer login`, or export CLOUDFLARE_API_TOKEN",
    })
  }
  const fromEnv = context.env.CLOUDFLARE_ACCOUNT_ID || undefined
  if (environment.accountId) {
    const accountId = checkAccountId(environment.accountId, `environments.${environment.name}.accountId`)
    if (fromEnv && fromEnv.toLowerCase() !== accountId) {
      context.warn(`CLOUDFLARE_ACCOUNT_ID (${quoteInput(fromEnv)}) differs from environments.${environment.name}.accountId (${accountId}); using the config's`)
    }
    return { ...pick(token), accountId, accountIdSource: "config" }
  }
  if (fromEnv) {
    return { ...pick(token), accountId: checkAccountId(fromEnv, "CLOUDFLARE_ACCOUNT_ID"), accountIdSource: "CLOUDFLARE_ACCOUNT_ID" }
  }
  if (token.accountId) return { ...pick(token), accountId: token.accountId, accountIdSource: "login" }
  throw new LayerError("missing_account_id", `environment "${environment.name}" uses Cloudflare but no account id is known`, {
    hint: `set environments.${environment.name}.accountId in layeron.config.ts, export CLOUDFLARE_ACCOUNT_ID, or run \`layer login --account-id <id>\``,
  })
}

function pick(token: LoadedToken) {
  return { source: token.source, apiToken: token.apiToken, location: token.location }
}
