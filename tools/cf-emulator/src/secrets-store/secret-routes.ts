/**
 * Secrets under /accounts/{account_id}/secrets_store/stores/{store_id}/secrets: bulk create
 * (a JSON array, all or nothing), list with page/per_page/search/order/direction, get (never
 * the value), PATCH (value, scopes, comment; same id), delete and duplicate. New or re-valued
 * secrets are `pending` for `pendingDelayMs`, then `active`.
 */
import { SECRETS_STORE_READ, SECRETS_STORE_WRITE } from "../auth/authorize.js"
import { accountRoute, type AccountContext, type ApiRoute } from "../http/api-route.js"
import { CfErrors } from "../http/cf-errors.js"
import { compareBy, paginate, parseOrder, parsePageRequest } from "../http/pagination.js"
import { randomHexId } from "../ids.js"
import type { SecretRecord, StoreRecord } from "../state.js"
import { checkComment, checkName, checkScopes, checkSecretInput, checkValue, isPlainObject, type SecretInput } from "./validate.js"
import { findSecret, findStore, secretStatus, secretView } from "./views.js"

const SECRETS = "/accounts/:account_id/secrets_store/stores/:store_id/secrets"
const ORDER_FIELDS = ["name", "comment", "created", "modified", "status"] as const

export const secretRoutes: ApiRoute[] = [
  accountRoute("GET", SECRETS, SECRETS_STORE_READ, (ctx) => {
    const store = findStore(ctx.account, ctx.params.store_id as string)
    const request = parsePageRequest(ctx.query, { defaultPerPage: 20, maxPerPage: 100 })
    const { field, direction } = parseOrder(ctx.query, ORDER_FIELDS, "created")
    const now = ctx.clock.now()
    const search = (ctx.query.get("search") ?? "").toLowerCase()
    const scopes = ctx.query.getAll("scopes").flatMap((entry) => entry.split(",")).filter((scope) => scope !== "")
    const matching = [...store.secrets.values()]
      // DECIDED: search is a case-insensitive substring match over name and comment.
      .filter((s) => search === "" || s.name.toLowerCase().includes(search) || s.comment.toLowerCase().includes(search))
      .filter((s) => scopes.every((scope) => s.scopes.includes(scope)))
      .sort(compareBy((s) => (field === "status" ? secretStatus(s, now) : s[field]), direction))
    const { items, resultInfo } = paginate(matching, request, { totalPages: ctx.settings.schema === "legacy" })
    return { result: items.map((secret) => secretView(secret, now)), resultInfo }
  }),

  accountRoute("POST", SECRETS, SECRETS_STORE_WRITE, async (ctx) => {
    const store = findStore(ctx.account, ctx.params.store_id as string)
    const body = await ctx.json()
    if (!Array.isArray(body)) throw CfErrors.invalidJsonBody("expected a JSON array of {name, value, scopes, comment?}")
    if (body.length === 0) throw CfErrors.invalidJsonBody("the array holds no secrets")
    const inputs = body.map((item, index) => checkSecretInput(item, index))
    const seen = new Set<string>()
    for (const input of inputs) {
      if (seen.has(input.name) || ctx.state.findSecretByName(store, input.name) !== undefined) {
        throw CfErrors.secretNameAlreadyExists(input.name)
      }
      seen.add(input.name)
    }
    checkQuota(ctx, inputs.length)
    const created = inputs.map((input) => addSecret(ctx, store, input))
    const now = ctx.clock.now()
    return { result: created.map((secret) => secretView(secret, now)) }
  }),

  accountRoute("GET", `${SECRETS}/:secret_id`, SECRETS_STORE_READ, (ctx) => {
    const store = findStore(ctx.account, ctx.params.store_id as string)
    return { result: secretView(findSecret(store, ctx.params.secret_id as string), ctx.clock.now()) }
  }),

  accountRoute("PATCH", `${SECRETS}/:secret_id`, SECRETS_STORE_WRITE, async (ctx) => {
    const store = findStore(ctx.account, ctx.params.store_id as string)
    const secret = findSecret(store, ctx.params.secret_id as string)
    const body = await ctx.json()
    if (!isPlainObject(body)) throw CfErrors.invalidJsonBody("expected an object with value, scopes or comment")
    if (body.name !== undefined && body.name !== secret.name) throw CfErrors.secretNameImmutable()
    if (body.value === undefined && body.scopes === undefined && body.comment === undefined) {
      throw CfErrors.invalidJsonBody("PATCH needs at least one of value, scopes, comment")
    }
    // Check everything before changing anything.
    const value = body.value === undefined ? undefined : checkValue(secret.name, body.value)
    const scopes = body.scopes === undefined ? undefined : checkScopes(body.scopes)
    const comment = body.comment === undefined ? undefined : checkComment(body.comment)
    if (value !== undefined) {
      secret.value = value
      secret.activeAt = ctx.clock.now() + ctx.settings.pendingDelayMs
    }
    if (scopes !== undefined) secret.scopes = scopes
    if (comment !== undefined) secret.comment = comment
    secret.modified = ctx.clock.timestamp()
    return { result: secretView(secret, ctx.clock.now()) }
  }),

  accountRoute("DELETE", `${SECRETS}/:secret_id`, SECRETS_STORE_WRITE, (ctx) => {
    const store = findStore(ctx.account, ctx.params.store_id as string)
    const secret = findSecret(store, ctx.params.secret_id as string)
    store.secrets.delete(secret.id)
    // FACTS.md 2.10: the published schema answers 202 with the secret; the older form 200 with null.
    if (ctx.settings.schema === "legacy") return { result: null }
    return { status: 202, result: { ...secretView(secret, ctx.clock.now()), status: "deleted" } }
  }),

  accountRoute("POST", `${SECRETS}/:secret_id/duplicate`, SECRETS_STORE_WRITE, async (ctx) => {
    const store = findStore(ctx.account, ctx.params.store_id as string)
    const source = findSecret(store, ctx.params.secret_id as string)
    const body = await ctx.json()
    if (!isPlainObject(body)) throw CfErrors.invalidJsonBody("expected {name, scopes, comment?}")
    const name = checkName(body.name)
    const scopes = checkScopes(body.scopes)
    const comment = checkComment(body.comment)
    if (ctx.state.findSecretByName(store, name) !== undefined) throw CfErrors.secretNameAlreadyExists(name)
    checkQuota(ctx, 1)
    const copy = addSecret(ctx, store, { name, value: source.value, scopes, comment })
    return { result: secretView(copy, ctx.clock.now()) }
  }),
]

function checkQuota(ctx: AccountContext, adding: number): void {
  const usage = ctx.state.secretCount(ctx.account)
  if (usage + adding > ctx.account.quota) throw CfErrors.quotaExceeded(ctx.account.quota)
}

function addSecret(ctx: AccountContext, store: StoreRecord, input: SecretInput): SecretRecord {
  const now = ctx.clock.timestamp()
  const secret: SecretRecord = {
    id: randomHexId(),
    storeId: store.id,
    name: input.name,
    comment: input.comment,
    scopes: input.scopes,
    value: input.value,
    created: now,
    modified: now,
    activeAt: ctx.clock.now() + ctx.settings.pendingDelayMs,
  }
  store.secrets.set(secret.id, secret)
  return secret
}
