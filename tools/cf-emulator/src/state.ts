/**
 * The emulator's world: accounts with their one Secrets Store and Worker scripts, and the API
 * tokens that reach them. Plain records in memory; route handlers read and change them.
 * Secret values live only here and leave only through the test-only `getSecretValue` backdoor.
 */
import type { Clock } from "./clock.js"
import { HEX_ID_PATTERN, randomHexId, randomTokenBody } from "./ids.js"
import {
  PERMISSIONS,
  TOKEN_STATUSES,
  type Account,
  type AccountSpec,
  type Permission,
  type TokenKind,
  type TokenSpec,
  type TokenStatus,
  type UploadedModule,
} from "./types.js"

export interface SecretRecord {
  id: string
  storeId: string
  name: string
  comment: string
  scopes: string[]
  value: string
  created: string
  modified: string
  /** Emulator-clock ms from which the secret reports `active` instead of `pending`. */
  activeAt: number
}

export interface StoreRecord {
  id: string
  accountId: string
  name: string
  created: string
  modified: string
  secrets: Map<string, SecretRecord>
}

export interface ScriptRecord {
  accountId: string
  name: string
  metadata: Record<string, unknown>
  modules: UploadedModule[]
  /** Bindings in force: the upload's, plus the previous upload's of a `keep_bindings` type. */
  bindings: Record<string, unknown>[]
  subdomain: { enabled: boolean; previewsEnabled: boolean }
  createdOn: string
  modifiedOn: string
  etag: string
}

export interface AccountRecord {
  id: string
  name: string
  createdOn: string
  quota: number
  /** `<subdomain>.workers.dev`; null when the account registered none (10007). */
  workersSubdomain: string | null
  stores: Map<string, StoreRecord>
  scripts: Map<string, ScriptRecord>
}

export interface TokenRecord {
  id: string
  value: string
  kind: TokenKind
  accountIds: string[]
  permissions: Set<Permission>
  status: TokenStatus
  accountList: "lists" | "refuses"
  createdOn: string
}

/** Cloudflare token shape: 40+ URL-safe characters. Shorter strings get 6003/6111 from the API. */
export const TOKEN_VALUE_PATTERN = /^[A-Za-z0-9_-]{40,}$/
export const ACCOUNT_TOKEN_PREFIX = "cfat_"
export const DEFAULT_STORE_NAME = "default_secrets_store"
/** wrangler's rule for a workers.dev subdomain (`triggers/subdomain.ts`, registerSubdomain). */
export const WORKERS_SUBDOMAIN_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

export class EmulatorState {
  readonly accounts = new Map<string, AccountRecord>()
  readonly tokens = new Map<string, TokenRecord>()
  readonly #clock: Clock
  #defaultQuota: number

  constructor(clock: Clock, defaultQuota: number) {
    this.#clock = clock
    this.#defaultQuota = defaultQuota
  }

  addAccount(spec: AccountSpec = {}): Account {
    const id = spec.id ?? randomHexId()
    if (!HEX_ID_PATTERN.test(id)) throw new TypeError(`addAccount: id must be 32 lowercase hex digits, got ${JSON.stringify(id)}`)
    if (this.accounts.has(id)) throw new TypeError(`addAccount: account ${id} already exists`)
    const name = spec.name ?? `Emulated account ${this.accounts.size + 1}`
    if (typeof name !== "string" || name === "") throw new TypeError("addAccount: name must be a non-empty string")
    const workersSubdomain = spec.workersSubdomain === undefined ? `emulated-${id.slice(0, 8)}` : spec.workersSubdomain
    if (workersSubdomain !== null && !WORKERS_SUBDOMAIN_PATTERN.test(workersSubdomain)) {
      throw new TypeError(`addAccount: workersSubdomain must be 1 to 63 of a-z, 0-9 and - (not at either end), or null; got ${JSON.stringify(workersSubdomain)}`)
    }
    const account: AccountRecord = {
      id,
      name,
      createdOn: this.#clock.iso(),
      quota: this.#defaultQuota,
      workersSubdomain,
      stores: new Map(),
      scripts: new Map(),
    }
    this.accounts.set(id, account)
    if (spec.withDefaultStore === true) this.createStore(account, DEFAULT_STORE_NAME)
    return { id, name }
  }

