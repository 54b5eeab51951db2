/**
 * What `testSecrets()` is given, checked the way `layer secret set` checks a value before
 * writing it: a text that looks like an envelope (a JSON object with `current` and
 * `versions`) must be a valid one, an envelope object must be valid, and the serialized
 * value must fit Cloudflare's limit. What passes is kept as the text the store would hold.
 */
import { checkSize, EnvelopeError, looksLikeEnvelope, parseStoredValue, serializeEnvelope, validateEnvelope } from "../envelope/index.js"
import type { Envelope } from "../envelope/index.js"
import type { SecretDeclaration } from "../declare/types.js"
import { DECLARATION_NAME_PATTERN, RESERVED_NAMESPACE, utf8ByteLength } from "../limits.js"
import { isSecretModule } from "../secret.js"
import type { SecretModule } from "../secret.js"
import { isSecretId } from "../worker/manifest.js"
import { describeInput, TestSecretsError } from "./errors.js"

/**
 * One secret's stored value: plain text, envelope JSON text, an envelope object, or `null`
 * for a secret that is declared but has no value in the store yet.
 */
export type TestSecretValue = string | Envelope | null

/** Keyed by `namespace/name`, or (in a Map or a list of pairs) by the module itself. */
export type TestSecretValues =
  | Readonly<Record<string, TestSecretValue>>
  | ReadonlyMap<string | SecretModule, TestSecretValue>
  | Iterable<readonly [string | SecretModule, TestSecretValue]>

export interface StoredSecret {
  /** The text the Secrets Store holds, or null when it holds nothing. */
  text: string | null
  /** Known when the value was keyed by its module (or a rotation named it). */
  declaration: SecretDeclaration | undefined
}

export function readValues(values: TestSecretValues, now: Date): Map<string, StoredSecret> {
  const store = new Map<string, StoredSecret>()
  for (const [key, value] of entries(values)) {
    const { id, declaration } = identify(key)
    if (store.has(id)) {
      throw new TestSecretsError("duplicate_secret", `testSecrets(): "${id}" is given twice (by name and by module, or by two modules); give each secret one value.`)
    }
    store.set(id, { text: storedText(id, value, now), declaration })
  }
  return store
}

function entries(values: TestSecretValues): Iterable<readonly [unknown, unknown]> {
  if (values instanceof Map) return values.entries()
  if (typeof values === "object" && values !== null && typeof (values as Iterable<unknown>)[Symbol.iterator] === "function") {
    return [...(values as Iterable<unknown>)].map((pair, index) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TestSecretsError("invalid_option", `testSecrets(): entry ${index} of the list is ${describeInput(pair)}; each entry is a [module or "namespace/name", value] pair.`)
      }
      return pair as [unknown, unknown]
    })
  }
  if (typeof values !== "object" || values === null) {
    throw new TestSecretsError("invalid_option", `testSecrets(values): values is ${describeInput(values)}; pass an object keyed by "namespace/name", such as { "auth/session-key": "…" }, or a Map keyed by modules.`)
  }
  return Object.entries(values)
}

function identify(key: unknown): { id: string; declaration: SecretDeclaration | undefined } {
  if (isSecretModule(key)) return { id: key.declaration.id, declaration: key.declaration }
  if (typeof key !== "string" || !isSecretId(key)) {
    const shown = typeof key === "string" ? JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key) : describeInput(key)
    throw new TestSecretsError(
      "invalid_name",
      `testSecrets(): ${shown} is neither "namespace/name" (each part matching ${DECLARATION_NAME_PATTERN}, e.g. "auth/session-key") nor a secret module made by secret.static()/random()/generated(). Key the value by the secret's id, or use a Map keyed by the module.`,
    )
  }
  if (key.startsWith(`${RESERVED_NAMESPACE}/`)) {
    throw new TestSecretsError("invalid_name", `testSecrets(): "${key}" is in the reserved namespace "${RESERVED_NAMESPACE}"; pass the sealing key as the sealingKey option instead.`)
  }
  return { id: key, declaration: undefined }
}

function storedText(id: string, value: unknown, now: Date): string | null {
  if (value === null) return null
  let text: string
  if (typeof value === "string") {
    if (value === "") throw new TestSecretsError("invalid_value", `testSecrets(): "${id}" is an empty string; \`layer secret set\` refuses empty values. Give it a value, or null for a secret that has none yet.`)
    if (looksLikeEnvelope(value)) parseEnvelope(id, () => parseStoredValue(value, now).envelope)
    text = value
  } else if (typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) {
    if (!Object.hasOwn(value, "current") || !Object.hasOwn(value, "versions")) {
      throw new TestSecretsError(
        "invalid_value",
        `testSecrets(): "${id}" is an object without both "current" and "versions", so it is not an envelope. Pass an envelope { current, versions }, or a JSON value as text: JSON.stringify(value).`,
      )
    }
    text = serializeEnvelope(parseEnvelope(id, () => validateEnvelope(value, now)))
  } else {
    throw new TestSecretsError("invalid_value", `testSecrets(): "${id}" is ${describeInput(value)}; a value is text, an envelope object { current, versions }, or null for a secret with no value yet.`)
  }
  const size = checkSize(utf8ByteLength(text))
  if (size.status === "too_large") {
    throw new TestSecretsError("invalid_value", `testSecrets(): "${id}" is ${size.bytes} UTF-8 bytes; Cloudflare's limit is ${size.limit}. Store a smaller value.`)
  }
  return text
}

/** The envelope parser's message, worded as `layer secret set` words it. */
function parseEnvelope(id: string, parse: () => Envelope): Envelope {
  try {
    return parse()
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error
    throw new TestSecretsError(
      "invalid_envelope",
      `testSecrets(): "${id}": the value is an envelope (a JSON object with "current" and "versions") but it is invalid: ${error.message}`,
    )
  }
}
