/**
 * Which Secrets Store an account's secrets go to. Cloudflare allows one store per account
 * (reference §2.3), usually created by the dashboard, so the account's store is adopted;
 * one is created only when there is none, and `maximum_stores_exceeded` (someone created it
 * meanwhile) also means "adopt". Deleting a store destroys its secrets, so this code never does.
 *
 * The resolved id is cached in LAYERON_HOME/cache/stores.json, keyed by account id, so that
 * a `secret set` costs one lookup and one write. A cached id that Cloudflare no longer knows
 * (`store_not_found`) is dropped and resolved again, once.
 */
import { join } from "node:path"
import { writeFileAtomic } from "../../fs/atomic.js"
import { readGuardedText } from "../../fs/safe-path.js"
import { ensurePrivateDirectory } from "../../paths.js"
import type { StoreRef } from "../provider.js"
import type { CloudflareApi } from "./api.js"
import { CloudflareApiError } from "./errors.js"
import { createStore, listAllStores } from "./secrets.js"

/** The name the Cloudflare dashboard gives the store it creates. */
export const DEFAULT_STORE_NAME = "default_secrets_store"

export function storeCachePath(home: string): string {
  return join(home, "cache", "stores.json")
}

interface CacheEntry {
  id: string
  name: string
}
type CacheFile = Record<string, CacheEntry>

export class StoreResolver {
  readonly #api: CloudflareApi
  readonly #accountId: string
  readonly #home: string
  readonly #debug: (message: string) => void
  #resolved: Promise<{ store: StoreRef; fromCache: boolean }> | undefined

  constructor(api: CloudflareApi, accountId: string, home: string, debug: (message: string) => void = () => {}) {
    this.#api = api
    this.#accountId = accountId
    this.#home = home
    this.#debug = debug
  }

  /** The account's store: from the cache, else adopted or created (and then cached). */
  async resolve(): Promise<StoreRef> {
    return (await this.#resolveOnce()).store
  }

  /** The account's store if there is one (cached, or listed), never creating one. */
  async findExisting(): Promise<StoreRef | undefined> {
    if (this.#resolved) return (await this.#resolved).store
    const cached = (await this.#readCache())[this.#accountId]
    if (cached) return cached
    const adopted = await this.#adoptExisting()
    if (adopted) this.#resolved = Promise.resolve({ store: adopted, fromCache: false })
    return adopted
  }

  /**
   * Run `operation` against the store. If it fails with store_not_found and the id came
   * from the cache, forget the id, resolve the store again and run the operation once more.
   */
  async withStore<T>(operation: (store: StoreRef) => Promise<T>): Promise<T> {
    const { store, fromCache } = await this.#resolveOnce()
    try {
      return await operation(store)
    } catch (error) {
      if (!fromCache || !isStoreNotFound(error)) throw error
      this.#debug(`cloudflare: cached store ${store.id} no longer exists; resolving the account's store again`)
      await this.#forget()
      this.#resolved = this.#fromApi().then((fresh) => ({ store: fresh, fromCache: false }))
      return operation((await this.#resolved).store)
    }
  }

  #resolveOnce() {
    this.#resolved ??= this.#cachedOrResolved().catch((error: unknown) => {
      // A failure must not stick: the next call may succeed.
      this.#resolved = undefined
      throw error
    })
    return this.#resolved
  }

  async #cachedOrResolved(): Promise<{ store: StoreRef; fromCache: boolean }> {
    const cached = (await this.#readCache())[this.#accountId]
    if (cached) {
      this.#debug(`cloudflare: store ${cached.id} (cached)`)
      return { store: cached, fromCache: true }
    }
    return { store: await this.#fromApi(), fromCache: false }
  }

  async #fromApi(): Promise<StoreRef> {
    const store = (await this.#adoptExisting()) ?? (await this.#create())
    await this.#remember(store)
    return store
  }

  async #adoptExisting(): Promise<StoreRef | undefined> {
    // A whole guarded walk, not the first page: a page of invented stores must not be adopted and cached.
    const items = await listAllStores(this.#api, this.#accountId)
    const oldest = items[0]
    if (!oldest) return undefined
    if (items.length > 1) this.#debug(`cloudflare: account has ${items.length} stores; using the oldest, ${oldest.name}`)
    else this.#debug(`cloudflare: adopting store ${oldest.name} (${oldest.id})`)
    return { id: oldest.id, name: oldest.name }
  }

  async #create(): Promise<StoreRef> {
    try {
      const created = await createStore(this.#api, this.#accountId, DEFAULT_STORE_NAME)
      this.#debug(`cloudflare: created store ${created.name} (${created.id})`)
      return { id: created.id, name: created.name }
    } catch (error) {
      // Someone created the account's one store between our list and our create.
      if (!(error instanceof CloudflareApiError && error.mentions("maximum_stores_exceeded"))) throw error
      const adopted = await this.#adoptExisting()
      if (adopted) return adopted
      throw error
    }
  }

  async #readCache(): Promise<CacheFile> {
    let text: string
    try {
      text = await readGuardedText(storeCachePath(this.#home))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {}
      throw error
    }
    try {
      const parsed: unknown = JSON.parse(text)
      return isCacheFile(parsed) ? parsed : {}
    } catch {
      // A cache is only a shortcut: a damaged one is ignored and rewritten.
      this.#debug("cloudflare: ignoring an unreadable store cache")
      return {}
    }
  }

  async #remember(store: StoreRef): Promise<void> {
    const cache = await this.#readCache()
    cache[this.#accountId] = { id: store.id, name: store.name }
    await this.#writeCache(cache)
  }

  async #forget(): Promise<void> {
    const cache = await this.#readCache()
    delete cache[this.#accountId]
    await this.#writeCache(cache)
  }

  async #writeCache(cache: CacheFile): Promise<void> {
    const path = storeCachePath(this.#home)
    await ensurePrivateDirectory(this.#home)
    await ensurePrivateDirectory(join(this.#home, "cache"))
    await writeFileAtomic(path, `${JSON.stringify(cache, null, 2)}\n`, 0o600)
  }
}

export function isStoreNotFound(error: unknown): boolean {
  return error instanceof CloudflareApiError && error.mentions("store_not_found")
}

function isCacheFile(value: unknown): value is CacheFile {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  return Object.values(value).every(
    (entry) => typeof entry === "object" && entry !== null && typeof (entry as CacheEntry).id === "string" && typeof (entry as CacheEntry).name === "string",
  )
}
