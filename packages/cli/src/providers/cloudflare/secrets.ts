/**
 * The Secrets Store endpoints, one typed function each (reference §1.4). Response types are
 * the official SDK's, imported as types only. No function here retries or reads an error
 * body: api.ts does both.
 */
import type { QuotaGetResponse } from "cloudflare/resources/secrets-store/quota"
import type { SecretCreateResponse, SecretEditResponse, SecretListResponse } from "cloudflare/resources/secrets-store/stores/secrets"
import type { StoreCreateResponse, StoreListResponse } from "cloudflare/resources/secrets-store/stores/stores"
import type { SecretText } from "../provider.js"
import type { CloudflareApi, ResultInfo } from "./api.js"
import { PageWalk, announcedPages, hasNextPage } from "./pages.js"
import { DELETED, QUOTA, SECRET, SECRET_LIST, STORE, STORE_LIST, createdSecrets } from "./shapes.js"

export { MAX_PAGES, hasNextPage } from "./pages.js"

export type CloudflareStore = StoreListResponse | StoreCreateResponse
export type CloudflareSecret = SecretListResponse | SecretCreateResponse | SecretEditResponse
export type SecretScope = NonNullable<SecretListResponse["scopes"]>[number]

/** Cloudflare's largest page for secrets and stores (the spec allows 0..100). */
export const MAX_PER_PAGE = 100

export interface Page<T> {
  items: T[]
  resultInfo: ResultInfo | undefined
}

export interface PageQuery {
  page?: number
  perPage?: number
}

const storesPath = (accountId: string) => `/accounts/${accountId}/secrets_store/stores`
const secretsPath = (accountId: string, storeId: string) => `${storesPath(accountId)}/${storeId}/secrets`

export async function listStores(api: CloudflareApi, accountId: string, query: PageQuery = {}): Promise<Page<StoreListResponse>> {
  const { result, resultInfo } = await api.call<StoreListResponse[]>({
    method: "GET",
    path: storesPath(accountId),
    query: { page: query.page ?? 1, per_page: query.perPage ?? MAX_PER_PAGE, order: "created", direction: "asc" },
    expect: STORE_LIST,
  })
  return { items: result, resultInfo }
}

export async function createStore(api: CloudflareApi, accountId: string, name: string): Promise<StoreCreateResponse> {
  const { result } = await api.call<StoreCreateResponse>({ method: "POST", path: storesPath(accountId), body: { name }, expect: STORE })
  return result
}

export async function getQuota(api: CloudflareApi, accountId: string): Promise<QuotaGetResponse> {
  const { result } = await api.call<QuotaGetResponse>({ method: "GET", path: `/accounts/${accountId}/secrets_store/quota`, expect: QUOTA })
  return result
}

export interface SecretListQuery extends PageQuery {
  /** Cloudflare matches it against names and comments, not exactly: filter the result. */
  search?: string
}

export async function listSecrets(api: CloudflareApi, accountId: string, storeId: string, query: SecretListQuery = {}): Promise<Page<SecretListResponse>> {
  const { result, resultInfo } = await api.call<SecretListResponse[]>({
    method: "GET",
    path: secretsPath(accountId, storeId),
    query: {
      page: query.page ?? 1,
      per_page: query.perPage ?? MAX_PER_PAGE,
      search: query.search,
      // A stable order, so that pages do not shift between requests.
      order: "name",
      direction: "asc",
    },
    expect: SECRET_LIST,
  })
  return { items: result, resultInfo }
}

export interface NewSecret {
  name: string
  value: SecretText
  scopes: SecretScope[]
  comment?: string
}

