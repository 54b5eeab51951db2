/**
 * Who may call what. Cloudflare's rules as FACTS.md states them (1.7, 3.5):
 * - read endpoints of Secrets Store accept Secrets Store Read or Write; mutations need Write;
 * - Workers script reads accept Workers Scripts Read or Edit; uploads, deletes and the
 *   workers.dev switch need Edit;
 * - a token must be active and must cover the account in the path.
 */
import { CfErrors } from "../http/cf-errors.js"
import type { AccountRecord, EmulatorState, TokenRecord } from "../state.js"
import type { Permission } from "../types.js"

/** A route's access rule: any one of the listed permissions is enough. */
export type AccessRule = readonly Permission[]

export const SECRETS_STORE_READ: AccessRule = ["secrets_store_read", "secrets_store_write"]
export const SECRETS_STORE_WRITE: AccessRule = ["secrets_store_write"]
export const WORKERS_SCRIPTS_READ: AccessRule = ["workers_scripts_read", "workers_scripts_write"]
export const WORKERS_SCRIPTS_WRITE: AccessRule = ["workers_scripts_write"]

/** An active, known token; anything else is Cloudflare's 10000 "Authentication error". */
export function authenticate(state: EmulatorState, tokenValue: string): TokenRecord {
  const token = state.tokens.get(tokenValue)
  if (token === undefined || token.status !== "active") throw CfErrors.authenticationFailed()
  return token
}

/** The account in the path, if this token reaches it. */
export function accountFor(state: EmulatorState, token: TokenRecord, accountId: string): AccountRecord {
  const account = state.accounts.get(accountId)
  if (account === undefined || !token.accountIds.includes(accountId)) throw CfErrors.accountNotAccessible()
  return account
}

export function requirePermission(token: TokenRecord, rule: AccessRule): void {
  if (!rule.some((permission) => token.permissions.has(permission))) throw CfErrors.permissionDenied()
}

export function hasPermission(token: TokenRecord, rule: AccessRule): boolean {
  return rule.some((permission) => token.permissions.has(permission))
}
