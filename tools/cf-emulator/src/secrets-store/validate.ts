/**
 * Checks on what clients send to Secrets Store, with Cloudflare's limits (FACTS.md §2):
 * values of at most 65,536 UTF-8 bytes, scopes from the SDK v7.1.0 enum, names unique per store.
 * These numbers are the emulator's own copy on purpose: as a test peer it must not share the
 * client's constants, or a wrong constant would pass its own tests.
 */
import { CfErrors } from "../http/cf-errors.js"

export const MAX_VALUE_BYTES = 65_536
export const SCOPES = ["workers", "ai_gateway", "dex", "access", "containers", "websearch"] as const
/** DECIDED (the server rule is undocumented): Cloudflare's documented "no spaces", as wrangler checks it, capped at 255. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/

export interface SecretInput {
  name: string
  value: string
  scopes: string[]
  comment: string
}

export function isPlainObject(input: unknown): input is Record<string, unknown> {
  return typeof input === "object" && input !== null && !Array.isArray(input)
}

export function checkName(name: unknown): string {
  if (name === undefined || name === null || name === "") throw CfErrors.secretNameEmpty()
  if (typeof name !== "string" || !SECRET_NAME_PATTERN.test(name)) throw CfErrors.secretNameInvalid(String(name))
  return name
}

export function checkValue(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") throw CfErrors.secretValueMissing(name)
  const bytes = Buffer.byteLength(value, "utf8")
  if (bytes > MAX_VALUE_BYTES) throw CfErrors.secretValueTooLarge(name, bytes, MAX_VALUE_BYTES)
  return value
}

/** Returns the scopes sorted and without repeats (DECIDED: Terraform documents them in alphabetical order). */
export function checkScopes(scopes: unknown): string[] {
  if (scopes === undefined || scopes === null || (Array.isArray(scopes) && scopes.length === 0)) {
    throw CfErrors.secretScopesEmpty()
  }
  if (!Array.isArray(scopes)) throw CfErrors.secretScopeInvalid(scopes, SCOPES)
  for (const scope of scopes) {
    if (!(SCOPES as readonly unknown[]).includes(scope)) throw CfErrors.secretScopeInvalid(scope, SCOPES)
  }
  return [...new Set(scopes as string[])].sort()
}

export function checkComment(comment: unknown): string {
  if (comment === undefined || comment === null) return ""
  if (typeof comment !== "string") throw CfErrors.secretCommentInvalid()
  return comment
}

/** One item of a bulk create: `name`, `value` and `scopes` are required. */
export function checkSecretInput(item: unknown, index: number): SecretInput {
  if (!isPlainObject(item)) throw CfErrors.invalidJsonBody(`item ${index} must be an object with name, value and scopes`)
  const name = checkName(item.name)
  return { name, value: checkValue(name, item.value), scopes: checkScopes(item.scopes), comment: checkComment(item.comment) }
}
