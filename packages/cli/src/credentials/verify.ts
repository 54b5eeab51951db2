/**
 * What `layer login` and `layer whoami` check with Cloudflare before trusting a token:
 * 1. the token is known and active (GET /user/tokens/verify; account-owned `cfat_` tokens at
 *    GET /accounts/{id}/tokens/verify, also tried when the user endpoint says 401/403);
 * 2. the account: the one asked for must be among those the token reaches; without one, the
 *    token must reach exactly one;
 * 3. Secrets Store access on that account (GET /accounts/{id}/secrets_store/stores);
 * 4. Workers Scripts access on that account (GET /accounts/{id}/workers/scripts), which deploy
 *    needs. Both probes are reads: they confirm Read, never Edit. Cloudflare's verify endpoint
 *    says nothing about permissions, and write access can only be confirmed by writing, so
 *    `permissionReport` says which were confirmed and which were not.
 * Each failure is a LayerError naming the problem and the fix; nothing is stored here.
 */
import { LayerError } from "../errors.js"
import type { CloudflareApi } from "../providers/cloudflare/api.js"
import { checkAccountId } from "../providers/cloudflare/checks.js"
import { CloudflareApiError, TOKEN_PERMISSION, TOKEN_PERMISSION_HINT } from "../providers/cloudflare/errors.js"
import { hasNextPage, listStores } from "../providers/cloudflare/secrets.js"
import { type Account, type TokenVerifyResponse, listAccounts, verifyAccountToken, verifyUserToken } from "../providers/cloudflare/tokens.js"
import type { TokenKind } from "./types.js"

const CREATE_TOKEN_HINT =
  `create a token at https://dash.cloudflare.com/profile/api-tokens with the permission "${TOKEN_PERMISSION}", ` +
  "then run `layer login` again (copy the whole token, without quotes or spaces)"
/** Pages of /accounts read before giving up on finding an account (50 per page). */
const MAX_ACCOUNT_PAGES = 10

export interface AccountChoice {
  accountId: string
  /** Where it came from, for messages: "--account-id", "CLOUDFLARE_ACCOUNT_ID", "environments.production.accountId". */
  source: string
}

export interface VerifiedToken {
  tokenKind: TokenKind
  status: TokenVerifyResponse["status"]
  expiresOn: string | undefined
}

export interface VerifiedLogin extends VerifiedToken {
  accountId: string
  accountName: string | undefined
  /** Stores the token can see on the account (0 before the first `layer secret set`). */
  storeCount: number
  /** Whether the token may read the account's Workers scripts (deploy needs Edit). */
  workersScripts: WorkersProbe
}

export type WorkersProbe = { access: true; scripts: number } | { access: false; problem: string; hint: string }

/** What the probes confirmed, in the dashboard's words. */
export interface PermissionReport {
  confirmed: string[]
  missing: string[]
  /** Held or not: only a write shows it. */
  unconfirmed: string[]
  note: string
}

export const WRITE_NOTE = "Cloudflare does not say which permissions a token has; reads confirm Read, and write access (Edit) can only be confirmed by writing: the first `layer secret set` and `layer deploy` do"

/** Steps 1 to 3 for `layer login`. */
export async function verifyLogin(api: CloudflareApi, requested: AccountChoice | undefined): Promise<VerifiedLogin> {
  const choice = requested && { ...requested, accountId: checkAccountId(requested.accountId, requested.source) }
  const token = await verifyToken(api, choice?.accountId)
  requireActive(token)
  const accounts = await visibleAccounts(api)
  const account = chooseAccount(choice, accounts)
  const storeCount = await probeSecretsStore(api, account.id, account.name)
  const workersScripts = await probeWorkersScripts(api, account.id)
  return { ...token, accountId: account.id, accountName: account.name, storeCount, workersScripts }
}

/** Step 4: may this token read the account's Workers scripts? A 403 is reported, not thrown. */
export async function probeWorkersScripts(api: CloudflareApi, accountId: string): Promise<WorkersProbe> {
  try {
    const { result } = await api.call<Array<{ id: string }> | null>({ method: "GET", path: `/accounts/${accountId}/workers/scripts` })
    return { access: true, scripts: (result ?? []).length }
  } catch (error) {
    if (error instanceof CloudflareApiError && error.status === 403 && !error.has(9109)) {
      return {
        access: false,
        problem: `the API token cannot read Workers scripts on account ${accountId}, so \`layer deploy\` will fail`,
        hint: 'add "Workers Scripts Edit" (Account › Workers Scripts › Edit) to the token at https://dash.cloudflare.com/profile/api-tokens, then run `layer login` again; a token only for `layer secret set` does not need it',
      }
    }
    throw error
  }
}

export function permissionReport(secretsStore: boolean, workers: WorkersProbe | undefined): PermissionReport {
  const confirmed: string[] = []
  const missing: string[] = []
  ;(secretsStore ? confirmed : missing).push("Account Secrets Store Read")
  if (workers) (workers.access ? confirmed : missing).push("Account Workers Scripts Read")
  const unconfirmed = ["Account Secrets Store Edit", ...(workers?.access ? ["Account Workers Scripts Edit"] : [])]
  return { confirmed, missing, unconfirmed, note: WRITE_NOTE }
}

/**
 * Step 1. `accountId` lets an account token be verified; without one, an account token is
 * verified against each account it can list (it lists only its own).
 */
