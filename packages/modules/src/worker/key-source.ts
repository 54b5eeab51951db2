/**
 * The Secret Product Worker's own view of a `use` key: a `SigningSecret` (keys/source.ts)
 * whose readers read this Worker's store directly, so `hmac()`, `jwt()` and `aead()` run here
 * exactly as they run in an app on a versioned key, and only their results leave.
 */
import type { SecretDeclaration } from "../declare/types.js"
import type { SigningSecret } from "../keys/source.js"
import { secretErrorFromWire } from "../runtime/errors.js"
import { resolvedVersion, secretValue } from "../runtime/value.js"
import { ProductFailure } from "./failure.js"
import type { SecretManifest } from "./manifest.js"
import type { ReadSelector } from "./protocol.js"
import { readActiveVersions, readVersion } from "./read.js"
import type { SecretAt } from "./read.js"
import type { WorkerEnv } from "./stored-envelope.js"

export function productKeySource(env: WorkerEnv, manifest: SecretManifest, at: SecretAt, now: Date): SigningSecret {
  const { secretId, entry } = at
  const read = (selector: ReadSelector) => asSecretError(() => readVersion(env, manifest, at, selector, now))
  return {
    declaration: declarationOf(at),
    current: () => secretValue(secretId, entry.format, () => read({ kind: "current" })),
    version: (id) => secretValue(secretId, entry.format, () => read({ kind: "version", id })),
    active: async () => (await asSecretError(() => readActiveVersions(env, manifest, at, now))).versions.map((wire) => resolvedVersion(secretId, entry.format, wire)),
  }
}

/**
 * The declaration as the helpers need it, rebuilt from the manifest. Its `expose` is
 * "versioned": inside this Worker the key is read in place, which is what the helpers do for
 * a versioned key (with "use" they would send the operation here again).
 */
function declarationOf({ secretId, entry }: SecretAt): SecretDeclaration {
  const [namespace = "", name = ""] = secretId.split("/")
  const declaration: SecretDeclaration = { kind: entry.key?.kind ?? "static", namespace, name, id: secretId, format: entry.format, expose: "versioned" }
  if (entry.key?.generate !== undefined) declaration.generate = entry.key.generate
  if (entry.key?.bytes !== undefined) declaration.bytes = entry.key.bytes
  return declaration
}

/** The helpers tell a missing or expired version by the runtime's typed errors, as in an app. */
async function asSecretError<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof ProductFailure) throw secretErrorFromWire(error.wire)
    throw error
  }
}
