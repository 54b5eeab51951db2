/**
 * The Cloudflare provider (docs/design.md#providers): the account's one Secrets Store, secrets found by
 * exact name, created with scopes ["workers"] or replaced in place (same id, so bindings keep
 * working). Every check that needs no request runs before the first one.
 *
 * Request budget for `secret set` once the store id is cached: one lookup (a search that
 * fits one page) and one write. Within one run, a secret this provider has just listed or
 * found is written without a second lookup (rotation: one lookup and one write per secret).
 */
import { LayerError } from "../../errors.js"
import type { ListPage, SecretMetadata, SecretProvider, SecretText, StoreRef, UpsertOptions, UpsertResult } from "../provider.js"
import { CloudflareApi } from "./api.js"
import { checkSecretName, checkSecretValue } from "../secret-checks.js"
import { checkAccountId } from "./checks.js"
import { CloudflareApiError, isQuotaRefusal, isValueSizeRefusal } from "./errors.js"
import {
  type CloudflareSecret,
  type SecretScope,
  MAX_PER_PAGE,
  createSecrets,
  deleteSecret,
  editSecret,
  getQuota,
  hasNextPage,
  listSecrets,
} from "./secrets.js"
import { StoreResolver } from "./store.js"

export { CloudflareApi, DEFAULT_API_BASE_URL } from "./api.js"
export { CloudflareApiError, TOKEN_PERMISSION, TOKEN_PERMISSION_HINT } from "./errors.js"
export { ACCOUNT_ID_PATTERN, checkAccountId } from "./checks.js"
export { storeCachePath } from "./store.js"

export interface CloudflareProviderOptions {
  accountId: string
  apiToken: string
  /** Default: CLOUDFLARE_API_BASE_URL, else https://api.cloudflare.com/client/v4. */
  baseUrl?: string
  /** LAYERON_HOME: the store id cache lives in it. */
  home: string
  debug?: (message: string) => void
  /** Where CLOUDFLARE_API_BASE_URL and LAYERON_MAX_RETRY_WAIT_MS/LAYERON_REQUEST_TIMEOUT_MS are read. */
  env?: NodeJS.ProcessEnv
  maxRetryWaitMs?: number
  requestTimeoutMs?: number
  backoffBaseMs?: number
}

/** Scopes every secret written by layer carries: Worker bindings need `workers`. */
const REQUIRED_SCOPES: readonly SecretScope[] = ["workers"]

export function createCloudflareProvider(options: CloudflareProviderOptions): SecretProvider {
  const accountId = checkAccountId(options.accountId)
  const api = new CloudflareApi({
    apiToken: options.apiToken,
    baseUrl: options.baseUrl,
    env: options.env,
    debug: options.debug,
    maxRetryWaitMs: options.maxRetryWaitMs,
    requestTimeoutMs: options.requestTimeoutMs,
    backoffBaseMs: options.backoffBaseMs,
  })
  return new CloudflareProvider(api, accountId, new StoreResolver(api, accountId, options.home, options.debug))
}

class CloudflareProvider implements SecretProvider {
  readonly kind = "cloudflare" as const
  readonly #api: CloudflareApi
  readonly #accountId: string
  readonly #stores: StoreResolver
  /** Secrets seen by this instance (name → last known id and scopes), to skip a lookup before a write. */
  readonly #seen = new Map<string, CloudflareSecret>()

  constructor(api: CloudflareApi, accountId: string, stores: StoreResolver) {
    this.#api = api
    this.#accountId = accountId
    this.#stores = stores
  }

  resolveStore(): Promise<StoreRef> {
    return this.#stores.resolve()
  }

  async storeExists(): Promise<boolean> {
    return (await this.#stores.findExisting()) !== undefined
  }

  async listPage(page = 1): Promise<ListPage> {
    if (!Number.isInteger(page) || page < 1) throw new RangeError(`listPage: page must be a whole number from 1; got ${page}`)
    return this.#stores.withStore(async (store) => {
      const { items, resultInfo } = await listSecrets(this.#api, this.#accountId, store.id, { page })
      for (const item of items) this.#seen.set(item.name, item)
      const secrets = items.map(toMetadata)
      return hasNextPage(resultInfo, page, MAX_PER_PAGE, items.length) ? { secrets, nextPage: page + 1 } : { secrets }
    })
  }

