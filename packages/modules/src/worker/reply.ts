/**
 * How the Secret Product Worker answers: failures leave as data (workerd's RPC would drop an
 * Error's fields), and an unexpected exception is reported without its message, since for
 * example `JSON.parse` messages quote their input. Shared with `@layeron/modules/testing`,
 * whose stand-in product must answer exactly as this one does.
 */
import { failures, ProductFailure } from "./failure.js"
import { ManifestError } from "./manifest.js"
import type { ProductReply } from "./protocol.js"

export async function reply<T>(secretId: unknown, read: () => Promise<T>): Promise<ProductReply<T>> {
  const id = typeof secretId === "string" ? secretId.slice(0, 130) : "(not a string)"
  try {
    if (typeof secretId !== "string") throw failures.idNotText()
    return { ok: true, value: await read() }
  } catch (error) {
    if (error instanceof ProductFailure) return { ok: false, error: error.wire }
    if (error instanceof ManifestError) return { ok: false, error: failures.manifestInvalid(id, error.message).wire }
    console.error(`SecretProduct: unexpected ${error instanceof Error ? error.name : typeof error} while reading "${id}"`)
    return { ok: false, error: failures.unexpected(id).wire }
  }
}
