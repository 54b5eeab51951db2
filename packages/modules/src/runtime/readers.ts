/**
 * `createSecretReaders(declaration)`: the `current()/version()/at()/active()/versions()` surface
 * that `secret.*()` spreads into each module. Plain functions (no `this`), so spreading is
 * safe. What a secret's `expose` refuses, the product refuses (worker/read.ts), so a raw call
 * on the binding gets no more than these.
 */
import type { SecretDeclaration } from "../declare/types.js"
import type { ReadSelector } from "../worker/protocol.js"
import { VERSION_ID_PATTERN } from "../limits.js"
import { appFailures } from "./errors.js"
import { askProduct } from "./product-client.js"
import { toInstant } from "./time.js"
import type { ActiveVersions, SecretReaders, SecretTime, SecretValue, SecretVersionInfo } from "./types.js"
import { resolvedVersion, secretValue } from "./value.js"

export function createSecretReaders(declaration: SecretDeclaration): SecretReaders {
  const { id: secretId, format } = declaration
  const handle = (selector: ReadSelector): SecretValue =>
    secretValue(secretId, format, () => askProduct(secretId, (product) => product.read(secretId, selector), declaration))

  return {
    current: () => handle({ kind: "current" }),
    version: (id: string) => {
      if (typeof id !== "string" || id === "") {
        throw new TypeError(`version(id) on secret "${secretId}": the id must be a non-empty string such as "v2" (got ${id === "" ? "an empty string" : typeof id}).`)
      }
      // No envelope holds such an id, so it is answered here: the product never sees (and no
      // message ever carries) newlines, escape codes or kilobytes from the caller.
      if (!VERSION_ID_PATTERN.test(id)) return secretValue(secretId, format, () => Promise.reject(appFailures.notAVersionId(secretId, id)))
      return handle({ kind: "version", id })
    },
    at: (time: SecretTime) => handle({ kind: "at", time: toInstant(secretId, time).toISOString() }),
    active: async (): Promise<ActiveVersions> => {
      const answer = await askProduct(secretId, (product) => product.active(secretId), declaration)
      const { versions, skipped } = Array.isArray(answer) ? { versions: answer, skipped: [] } : answer
      const active = versions.map((wire) => resolvedVersion(secretId, format, wire))
      const report = skipped.map(({ version, code, message }) => Object.freeze({ version, code, message }))
      return Object.defineProperty(active, "skipped", { value: Object.freeze(report), enumerable: false }) as ActiveVersions
    },
    versions: async (): Promise<SecretVersionInfo[]> => {
      const infos = await askProduct(secretId, (product) => product.versions(secretId), declaration)
      // Only the known fields: nothing else from the answer is passed on.
      return infos.map(({ version, createdAt, expiresAt }) => ({ version, ...(createdAt === undefined ? {} : { createdAt }), ...(expiresAt === undefined ? {} : { expiresAt }) }))
    },
  }
}