  /**
   * Every page. When the first page says how many there are, the rest are fetched at once
   * (each request waits on the network, not on the previous page); otherwise one by one.
   */
  async listAll(): Promise<SecretMetadata[]> {
    return this.#stores.withStore(async (store) => {
      const first = await listSecrets(this.#api, this.#accountId, store.id, { page: 1 })
      const totalPages = first.resultInfo?.total_pages
      const pages = [first.items]
      if (totalPages !== undefined) {
        const rest = Array.from({ length: Math.max(0, totalPages - 1) }, (_, index) => index + 2)
        const fetched = await Promise.all(rest.map((page) => listSecrets(this.#api, this.#accountId, store.id, { page })))
        pages.push(...fetched.map((page) => page.items))
      } else {
        for (let page = 1, items = first.items, info = first.resultInfo; hasNextPage(info, page, MAX_PER_PAGE, items.length); ) {
          page++
          ;({ items, resultInfo: info } = await listSecrets(this.#api, this.#accountId, store.id, { page }))
          pages.push(items)
        }
      }
      const all = pages.flat()
      for (const item of all) this.#seen.set(item.name, item)
      // Pages are ordered by name; a secret created meanwhile can shift one onto two pages.
      return [...new Map(all.map((item) => [item.id, toMetadata(item)])).values()]
    })
  }

  async capacity(): Promise<{ usage: number; quota: number } | undefined> {
    const { secrets } = await getQuota(this.#api, this.#accountId)
    return secrets && typeof secrets.quota === "number" && typeof secrets.usage === "number" ? { usage: secrets.usage, quota: secrets.quota } : undefined
  }

  async find(name: string): Promise<SecretMetadata | undefined> {
    checkSecretName(name)
    const found = await this.#stores.withStore((store) => this.#findIn(store, name))
    return found && toMetadata(found)
  }

  async upsert(name: string, value: SecretText, options: UpsertOptions = {}): Promise<UpsertResult> {
    checkSecretName(name)
    checkSecretValue(name, value)
    return this.#stores.withStore(async (store) => {
      try {
        return await this.#write(store, name, value, options.comment)
      } catch (error) {
        throw await this.#explainWriteFailure(error, name, value)
      }
    })
  }

  async annotate(name: string, comment: string): Promise<UpsertResult> {
    checkSecretName(name)
    return this.#stores.withStore(async (store) => {
      const existing = await this.#findIn(store, name)
      if (!existing) throw new LayerError("secret_not_found", `${name} is not in the store, so its comment cannot be written`, { hint: "write its value first (`layer secret set` or `layer deploy`)" })
      const updated = await editSecret(this.#api, this.#accountId, store.id, existing.id, { comment })
      this.#seen.set(updated.name, updated)
      return { ...toMetadata(updated), action: "updated" }
    })
  }

  async delete(name: string): Promise<boolean> {
    checkSecretName(name)
    return this.#stores.withStore(async (store) => {
      const existing = await this.#findIn(store, name)
      this.#seen.delete(name)
      if (!existing) return false
      try {
        await deleteSecret(this.#api, this.#accountId, store.id, existing.id)
      } catch (error) {
        // Gone already (a retried DELETE whose first attempt landed, or a concurrent delete).
        if (!(error instanceof CloudflareApiError && error.mentions("secret_not_found"))) throw error
      }
      return true
    })
  }

  async #write(store: StoreRef, name: string, value: SecretText, comment: string | undefined): Promise<UpsertResult> {
    const seen = this.#seen.get(name)
    if (seen && seen.store_id === store.id) {
      try {
        return await this.#update(store, seen, value, comment)
      } catch (error) {
        // Deleted since we saw it: forget it and take the lookup path.
        if (!(error instanceof CloudflareApiError && error.mentions("secret_not_found"))) throw error
        this.#seen.delete(name)
      }
    }
    const existing = await this.#findIn(store, name)
    if (existing) return this.#update(store, existing, value, comment)
    try {
      const [created] = await createSecrets(this.#api, this.#accountId, store.id, [{ name, value, scopes: [...REQUIRED_SCOPES], ...(comment === undefined ? {} : { comment }) }])
      if (!created) throw new LayerError("cloudflare_bad_response", `Cloudflare accepted the creation of ${name} but returned no secret`)
      this.#seen.set(name, created)
      return { ...toMetadata(created), action: "created" }
    } catch (error) {
      if (!(error instanceof CloudflareApiError && error.has(1003, "secret_name_already_exists"))) throw error
      // Another writer created it between our lookup and our create: update theirs.
      const raced = await this.#findIn(store, name)
      if (!raced) throw error
      return this.#update(store, raced, value, comment)
    }
  }

  /** Exact-name lookup: Cloudflare's search also matches near names and comments, on any page. */
  async #findIn(store: StoreRef, name: string): Promise<CloudflareSecret | undefined> {
    for (let page = 1; ; page++) {
      const { items, resultInfo } = await listSecrets(this.#api, this.#accountId, store.id, { page, search: name })
      const exact = items.find((secret) => secret.name === name)
      if (exact) {
        this.#seen.set(name, exact)
        return exact
      }
      if (!hasNextPage(resultInfo, page, MAX_PER_PAGE, items.length)) return undefined
    }
  }

  async #update(store: StoreRef, existing: CloudflareSecret, value: SecretText, comment: string | undefined): Promise<UpsertResult> {
    const scopes = existing.scopes ?? []
    // A secret created elsewhere without the workers scope cannot be bound: add it in the same write.
    const missing = REQUIRED_SCOPES.filter((scope) => !scopes.includes(scope))
    const edit = { value, ...(missing.length ? { scopes: [...scopes, ...missing] } : {}), ...(comment === undefined ? {} : { comment }) }
    const updated = await editSecret(this.#api, this.#accountId, store.id, existing.id, edit)
    this.#seen.set(updated.name, updated)
    return { ...toMetadata(updated), action: "updated" }
  }

  /** Turn a quota or size refusal into a message with the numbers; pass anything else through. */
  async #explainWriteFailure(error: unknown, name: string, value: SecretText): Promise<unknown> {
    if (!(error instanceof CloudflareApiError) || error.status >= 500 || error.status < 400) return error
    if (isQuotaRefusal(error.errors)) {
      const usage = await getQuota(this.#api, this.#accountId).then(
        (quota) => quota.secrets,
        () => undefined,
      )
      const numbers = usage ? `holds ${usage.usage} of its ${usage.quota} secrets` : "has reached its secrets quota"
      return new LayerError("cloudflare_quota_exceeded", `cannot create ${name}: Cloudflare account ${this.#accountId} ${numbers} (Cloudflare: ${error.errors.map((entry) => entry.message).join("; ")})`, {
        hint: "delete secrets you no longer use (`layer secret delete NAME`), or ask Cloudflare for a higher quota; existing secrets can still be updated",
        details: usage ? { quota: usage.quota, usage: usage.usage } : undefined,
        cause: error,
      })
    }
    if (isValueSizeRefusal(error.errors)) {
      return new LayerError("value_too_large", `Cloudflare refused the value for ${name} (${value.byteLength} bytes) as too long: ${error.errors.map((entry) => entry.message).join("; ")}`, {
        hint: "some older accounts still have Cloudflare's former 1,024-byte limit; shorten the value or split it across several secrets",
        cause: error,
      })
    }
    return error
  }
}

function toMetadata(secret: CloudflareSecret): SecretMetadata {
  return { name: secret.name, id: secret.id, modified: secret.modified, created: secret.created, ...(secret.comment ? { comment: secret.comment } : {}) }
}
