/**
 * Cloudflare's rules for a secret's name and value, checked before anything is sent or
 * written. Both providers apply them, so the local default refuses exactly what Cloudflare
 * would (a value that fits locally but not in production would fail only at deploy time).
 * Messages name the rule and how to comply; they never include a value.
 */
import { CLOUDFLARE_SECRET_NAME_PATTERN, Limits } from "@layeron/modules/limits"
import { LayerError } from "../errors.js"
import { groupThousands } from "../output/numbers.js"
import type { SecretText } from "./provider.js"
import { quoteInput } from "../output/quote.js"

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
      `the value for ${name} is ${groupThousands(bytes)} bytes; Cloudflare Secrets Store holds at most ${groupThousands(Limits.maxValueBytes)} UTF-8 bytes per secret`,
      { hint: "shorten the value, or split it across several secrets", details: { bytes, maxBytes: Limits.maxValueBytes } },
    )
  }
}

/** Quote a user-supplied name for a message, cut short so a pasted blob cannot flood it. */
function quote(text: string): string {
  return quoteInput(text)
}
