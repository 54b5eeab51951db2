/**
 * What `secret set` checks about a value before writing it, and what it learns:
 * - envelope detection (a JSON object with "current" and "versions"); such a value must be a
 *   valid envelope, unless --plain stores it literally (DESIGN §5);
 * - size: at most 65,536 UTF-8 bytes, with a warning above 80 %;
 * - encoding, decided here: for random and generated secrets every plain version must be
 *   base64url without padding (an error, since `.bytes()` would fail on it at run time); a
 *   decoded length other than the declaration's `bytes` is only a warning.
 * Messages name keys, versions, positions and numbers, never the value.
 */
import { Limits, utf8ByteLength } from "@layeron/modules/limits"
import { checkSize, decodeBase64Url, EncodingError, EnvelopeError, looksLikeEnvelope, parseStoredValue, plainEnvelope, serializeEnvelope, versionIdsOldestFirst } from "@layeron/modules/envelope"
import type { Envelope, SizeCheck } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { isLayerError, LayerError } from "../errors.js"
import { groupThousands } from "../output/numbers.js"
import { SecretText } from "../providers/provider.js"

export interface InspectedValue {
  kind: "plain" | "envelope"
  envelope: Envelope
  /** Version ids, oldest first. */
  versions: string[]
  current: string
  size: SizeCheck
  warnings: string[]
}

export interface InspectOptions {
  plain: boolean
  declaration: SecretDeclaration | undefined
  now: Date
}

const ENCODE_EXAMPLE = "openssl rand 32 | basenc --base64url | tr -d '=\\n'"

export function inspectValue(text: string, options: InspectOptions): InspectedValue {
  try {
    return inspect(text, options)
  } catch (error) {
    if (isLayerError(error)) throw error
    // Anything unexpected might quote the text it choked on: keep its message out.
    throw new LayerError("value_check_failed", "could not check the value (the details are withheld because they could quote it); nothing was written", {
      hint: "run with --debug to see the error's type, and report it",
      details: { errorType: error instanceof Error ? error.name : typeof error },
    })
  }
}

function inspect(text: string, options: InspectOptions): InspectedValue {
  if (text === "") throw new LayerError("empty_value", "the value is empty; nothing was written", { hint: "pass a non-empty value" })
  const size = checkSize(utf8ByteLength(text))
  if (size.status === "too_large") {
    throw new LayerError("value_too_large", `the value is ${format(size.bytes)} UTF-8 bytes; Cloudflare's limit is ${format(size.limit)}`, {
      hint: "store a smaller value (for an envelope, drop or expire old versions); nothing was written",
      details: { bytes: size.bytes, limit: size.limit },
    })
  }
  const warnings: string[] = []
  if (size.status === "warn") {
    warnings.push(`the value is ${format(size.bytes)} bytes, ${Math.round(size.ratio * 100)} % of the ${format(size.limit)}-byte limit (warning above ${Math.round(Limits.warnRatio * 100)} %)`)
  }

  let kind: InspectedValue["kind"] = "plain"
  let envelope = plainEnvelope(text)
  if (!options.plain && looksLikeEnvelope(text)) {
    try {
      envelope = parseStoredValue(text, options.now).envelope
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error
      throw new LayerError("invalid_envelope", `the value is an envelope (a JSON object with "current" and "versions") but it is invalid: ${error.message}`, {
        hint: "fix the envelope (DESIGN §5), or pass --plain to store the text literally",
        details: { path: error.path, rule: error.rule },
      })
    }
    kind = "envelope"
    // An empty version is the envelope form of an empty value (a template whose variable was
    // unset, say): refused for the same reason `secret set` refuses an empty value.
    const empty = Object.entries(envelope.versions).find(([, version]) => version.value === "")
    if (empty) {
      throw new LayerError("empty_value", `version ${empty[0]} of the envelope has an empty "value"; nothing was written`, {
        hint: "give every version its value (or drop the version); an empty secret is never what was meant",
        details: { version: empty[0] },
      })
    }
  }

  if (options.declaration && options.declaration.format === "base64url") {
    checkBase64Url(envelope, options.declaration, warnings)
  }
  return { kind, envelope, versions: versionIdsOldestFirst(envelope), current: envelope.current, size, warnings }
}

function checkBase64Url(envelope: Envelope, declaration: SecretDeclaration, warnings: string[]): void {
  for (const [id, version] of Object.entries(envelope.versions)) {
    if (version.value === undefined) continue
    let bytes: Uint8Array
    try {
      bytes = decodeBase64Url(version.value)
    } catch (error) {
      if (!(error instanceof EncodingError)) throw error
      throw new LayerError("invalid_encoding", `${declaration.id} is a ${declaration.kind} secret, stored as base64url without padding, but version ${id} is not: ${error.message}`, {
        hint: `encode the bytes as base64url without padding, e.g. ${ENCODE_EXAMPLE}`,
        details: { version: id },
      })
    }
    if (declaration.bytes !== undefined && bytes.byteLength !== declaration.bytes) {
      warnings.push(`version ${id} decodes to ${bytes.byteLength} bytes; ${declaration.id} declares ${declaration.bytes}`)
    }
  }
}

/**
 * The text to send for a checked value: --plain text that looks like an envelope is stored
 * as a one-version envelope holding it, so readers see the literal text instead of parsing
 * it as versions (DESIGN §5); anything else is sent as given.
 */
export function textToStore(given: SecretText, inspected: InspectedValue): SecretText {
  return inspected.kind === "plain" && looksLikeEnvelope(given.reveal()) ? new SecretText(serializeEnvelope(inspected.envelope)) : given
}

function format(n: number): string {
  return groupThousands(n)
}
