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
import type { ListPage, NewSecretEntry, SecretMetadata, SecretProvider, SecretText, StoreRef, UpsertOptions, UpsertResult } from "../provider.js"
import { batchFailure, batchOutcome } from "./batch.js"
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
  listAllSecrets,
  listSecrets,
} from "./secrets.js"
import { MAX_PAGES, PageWalk } from "./pages.js"
import { StoreResolver, isStoreNotFound } from "./store.js"

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
  /** Where CLOUDFLARE_API_BASE_URL, LAYERON_MAX_RETRY_WAIT_MS and LAYERON_HTTP_TIMEOUT_S are read. */
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
      const walk = this.#walk(store)
      walk.checkPageNumber(page)
      const fetched = await listSecrets(this.#api, this.#accountId, store.id, { page })
      walk.add(page, fetched)
      for (const item of fetched.items) this.#seen.set(item.name, item)
      const secrets = fetched.items.map(toMetadata)
      return hasNextPage(fetched.resultInfo, page, MAX_PER_PAGE, fetched.items.length) && page < MAX_PAGES ? { secrets, nextPage: page + 1 } : { secrets }
    })
  }

  /** Every page, through the guarded walk of secrets.ts (repeated pages, overcounts and the page limit end it). */
  async listAll(): Promise<SecretMetadata[]> {
    return this.#stores.withStore(async (store) => {
      const all = await listAllSecrets(this.#api, this.#accountId, store.id)
      for (const item of all) this.#seen.set(item.name, item)
      return all.map(toMetadata)
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

  /**
   * New secrets in one bulk POST (the endpoint takes a list). Not atomic as far as anyone can
   * promise (batch.ts): on failure the store is read back and the error names what landed.
   * A name that exists already fails the whole request (secret_name_already_exists): callers
   * send only names they have just listed as absent.
   */
  async createMany(entries: readonly NewSecretEntry[]): Promise<UpsertResult[]> {
    const names = new Set<string>()
    for (const entry of entries) {
      checkSecretName(entry.name)
      checkSecretValue(entry.name, entry.value)
      if (names.has(entry.name)) throw new RangeError(`createMany: ${entry.name} is given twice`)
      names.add(entry.name)
    }
    if (entries.length === 0) return []
    return this.#stores.withStore(async (store) => {
      let created: CloudflareSecret[]
      try {
        created = await createSecrets(this.#api, this.#accountId, store.id, entries.map((entry) => ({ name: entry.name, value: entry.value, scopes: [...REQUIRED_SCOPES], ...(entry.comment === undefined ? {} : { comment: entry.comment }) })))
      } catch (error) {
        if (isStoreNotFound(error)) throw error
        const explained = entries.length === 1 ? await this.#explainWriteFailure(error, entries[0]!.name, entries[0]!.value) : error
        const present = await listAllSecrets(this.#api, this.#accountId, store.id).then(
          (all) => new Set(all.map((secret) => secret.name)),
          () => undefined,
        )
        throw batchFailure(explained, entries, batchOutcome([...names], present))
      }
      for (const secret of created) this.#seen.set(secret.name, secret)
      return created.map((secret) => ({ ...toMetadata(secret), action: "created" as const }))
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
      // createSecrets checks that the answer lists exactly the secret sent.
      const [created] = (await createSecrets(this.#api, this.#accountId, store.id, [{ name, value, scopes: [...REQUIRED_SCOPES], ...(comment === undefined ? {} : { comment }) }])) as [CloudflareSecret]
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
    const walk = this.#walk(store)
    for (let page = 1; ; page++) {
      walk.checkPageNumber(page)
      const fetched = await listSecrets(this.#api, this.#accountId, store.id, { page, search: name })
      walk.add(page, fetched)
      const exact = fetched.items.find((secret) => secret.name === name)
      if (exact) {
        this.#seen.set(name, exact)
        return exact
      }
      if (!hasNextPage(fetched.resultInfo, page, MAX_PER_PAGE, fetched.items.length)) return undefined
    }
  }

  #walk(store: StoreRef): PageWalk<CloudflareSecret> {
    return new PageWalk("secrets", this.#api.displayBaseUrl, (page) => ({ method: "GET", path: `/accounts/${this.#accountId}/secrets_store/stores/${store.id}/secrets?page=${page}` }))
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
        hint: "delete secrets you no longer use (`layer secret delete NAME`), pack the environment (`packing: true` in layeron.config.ts, then `layer secret pack`: many declarations in one secret), or ask Cloudflare for a higher quota; existing secrets can still be updated",
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
