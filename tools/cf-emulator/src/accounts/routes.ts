/** GET /accounts: the accounts a token reaches, paginated (per_page 1..50, default 20). */
import { paginate, parsePageRequest } from "../http/pagination.js"
import { tokenRoute, type ApiRoute } from "../http/api-route.js"
import { CfErrors } from "../http/cf-errors.js"
import type { AccountRecord } from "../state.js"

export const accountRoutes: ApiRoute[] = [
  tokenRoute("GET", "/accounts", (ctx) => {
    if (ctx.token.kind === "account" && ctx.token.accountList === "refuses") throw CfErrors.accountListUnsupported()
    const request = parsePageRequest(ctx.query, { defaultPerPage: 20, maxPerPage: 50 })
    const accounts = ctx.token.accountIds
      .map((id) => ctx.state.accounts.get(id))
      .filter((account): account is AccountRecord => account !== undefined)
    const { items, resultInfo } = paginate(accounts, request)
    return {
      result: items.map((account) => ({ id: account.id, name: account.name, type: "standard", created_on: account.createdOn })),
      resultInfo,
    }
  }),
]