/** Bulk create: one request for any number of secrets (the endpoint takes an array). */
export async function createSecrets(api: CloudflareApi, accountId: string, storeId: string, secrets: readonly NewSecret[]): Promise<SecretCreateResponse[]> {
  const { result } = await api.call<SecretCreateResponse[]>({
    method: "POST",
    path: secretsPath(accountId, storeId),
    body: secrets.map((secret) => ({
      name: secret.name,
      value: secret.value.reveal(),
      scopes: [...secret.scopes].sort(),
      ...(secret.comment === undefined ? {} : { comment: secret.comment }),
    })),
    sensitive: secrets.map((secret) => secret.value.reveal()),
    expect: createdSecrets(secrets.map((secret) => secret.name)),
  })
  return result
}

export interface SecretEdit {
  value?: SecretText
  scopes?: SecretScope[]
  /** Sent in the same PATCH as the value: the integrity anchor lands with the value or not at all. */
  comment?: string
}

/** PATCH in place: the id (and so every binding to it) stays the same. */
export async function editSecret(api: CloudflareApi, accountId: string, storeId: string, secretId: string, edit: SecretEdit): Promise<SecretEditResponse> {
  const { result } = await api.call<SecretEditResponse>({
    method: "PATCH",
    path: `${secretsPath(accountId, storeId)}/${secretId}`,
    body: {
      ...(edit.value === undefined ? {} : { value: edit.value.reveal() }),
      ...(edit.scopes === undefined ? {} : { scopes: [...edit.scopes].sort() }),
      ...(edit.comment === undefined ? {} : { comment: edit.comment }),
    },
    sensitive: edit.value === undefined ? [] : [edit.value.reveal()],
    expect: SECRET,
  })
  return result
}

export async function deleteSecret(api: CloudflareApi, accountId: string, storeId: string, secretId: string): Promise<void> {
  // 200 with `result: null` (the SDK's type) or 202 with an object (the published schema, issue #25): both are a deletion.
  await api.call<unknown>({ method: "DELETE", path: `${secretsPath(accountId, storeId)}/${secretId}`, expect: DELETED })
}

/**
 * Every item of a paged list, through a guarded walk (pages.ts). When the first page announces
 * how many pages there are, the rest up to that count are fetched at once (each request waits
 * on the network, not on the previous page); the walk then goes on one page at a time while
 * the latest page says there is more, so a count that grows while paging is still followed,
 * up to MAX_PAGES.
 */
async function walkAll<T extends { id: string }>(what: string, api: CloudflareApi, path: string, fetch: (page: number) => Promise<Page<T>>): Promise<T[]> {
  const walk = new PageWalk<T>(what, api.displayBaseUrl, (page) => ({ method: "GET", path: `${path}?page=${page}` }))
  const fetchPage = (page: number) => {
    walk.checkPageNumber(page)
    return fetch(page)
  }
  let last = await fetchPage(1)
  walk.add(1, last)
  let page = 1
  const announced = announcedPages(last.resultInfo, MAX_PER_PAGE)
  if (announced !== undefined && announced > 1 && hasNextPage(last.resultInfo, 1, MAX_PER_PAGE, last.items.length)) {
    walk.checkPageNumber(announced)
    const rest = await Promise.all(Array.from({ length: announced - 1 }, (_, index) => fetchPage(index + 2)))
    for (const fetched of rest) walk.add(++page, fetched)
    last = rest.at(-1) ?? last
  }
  while (hasNextPage(last.resultInfo, page, MAX_PER_PAGE, last.items.length)) {
    last = await fetchPage(++page)
    walk.add(page, last)
  }
  return walk.items
}

/** Every secret of a store (guarded walk). */
export function listAllSecrets(api: CloudflareApi, accountId: string, storeId: string): Promise<SecretListResponse[]> {
  return walkAll("secrets", api, secretsPath(accountId, storeId), (page) => listSecrets(api, accountId, storeId, { page }))
}

/** Every store of an account (guarded walk; Cloudflare allows one, so one short page). */
export function listAllStores(api: CloudflareApi, accountId: string): Promise<StoreListResponse[]> {
  return walkAll("stores", api, storesPath(accountId), (page) => listStores(api, accountId, { page }))
}
