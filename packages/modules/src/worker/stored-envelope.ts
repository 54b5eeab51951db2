/**
 * Reads a secret's stored text through its Secrets Store binding and turns it into an
 * envelope. Every read goes to the store (no time-based cache, so a rotation is visible to
 * the next read); only the parse is memoized, keyed by the exact stored text, which can
 * never be stale. See docs/runtime.md, "Caching".
 */
import { parseStoredValue } from "../envelope/index.js"
import type { Envelope } from "../envelope/index.js"
import { failures } from "./failure.js"
import type { SecretManifestEntry } from "./manifest.js"
import { readPackedEnvelope } from "./packed-envelope.js"
import { getStoredText } from "./store-binding.js"
import type { WorkerEnv } from "./store-binding.js"

export type { SecretsStoreSecret, StoreRead, WorkerEnv } from "./store-binding.js"
export { getStoredText } from "./store-binding.js"

/** The last text seen per binding and its parse; one entry per declared secret. */
const lastParse = new Map<string, { text: string; envelope: Envelope }>()

export async function readEnvelope(env: WorkerEnv, secretId: string, entry: SecretManifestEntry): Promise<Envelope> {
  if (entry.pack !== undefined) return readPackedEnvelope(env, secretId, entry.pack)
  const read = await getStoredText(env, entry.binding)
  if (!read.ok) {
    if (read.reason === "unbound") throw failures.notBound(secretId, entry.physicalName)
    if (read.reason === "missing") throw failures.noStoredValue(secretId, entry.physicalName)
    throw failures.storeUnreachable(secretId, `secret name ${entry.physicalName}`)
  }
  const memo = lastParse.get(entry.binding)
  if (memo !== undefined && memo.text === read.text) return memo.envelope
  const envelope = parse(secretId, read.text)
  lastParse.set(entry.binding, { text: read.text, envelope })
  return envelope
}

function parse(secretId: string, text: string): Envelope {
  try {
    // No `now` here: the parse is time-independent so it can be memoized; expiry is applied
    // by selection at each read.
    return parseStoredValue(text).envelope
  } catch (error) {
    if (isEnvelopeError(error)) throw failures.invalidEnvelope(secretId, error.message)
    throw error
  }
}

/** EnvelopeError's message names the key and rule, never a value (envelope/ contract). */
function isEnvelopeError(error: unknown): error is Error & { code: "invalid_envelope" } {
  return error instanceof Error && (error as { code?: unknown }).code === "invalid_envelope"
}
