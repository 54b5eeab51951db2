/**
 * Stores and quota under /accounts/{account_id}/secrets_store. One store per account during the
 * open beta: a second create is `maximum_stores_exceeded` (400, code 1003). Deleting a store
 * that holds secrets is 409 `store_not_empty` unless `force=true`, which deletes them too.
 */
import { SECRETS_STORE_READ, SECRETS_STORE_WRITE } from "../auth/authorize.js"
import { accountRoute, type ApiRoute } from "../http/api-route.js"
import { CfErrors } from "../http/cf-errors.js"
import { compareBy, paginate, parseOrder, parsePageRequest } from "../http/pagination.js"
import { findStore, storeView } from "./views.js"
import { isPlainObject } from "./validate.js"

const BASE = "/accounts/:account_id/secrets_store"
export const MAX_STORES_PER_ACCOUNT = 1

export const storeRoutes: ApiRoute[] = [
  accountRoute("GET", `${BASE}/stores`, SECRETS_STORE_READ, (ctx) => {
    const request = parsePageRequest(ctx.query, { defaultPerPage: 20, maxPerPage: 100 })
    const { field, direction } = parseOrder(ctx.query, ["name", "created", "modified"] as const, "created")
    const stores = [...ctx.account.stores.values()].sort(compareBy((store) => store[field], direction))
    const { items, resultInfo } = paginate(stores, request, { totalPages: ctx.settings.schema === "legacy" })
    return { result: items.map(storeView), resultInfo }
  }),

  accountRoute("POST", `${BASE}/stores`, SECRETS_STORE_WRITE, async (ctx) => {
    const body = await ctx.json()
    // The current API takes {name}; early versions took [{name}] (UNCERTAIN whether still accepted). Both work here.
    const asArray = Array.isArray(body)
    const items = asArray ? body : [body]
    if (items.length === 0) throw CfErrors.invalidJsonBody("expected {\"name\": \"...\"}")
    const names = items.map((item) => {
      if (!isPlainObject(item)) throw CfErrors.invalidJsonBody("expected {\"name\": \"...\"}")
      if (typeof item.name !== "string" || item.name.trim() === "") throw CfErrors.storeNameEmpty()
      return item.name
    })
    if (ctx.account.stores.size + names.length > MAX_STORES_PER_ACCOUNT) throw CfErrors.maximumStoresExceeded()
    const created = names.map((name) => storeView(ctx.state.createStore(ctx.account, name)))
    return { result: asArray ? created : created[0] }
  }),

  accountRoute("GET", `${BASE}/stores/:store_id`, SECRETS_STORE_READ, (ctx) => {
    return { result: storeView(findStore(ctx.account, ctx.params.store_id as string)) }
  }),

  accountRoute("DELETE", `${BASE}/stores/:store_id`, SECRETS_STORE_WRITE, (ctx) => {
    const store = findStore(ctx.account, ctx.params.store_id as string)
    const force = ctx.query.get("force") === "true"
    if (store.secrets.size > 0 && !force) throw CfErrors.storeNotEmpty()
    ctx.account.stores.delete(store.id)
    return { result: null }
  }),

  accountRoute("GET", `${BASE}/quota`, SECRETS_STORE_READ, (ctx) => {
    return { result: { secrets: { quota: ctx.account.quota, usage: ctx.state.secretCount(ctx.account) } } }
  }),
]
