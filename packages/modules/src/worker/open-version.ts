/**
 * Gives the stored text of one envelope version: a `value` as is, a `sealed` copy opened
 * with the environment's sealing private key (docs/design.md#rotation), bound to the secret's physical
 * name and the version id.
 */
import { unseal } from "../seal/index.js"
import type { EnvelopeVersion } from "../envelope/index.js"
import { failures } from "./failure.js"
import type { SecretManifest, SecretManifestEntry } from "./manifest.js"
import { getStoredText } from "./stored-envelope.js"
import type { WorkerEnv } from "./stored-envelope.js"

/**
 * Opened copies, keyed by (physical name, version id, sealed text). AES-GCM authenticates
 * the sealed text, so a key that opened once maps to the same plaintext forever: the memo
 * cannot go stale. Values are kept (not promises) because workerd does not let one request
 * await a promise created by another.
 */
const opened = new Map<string, string>()
const MAX_OPENED = 256

/**
 * Empties the memo, as a fresh isolate starts: `@layeron/modules/testing` calls it when the
 * product of another test reads, so a copy opened under one test's key never opens in a test
 * that has no key (or another one).
 */
export function forgetOpenedVersions(): void {
  opened.clear()
}

/** The sealing key's JSON text and its parse, re-parsed only when the stored text changes. */
let sealingKey: { text: string; jwk: JsonWebKey } | undefined

export interface VersionLocation {
  secretId: string
  entry: SecretManifestEntry
  versionId: string
}

export async function openVersion(env: WorkerEnv, manifest: SecretManifest, at: VersionLocation, version: EnvelopeVersion): Promise<string> {
  if (version.value !== undefined) return version.value
  const memoKey = `${at.entry.physicalName}\n${at.versionId}\n${version.sealed}`
  const memo = opened.get(memoKey)
  if (memo !== undefined) return memo

  const privateKey = await readSealingKey(env, manifest, at)
  let plaintext: string
  try {
    plaintext = await unseal(privateKey, version.sealed, { physicalName: at.entry.physicalName, versionId: at.versionId })
  } catch {
    // Whatever went wrong (tampering, another key, another name), the caller learns the
    // same thing; the underlying error is dropped so nothing of the payload can leak.
    throw failures.unsealFailed(at.secretId, at.versionId)
  }
  if (opened.size >= MAX_OPENED) opened.clear()
  opened.set(memoKey, plaintext)
  return plaintext
}

async function readSealingKey(env: WorkerEnv, manifest: SecretManifest, at: VersionLocation): Promise<JsonWebKey> {
  const read = await getStoredText(env, manifest.sealingKeyBinding)
  if (!read.ok) {
    if (read.reason === "unreachable") throw failures.storeUnreachable(at.secretId, "the sealing key (layeron/sealing-key)")
    throw failures.sealingKeyUnavailable(at.secretId, at.versionId)
  }
  if (sealingKey?.text === read.text) return sealingKey.jwk
  const jwk = parseJwk(read.text)
  if (jwk === undefined) throw failures.sealingKeyUnavailable(at.secretId, at.versionId)
  sealingKey = { text: read.text, jwk }
  return jwk
}

/** JSON.parse's own messages quote the input, so its errors are swallowed, not forwarded. */
function parseJwk(text: string): JsonWebKey | undefined {
  try {
    const data: unknown = JSON.parse(text)
    return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as JsonWebKey) : undefined
  } catch {
    return undefined
  }
}
