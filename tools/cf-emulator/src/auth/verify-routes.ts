/**
 * Token verification. User tokens verify at /user/tokens/verify; account-owned tokens (`cfat_`)
 * fail there with 401 "Invalid API Token" and verify at /accounts/{id}/tokens/verify instead.
 * An expired or disabled token verifies successfully but reports its status (DECIDED: the SDK's
 * result type carries the status, so clients must read it).
 */
import { CfErrors } from "../http/cf-errors.js"
import { openRoute, type ApiResponse, type ApiRoute } from "../http/api-route.js"
import type { TokenRecord } from "../state.js"

export const verifyRoutes: ApiRoute[] = [
  openRoute("GET", "/user/tokens/verify", (ctx) => {
    const token = ctx.state.tokens.get(ctx.bearer)
    if (token === undefined || token.kind !== "user") throw CfErrors.invalidApiToken()
    return verified(token)
  }),
  openRoute("GET", "/accounts/:account_id/tokens/verify", (ctx) => {
    const token = ctx.state.tokens.get(ctx.bearer)
    const accountId = ctx.params.account_id as string
    if (token === undefined || token.kind !== "account" || !token.accountIds.includes(accountId)) {
      throw CfErrors.invalidApiToken()
    }
    return verified(token)
  }),
]

function verified(token: TokenRecord): ApiResponse {
  const result: Record<string, string> = { id: token.id, status: token.status }
  if (token.status === "expired") result.expires_on = token.createdOn.replace(/\.\d{3}Z$/, "Z")
  const messages = token.status === "active" ? [{ code: 10000, message: "This API Token is valid and active" }] : []
  return { result, messages }
}
