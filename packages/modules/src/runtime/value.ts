/**
 * Readers over a stored value: decoding by the declaration's format happens here, on the
 * app side, so the product only ever returns the stored text.
 */
import { decodeValue } from "../envelope/index.js"
import type { ValueFormat } from "../declare/types.js"
import type { WireVersion } from "../worker/protocol.js"
import { appFailures } from "./errors.js"
import type { ResolvedVersion, SecretValue } from "./types.js"

/** A lazy handle: every reader call fetches afresh (see SecretValue). */
export function secretValue(secretId: string, format: ValueFormat, fetch: () => Promise<WireVersion>): SecretValue {
  return {
    text: async () => (await fetch()).value,
    bytes: async () => decode(secretId, format, await fetch()),
    json: async <T>() => parseJson<T>(secretId, await fetch()),
    resolve: async () => resolvedVersion(secretId, format, await fetch()),
  }
}

export function resolvedVersion(secretId: string, format: ValueFormat, wire: WireVersion): ResolvedVersion {
  const resolved: ResolvedVersion = {
    version: wire.version,
    text: async () => wire.value,
    bytes: async () => decode(secretId, format, wire),
    json: async <T>() => parseJson<T>(secretId, wire),
  }
  if (wire.createdAt !== undefined) resolved.createdAt = wire.createdAt
  if (wire.expiresAt !== undefined) resolved.expiresAt = wire.expiresAt
  return resolved
}

function decode(secretId: string, format: ValueFormat, wire: WireVersion): Uint8Array<ArrayBuffer> {
  try {
    return decodeValue(wire.value, format)
  } catch {
    throw appFailures.notBase64url(secretId, wire.version)
  }
}

/** JSON.parse's messages quote the input, so they are replaced, never forwarded. */
function parseJson<T>(secretId: string, wire: WireVersion): T {
  try {
    return JSON.parse(wire.value) as T
  } catch {
    throw appFailures.notJson(secretId, wire.version)
  }
}
