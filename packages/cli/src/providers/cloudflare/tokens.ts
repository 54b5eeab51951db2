/**
 * Token and account endpoints that `layer login` and `layer whoami` call (reference §1.2).
 * User tokens verify at /user/tokens/verify; account-owned tokens (prefix `cfat_`) only at
 * /accounts/{id}/tokens/verify.
 */
import type { Account } from "cloudflare/resources/accounts/accounts"
import type { TokenVerifyResponse } from "cloudflare/resources/user/tokens/tokens"
import type { CloudflareApi } from "./api.js"
import { type Page, type PageQuery, MAX_PER_PAGE } from "./secrets.js"
import { ACCOUNT_LIST, TOKEN_VERIFY } from "./shapes.js"

export type { Account, TokenVerifyResponse }

export async function verifyUserToken(api: CloudflareApi): Promise<TokenVerifyResponse> {
  const { result } = await api.call<TokenVerifyResponse>({ method: "GET", path: "/user/tokens/verify", expect: TOKEN_VERIFY })
  return result
}

export async function verifyAccountToken(api: CloudflareApi, accountId: string): Promise<TokenVerifyResponse> {
  const { result } = await api.call<TokenVerifyResponse>({ method: "GET", path: `/accounts/${accountId}/tokens/verify`, expect: TOKEN_VERIFY })
  return result
}

/** Accounts the token can see. (The endpoint caps per_page at 50.) */
export async function listAccounts(api: CloudflareApi, query: PageQuery = {}): Promise<Page<Account>> {
  const { result, resultInfo } = await api.call<Account[]>({
    method: "GET",
    path: "/accounts",
    query: { page: query.page ?? 1, per_page: query.perPage ?? Math.min(50, MAX_PER_PAGE) },
    expect: ACCOUNT_LIST,
  })
  return { items: result, resultInfo }
}