export async function verifyToken(api: CloudflareApi, accountId: string | undefined): Promise<VerifiedToken> {
  const looksAccountOwned = api.tokenPrefix === "cfat_"
  if (!looksAccountOwned) {
    try {
      return describe("user", await verifyUserToken(api))
    } catch (error) {
      if (!(error instanceof CloudflareApiError && (error.status === 401 || error.status === 403))) throw error
      if (!accountId) throw invalidToken(error)
      // Maybe an account-owned token without the usual prefix.
      return verifyAsAccountToken(api, accountId, error)
    }
  }
  if (accountId) return verifyAsAccountToken(api, accountId)
  const accounts = await visibleAccounts(api).catch((error: unknown) => {
    throw error instanceof CloudflareApiError && error.status === 401 ? invalidToken(error) : error
  })
  const [only] = accounts ?? []
  if (!only) {
    throw new LayerError("account_id_required", "this is an account-owned token (cfat_…), and Cloudflare verifies those per account", {
      hint: "pass --account-id <the token's account id>",
    })
  }
  return verifyAsAccountToken(api, only.id)
}

async function verifyAsAccountToken(api: CloudflareApi, accountId: string, earlier?: CloudflareApiError): Promise<VerifiedToken> {
  try {
    return describe("account", await verifyAccountToken(api, accountId))
  } catch (error) {
    if (error instanceof CloudflareApiError && (error.status === 401 || error.status === 403)) throw invalidToken(earlier ?? error, accountId)
    throw error
  }
}

function describe(kind: TokenKind, result: TokenVerifyResponse): VerifiedToken {
  return { tokenKind: kind, status: result.status, expiresOn: result.expires_on }
}

export function requireActive(token: VerifiedToken): void {
  if (token.status === "active") return
  const when = token.status === "expired" && token.expiresOn ? ` (it expired at ${token.expiresOn})` : ""
  throw new LayerError(`token_${token.status}`, `Cloudflare says this API token is ${token.status}${when}`, {
    hint: token.status === "expired" ? `roll the token or ${CREATE_TOKEN_HINT}` : `enable it again in the dashboard, or ${CREATE_TOKEN_HINT}`,
    details: { tokenStatus: token.status },
  })
}

function invalidToken(cause: CloudflareApiError, accountId?: string): LayerError {
  const where = accountId ? ` (tried as a user token and as an account token of ${accountId})` : ""
  return new LayerError("token_invalid", `Cloudflare does not recognise this API token${where}`, { hint: CREATE_TOKEN_HINT, cause })
}

/** Accounts the token reaches; undefined when it may not list them (then the probe decides). */
async function visibleAccounts(api: CloudflareApi): Promise<Account[] | undefined> {
  const all: Account[] = []
  try {
    for (let page = 1; page <= MAX_ACCOUNT_PAGES; page++) {
      const { items, resultInfo } = await listAccounts(api, { page })
      all.push(...items)
      if (!hasNextPage(resultInfo, page, 50, items.length)) break
    }
  } catch (error) {
    if (error instanceof CloudflareApiError && error.status === 403) return undefined
    // An account-owned token may get 400 `1001 List accounts endpoint does not support account
    // owned tokens.`: the token is fine, it just cannot list; the account must be named.
    if (error instanceof CloudflareApiError && error.status === 400 && error.errors.some((entry) => /account owned tokens/i.test(entry.message))) return undefined
    throw error
  }
  return all
}

function chooseAccount(choice: AccountChoice | undefined, accounts: Account[] | undefined): { id: string; name: string | undefined } {
  if (choice) {
    if (accounts === undefined) return { id: choice.accountId, name: undefined }
    const match = accounts.find((account) => account.id === choice.accountId)
    if (match) return { id: match.id, name: match.name }
    throw new LayerError(
      "account_not_accessible",
      `the API token cannot access account ${choice.accountId} (from ${choice.source})` + (accounts.length ? `; it can access ${listing(accounts)}` : "; it reaches no account at all"),
      {
        hint: accounts.length
          ? "pass --account-id with one of those, or use a token created for that account"
          : `add the account to the token's "Account Resources" at https://dash.cloudflare.com/profile/api-tokens`,
        details: { accountId: choice.accountId, accessible: accounts.map((account) => ({ id: account.id, name: account.name })) },
      },
    )
  }
  if (accounts === undefined) {
    throw new LayerError("account_id_required", "the API token may not list its accounts, so layer cannot pick one", {
      hint: "pass --account-id <32 hex digits> (the Account ID in the Cloudflare dashboard's sidebar)",
    })
  }
  const [only, second] = accounts
  if (!only) {
    throw new LayerError("no_accounts", "the API token reaches no Cloudflare account", {
      hint: `add an account to the token's "Account Resources", with the permission "${TOKEN_PERMISSION}"`,
    })
  }
  if (second) {
    throw new LayerError("account_ambiguous", `the API token reaches ${accounts.length} accounts: ${listing(accounts)}`, {
      hint: "choose one with --account-id <id> (or set accountId on the Cloudflare environment in layeron.config.ts)",
      details: { accounts: accounts.map((account) => ({ id: account.id, name: account.name })) },
    })
  }
  return { id: only.id, name: only.name }
}

/** Step 3: can this token use Secrets Store on the account? Returns how many stores it sees. */
export async function probeSecretsStore(api: CloudflareApi, accountId: string, accountName?: string): Promise<number> {
  try {
    const { items, resultInfo } = await listStores(api, accountId, { perPage: 10 })
    return resultInfo?.total_count ?? items.length
  } catch (error) {
    if (error instanceof CloudflareApiError && error.status === 403 && !error.has(9109)) {
      const named = accountName ? `${accountId} (${accountName})` : accountId
      throw new LayerError("secrets_store_access_missing", `the API token cannot use Secrets Store on account ${named}`, {
        hint: TOKEN_PERMISSION_HINT,
        cause: error,
      })
    }
    throw error
  }
}

function listing(accounts: Account[]): string {
  return accounts.map((account) => `${account.id} (${account.name})`).join(", ")
}
