/**
 * `createSecretReaders(declaration)`: the `current()/version()/at()/active()` surface that
 * `secret.*()` spreads into each module. Plain functions (no `this`), so spreading is safe.
 */
import type { SecretDeclaration } from "../declare/types.js"
import type { ReadSelector } from "../worker/protocol.js"
import { askProduct } from "./product-client.js"
import { toInstant } from "./time.js"
import type { ActiveVersion, SecretReaders, SecretTime, SecretValue } from "./types.js"
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
      return handle({ kind: "version", id })
    },
    at: (time: SecretTime) => handle({ kind: "at", time: toInstant(secretId, time).toISOString() }),
    active: async (): Promise<ActiveVersion[]> => {
      const versions = await askProduct(secretId, (product) => product.active(secretId), declaration)
      return versions.map((wire) => resolvedVersion(secretId, format, wire))
    },
  }
}
