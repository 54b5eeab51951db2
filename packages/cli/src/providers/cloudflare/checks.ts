/**
 * The account id check, made before any request (names and values: ../secret-checks.ts).
 * Messages name the rule and how to comply.
 */
import { LayerError } from "../../errors.js"

/** Cloudflare account ids are 32 hexadecimal digits (Cloudflare writes them in lowercase). */
export const ACCOUNT_ID_PATTERN = /^[0-9a-fA-F]{32}$/

/** The account id in Cloudflare's lowercase form; throws, naming `source`, if it is not one. */
export function checkAccountId(accountId: string, source = "the account id"): string {
  if (ACCOUNT_ID_PATTERN.test(accountId)) return accountId.toLowerCase()
  throw new LayerError("invalid_account_id", `${source} ${quote(accountId)} is not a Cloudflare account id (32 hexadecimal digits)`, {
    hint: "copy the Account ID from the right-hand sidebar of the Cloudflare dashboard's account home page",
  })
}

/** Quote a user-supplied name for a message, cut short so a pasted blob cannot flood it. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)
}

