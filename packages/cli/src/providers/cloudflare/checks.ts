/**
 * The account id check, made before any request (names and values: ../secret-checks.ts).
 * Messages name the rule and how to comply.
 */
import { LayerError } from "../../errors.js"
import { quoteInput } from "../../output/quote.js"

/** Cloudflare account ids are 32 hexadecimal digits (Cloudflare writes them in lowercase). */
export const ACCOUNT_ID_PATTERN = /^[0-9a-fA-F]{32}$/

/** The account id in Cloudflare's lowercase form; throws, naming `source`, if it is not one. */
export function checkAccountId(accountId: string, source = "the account id"): string {
  if (ACCOUNT_ID_PATTERN.test(accountId)) return accountId.toLowerCase()
  throw new LayerError("invalid_account_id", `${source} ${quote(accountId)} is not a Cloudflare account id (32 hexadecimal digits)`, {
    hint: "copy the Account ID from the right-hand sidebar of the Cloudflare dashboard's account home page",
  })
}

/**
 * Longest text repeated back: an account id (32) with a typo or two. A Cloudflare API token
 * (40 characters) or Global API Key (37) pasted into --account-id or CLOUDFLARE_ACCOUNT_ID by
 * mistake is longer, so it is described, never printed (the leak sweep found this slip).
 */
const MAX_SHOWN = 36

/** Quote a user-supplied account id for a message, unless it may be a token. */
function quote(text: string): string {
  return quoteInput(text, MAX_SHOWN)
}