  createStore(account: AccountRecord, name: string): StoreRecord {
    const now = this.#clock.timestamp()
    const store: StoreRecord = { id: randomHexId(), accountId: account.id, name, created: now, modified: now, secrets: new Map() }
    account.stores.set(store.id, store)
    return store
  }

  addToken(spec: TokenSpec): string {
    if (spec === null || typeof spec !== "object") throw new TypeError("addToken: pass { kind, accountIds, permissions }")
    if (spec.kind !== "user" && spec.kind !== "account") {
      throw new TypeError(`addToken: kind must be "user" or "account", got ${JSON.stringify(spec.kind)}`)
    }
    if (!Array.isArray(spec.accountIds)) throw new TypeError("addToken: accountIds must be an array of account ids")
    for (const accountId of spec.accountIds) {
      if (!this.accounts.has(accountId)) {
        throw new TypeError(`addToken: unknown account ${JSON.stringify(accountId)}; call addAccount first`)
      }
    }
    if (spec.kind === "account" && spec.accountIds.length !== 1) {
      throw new TypeError(`addToken: an account token belongs to exactly one account, got ${spec.accountIds.length}`)
    }
    if (!Array.isArray(spec.permissions)) throw new TypeError(`addToken: permissions must be an array of ${PERMISSIONS.join(", ")}`)
    for (const permission of spec.permissions) {
      if (!PERMISSIONS.includes(permission)) {
        throw new TypeError(`addToken: unknown permission ${JSON.stringify(permission)}; use ${PERMISSIONS.join(", ")}`)
      }
    }
    const status = spec.status ?? "active"
    assertTokenStatus(status)
    const accountList = spec.accountList ?? "lists"
    if (accountList !== "lists" && accountList !== "refuses") throw new TypeError(`addToken: accountList must be "lists" or "refuses", got ${JSON.stringify(accountList)}`)
    if (accountList === "refuses" && spec.kind !== "account") throw new TypeError('addToken: accountList "refuses" applies to account tokens only')
    const value = spec.value ?? (spec.kind === "account" ? ACCOUNT_TOKEN_PREFIX : "") + randomTokenBody()
    if (typeof value !== "string" || !TOKEN_VALUE_PATTERN.test(value)) {
      throw new TypeError("addToken: value must be at least 40 characters of A-Z, a-z, 0-9, _ and - (as Cloudflare tokens are)")
    }
    if ((spec.kind === "account") !== value.startsWith(ACCOUNT_TOKEN_PREFIX)) {
      throw new TypeError(`addToken: account tokens, and only they, start with "${ACCOUNT_TOKEN_PREFIX}"`)
    }
    if (this.tokens.has(value)) throw new TypeError("addToken: that token value is already registered")
    this.tokens.set(value, {
      id: randomHexId(),
      value,
      kind: spec.kind,
      accountIds: [...spec.accountIds],
      permissions: new Set(spec.permissions),
      status,
      accountList,
      createdOn: this.#clock.iso(),
    })
    return value
  }

  setTokenStatus(value: string, status: TokenStatus): void {
    assertTokenStatus(status)
    const token = this.tokens.get(value)
    if (token === undefined) throw new TypeError("setTokenStatus: no such token")
    token.status = status
  }

  setQuota(quota: number, accountId?: string): void {
    if (!Number.isInteger(quota) || quota < 0) throw new TypeError(`setQuota: quota must be a non-negative integer, got ${quota}`)
    if (accountId === undefined) {
      this.#defaultQuota = quota
      for (const account of this.accounts.values()) account.quota = quota
      return
    }
    const account = this.accounts.get(accountId)
    if (account === undefined) throw new TypeError(`setQuota: unknown account ${JSON.stringify(accountId)}`)
    account.quota = quota
  }

  /** Secrets across all of an account's stores: what the quota counts. */
  secretCount(account: AccountRecord): number {
    let count = 0
    for (const store of account.stores.values()) count += store.secrets.size
    return count
  }

  findSecretByName(store: StoreRecord, name: string): SecretRecord | undefined {
    for (const secret of store.secrets.values()) if (secret.name === name) return secret
    return undefined
  }
}

function assertTokenStatus(status: unknown): asserts status is TokenStatus {
  if (!TOKEN_STATUSES.includes(status as TokenStatus)) {
    throw new TypeError(`token status must be one of ${TOKEN_STATUSES.join(", ")}, got ${JSON.stringify(status)}`)
  }
}
