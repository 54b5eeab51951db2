/**
 * Everything that can be checked before a request is sent, so that a bad name, an
 * oversize value or a malformed account id fails at once, with nothing sent and nothing
 * written. Messages name the rule and how to comply; they never include a value.
 */
import { CLOUDFLARE_SECRET_NAME_PATTERN, Limits } from "@layeron/modules/limits"
import { LayerError } from "../../errors.js"
import type { SecretText } from "../provider.js"

/** Cloudflare account ids are 32 hexadecimal digits (Cloudflare writes them in lowercase). */
export const ACCOUNT_ID_PATTERN = /^[0-9a-fA-F]{32}$/

/** The account id in Cloudflare's lowercase form; throws, naming `source`, if it is not one. */
export function checkAccountId(accountId: string, source = "the account id"): string {
  if (ACCOUNT_ID_PATTERN.test(accountId)) return accountId.toLowerCase()
  throw new LayerError("invalid_account_id", `${source} ${quote(accountId)} is not a Cloudflare account id (32 hexadecimal digits)`, {
    hint: "copy the Account ID from the right-hand sidebar of the Cloudflare dashboard's account home page",
  })
}

export function checkSecretName(name: string): void {
  if (CLOUDFLARE_SECRET_NAME_PATTERN.test(name)) return
  const rule = "1 to 255 characters of A-Z, a-z, 0-9, _ and -"
  const problem = name.length === 0 ? "is empty" : name.length > 255 ? `is ${name.length} characters long` : "has characters outside the allowed set"
  throw new LayerError("invalid_secret_name", `the secret name ${quote(name)} ${problem}: a Cloudflare secret name is ${rule}`, {
    hint: "rename it, e.g. STRIPE_SECRET or session-key",
    details: { rule },
  })
}

export function checkSecretValue(name: string, value: SecretText): void {
  const bytes = value.byteLength
  if (bytes === 0) {
    throw new LayerError("empty_value", `the value for ${name} is empty; Cloudflare Secrets Store needs at least one byte`, {
      hint: "pass the value again (with --from-stdin, check that the input is not empty)",
    })
  }
  if (bytes > Limits.maxValueBytes) {
    throw new LayerError(
      "value_too_large",
      `the value for ${name} is ${bytes.toLocaleString("en-US")} bytes; Cloudflare Secrets Store holds at most ${Limits.maxValueBytes.toLocaleString("en-US")} UTF-8 bytes per secret`,
      { hint: "shorten the value, or split it across several secrets", details: { bytes, maxBytes: Limits.maxValueBytes } },
    )
  }
}

/** Quote a user-supplied name for a message, cut short so a pasted blob cannot flood it. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)
}

