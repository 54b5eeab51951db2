/**
 * What Secrets Store returns for a store or a secret. A secret's view never includes its value:
 * "the API never returns this value".
 */
import { CfErrors } from "../http/cf-errors.js"
import type { AccountRecord, SecretRecord, StoreRecord } from "../state.js"

export type SecretStatus = "pending" | "active"

export interface SecretView {
  id: string
  store_id: string
  name: string
  comment: string
  scopes: string[]
  status: SecretStatus
  created: string
  modified: string
}

export interface StoreView {
  id: string
  account_id: string
  name: string
  created: string
  modified: string
}

export function secretStatus(secret: SecretRecord, now: number): SecretStatus {
  return now >= secret.activeAt ? "active" : "pending"
}

export function secretView(secret: SecretRecord, now: number): SecretView {
  return {
    id: secret.id,
    store_id: secret.storeId,
    name: secret.name,
    comment: secret.comment,
    scopes: [...secret.scopes],
    status: secretStatus(secret, now),
    created: secret.created,
    modified: secret.modified,
  }
}

export function storeView(store: StoreRecord): StoreView {
  return { id: store.id, account_id: store.accountId, name: store.name, created: store.created, modified: store.modified }
}

export function findStore(account: AccountRecord, storeId: string): StoreRecord {
  const store = account.stores.get(storeId)
  if (store === undefined) throw CfErrors.storeNotFound()
  return store
}

export function findSecret(store: StoreRecord, secretId: string): SecretRecord {
  const secret = store.secrets.get(secretId)
  if (secret === undefined) throw CfErrors.secretNotFound()
  return secret
}
