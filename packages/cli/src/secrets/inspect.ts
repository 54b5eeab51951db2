/**
 * What `secret set` checks about a value before writing it, and what it learns:
 * - envelope detection (a JSON object with "current" and "versions"); such a value must be a
 *   valid envelope, unless --plain stores it literally (docs/design.md#values);
 * - size: at most 65,536 UTF-8 bytes, with a warning above 80 %;
 * - text that starts like an envelope (`{` and a "current" or "versions" key) but is not
 *   valid JSON is refused unless --plain, with the position where the JSON breaks: a missing
 *   brace must not turn a versioned value into one literal version;
 * - encoding, decided here: for random and generated secrets every plain version must be
 *   base64url without padding (an error, since `.bytes()` would fail on it at run time); a
 *   decoded length other than the declaration's `bytes` is only a warning. A plain value in
 *   standard base64 (`+`, `/`, `=` padding), or in hex of exactly the declared length, is
 *   the same bytes in another spelling: it is converted to base64url, and a warning says so
 *   with the byte count. A trailing newline is refused by name (it is never part of a key).
 * Messages name keys, versions, positions and numbers, never the value.
 */
import { Limits, utf8ByteLength } from "@layeron/modules/limits"
import { checkSize, decodeBase64Url, EncodingError, EnvelopeError, looksLikeEnvelope, parseStoredValue, plainEnvelope, serializeEnvelope, versionIdsOldestFirst } from "@layeron/modules/envelope"
import type { Envelope, SizeCheck } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { weakKeyProblem } from "@layeron/modules/keys"
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
  /** Set when a plain value was converted to base64url: the text to store instead. */
  converted?: { from: "base64" | "hex"; text: string; bytes: number }
}

export interface InspectOptions {
  plain: boolean
  declaration: SecretDeclaration | undefined
  now: Date
}

/** Portable (openssl and POSIX tr; no GNU-only basenc). */
export const ENCODE_EXAMPLE = "openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\\n'"

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
  if (!options.plain) checkEnvelopeSyntax(text)
  if (!options.plain && looksLikeEnvelope(text)) {
    try {
      envelope = parseStoredValue(text, options.now).envelope
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error
      throw new LayerError("invalid_envelope", `the value is an envelope (a JSON object with "current" and "versions") but it is invalid: ${error.message}`, {
        hint: "fix the envelope (docs/design.md#values), or pass --plain to store the text literally",
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

  if (options.declaration?.generate) checkKeyStrength(envelope, options.declaration)

  let converted: InspectedValue["converted"]
  if (options.declaration && options.declaration.format === "base64url") {
    converted = kind === "plain" ? convertToBase64Url(text, options.declaration) : undefined
    if (converted) {
      envelope = plainEnvelope(converted.text)
      warnings.push(`the value was given in ${converted.from === "hex" ? "hex" : "standard base64"}; converted to base64url without padding (${converted.bytes} bytes), as ${options.declaration.id} is stored`)
    }
    checkBase64Url(envelope, options.declaration, warnings)
  }
  const sizeOfStored = converted ? checkSize(utf8ByteLength(converted.text)) : size
  return { kind, envelope, versions: versionIdsOldestFirst(envelope), current: envelope.current, size: sizeOfStored, warnings, ...(converted ? { converted } : {}) }
}

/** A key pair's versions must be keys the runtime will sign with: no RSA key under 2048 bits. */
function checkKeyStrength(envelope: Envelope, declaration: SecretDeclaration): void {
  for (const [id, version] of Object.entries(envelope.versions)) {
    const problem = version.value === undefined ? undefined : weakKeyProblem(declaration, version.value)
    if (problem) {
      throw new LayerError("weak_key", `version ${id} of ${declaration.id} is ${problem}; nothing was written`, {
        hint: "let Layeron generate the key (`layer secret rotate --apply`), or store a key of at least 2048 bits",
        details: { version: id },
      })
    }
  }
}

/** `{` first and a "current" or "versions" key: meant as an envelope, so it must parse. */
function checkEnvelopeSyntax(text: string): void {
  if (!/^\s*\{/.test(text) || !/"(current|versions)"\s*:/.test(text)) return
  try {
    JSON.parse(text)
  } catch (error) {
    // V8's message can quote the text around the error: only its position is used.
    const position = /at position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1]
    const at = position === undefined ? text.length : Number(position)
    const before = text.slice(0, at)
    const line = before.split("\n").length
    const column = at - before.lastIndexOf("\n")
    const where = position === undefined || at >= text.trimEnd().length ? `it ends before the JSON is complete (after ${format(utf8ByteLength(text))} bytes, line ${line})` : `the JSON breaks at line ${line}, column ${column}`
    throw new LayerError("invalid_envelope_json", `the value starts like an envelope (a JSON object with "current" or "versions") but is not valid JSON: ${where}; nothing was written`, {
      hint: "fix the JSON (a missing brace or comma is the usual cause), or pass --plain to store the text literally",
      details: { line, column },
    })
  }
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const UNPADDED_STANDARD = /^[A-Za-z0-9+/]+$/

/** Standard base64, or hex of exactly the declared length, re-spelled as base64url. */
function convertToBase64Url(text: string, declaration: SecretDeclaration): InspectedValue["converted"] {
  if (/[\r\n]$/.test(text)) {
    throw new LayerError("trailing_newline", `${declaration.id} is a ${declaration.kind} secret, stored as base64url, and the value ends with a newline (from a file, or echo without -n); nothing was written`, {
      hint: `leave the newline out: printf '%s' "$(cat key.txt)" | layer secret set ${declaration.id} --from-stdin (the $(...) drops trailing newlines)`,
    })
  }
  const isBase64Url = /^[A-Za-z0-9_-]+$/.test(text)
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 && declaration.bytes !== undefined && text.length / 2 === declaration.bytes) {
    const base64urlBytes = isBase64Url ? Math.floor((text.length * 3) / 4) : -1
    if (base64urlBytes !== declaration.bytes) {
      const bytes = Buffer.from(text, "hex")
      return { from: "hex", text: bytes.toString("base64url"), bytes: bytes.byteLength }
    }
  }
  if (isBase64Url) return undefined
  if (STANDARD_BASE64.test(text) || (UNPADDED_STANDARD.test(text) && text.length % 4 !== 1) || /^[A-Za-z0-9_-]+={1,2}$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64")
    return { from: "base64", text: bytes.toString("base64url"), bytes: bytes.byteLength }
  }
  return undefined
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
 * it as versions (docs/design.md#values); anything else is sent as given.
 */
export function textToStore(given: SecretText, inspected: InspectedValue): SecretText {
  if (inspected.converted) return new SecretText(inspected.converted.text)
  return inspected.kind === "plain" && looksLikeEnvelope(given.reveal()) ? new SecretText(serializeEnvelope(inspected.envelope)) : given
}

function format(n: number): string {
  return groupThousands(n)
}
