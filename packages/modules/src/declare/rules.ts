/**
 * The declaration rules of docs/design.md#declarations, one small function each. `normalize()` runs them in
 * order and fills in defaults, producing a `SecretDeclaration`.
 */
import { DECLARATION_NAME_PATTERN, DEFAULT_NAMESPACE, CLOUDFLARE_SECRET_NAME_PATTERN, Limits, RESERVED_NAMESPACE } from "../limits.js"
import { DeclarationError } from "./errors.js"
import type { ExposeMode, RetainOptions, SecretDeclaration, SecretKind, SigningAlgorithm, ValueFormat } from "./types.js"

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** Strict RFC 3339 date-time, with a real calendar check (no 2026-02-30). */
export function isRfc3339(text: unknown): text is string {
  if (typeof text !== "string") return false
  const m = RFC3339.exec(text)
  if (!m) return false
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return false
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return day >= 1 && day <= daysInMonth && !Number.isNaN(Date.parse(text))
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function checkKnownKeys(obj: Record<string, unknown>, path: string, known: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      const option = path ? `${path}.${key}` : key
      throw new DeclarationError(option, obj[key], `unknown option; expected one of ${known.join(", ")}`, where)
    }
  }
}

const BASE_KEYS = ["name", "namespace", "rotation", "value", "consume", "ownership", "secretName"] as const

export function normalize(kind: SecretKind, input: unknown): SecretDeclaration {
  const where = `secret.${kind}()`
  if (!isPlainObject(input)) throw new DeclarationError("options", input, "pass an object such as { name: \"session-key\" }", where)
  checkKnownKeys(input, "", kind === "static" ? BASE_KEYS : kind === "random" ? [...BASE_KEYS, "bytes"] : [...BASE_KEYS, "bytes", "generate"], where)

  const name = checkName("name", input.name, where)
  const namespace = input.namespace === undefined ? DEFAULT_NAMESPACE : checkName("namespace", input.namespace, where)
  if (namespace === RESERVED_NAMESPACE) {
    throw new DeclarationError("namespace", namespace, `"${RESERVED_NAMESPACE}" is reserved for Layeron's own secrets; choose another namespace`, where)
  }
  const label = `${where} "${namespace}/${name}"`
  const generate = kind === "generated" ? checkGenerate(input, label) : undefined

  const declaration: SecretDeclaration = {
    kind,
    namespace,
    name,
    id: `${namespace}/${name}`,
    format: generate ? checkKeyPairFormat(input.value, label) : checkFormat(kind, input.value, label),
    expose: checkExpose(input.consume, label),
  }
  if (generate) declaration.generate = generate
  else if (kind !== "static") declaration.bytes = checkBytes(input.bytes, label)
  if (input.rotation !== undefined) {
    if (kind === "static") {
      throw new DeclarationError("rotation", input.rotation, "static secrets cannot rotate: the operator owns their value (use secret.random() or secret.generated())", label)
    }
    declaration.rotation = checkRotation(input.rotation, label)
  }
  const consume = input.consume as Record<string, unknown> | undefined
  if (consume?.address !== undefined) {
    if (typeof consume.address !== "string" || consume.address === "") throw new DeclarationError("consume.address", consume.address, "must be a non-empty string", label)
    declaration.address = consume.address
  }
  if (input.ownership !== undefined) declaration.ownership = checkOwnership(input.ownership, label)
  if (input.secretName !== undefined) {
    if (typeof input.secretName !== "string" || !CLOUDFLARE_SECRET_NAME_PATTERN.test(input.secretName)) {
      throw new DeclarationError("secretName", input.secretName, "must be a Cloudflare secret name: letters, digits, _ and -, 1 to 255 characters", label)
    }
    declaration.secretName = input.secretName
  }
  return declaration
}

function checkName(option: string, value: unknown, where: string): string {
  if (typeof value !== "string" || !DECLARATION_NAME_PATTERN.test(value)) {
    throw new DeclarationError(option, value, "must match ^[a-z0-9][a-z0-9_-]{0,62}$ (lower-case letters, digits, _ and -; starting with a letter or digit; at most 63 characters)", where)
  }
  return value
}

function checkBytes(value: unknown, where: string): number {
  if (value === undefined) return Limits.defaultBytes
  if (typeof value !== "number" || !Number.isInteger(value) || value < Limits.minBytes || value > Limits.maxBytes) {
    throw new DeclarationError("bytes", value, `must be an integer from ${Limits.minBytes} to ${Limits.maxBytes} (default ${Limits.defaultBytes})`, where)
  }
  return value
}

const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ["ES256", "EdDSA", "RS256"]

function checkGenerate(input: Record<string, unknown>, where: string): SigningAlgorithm | undefined {
  const value = input.generate
  if (value === undefined) return undefined
  if (!SIGNING_ALGORITHMS.includes(value as SigningAlgorithm)) {
    throw new DeclarationError("generate", value, `must be one of ${SIGNING_ALGORITHMS.map((a) => `"${a}"`).join(", ")} (a signing key pair), or left out for random bytes`, where)
  }
  if (input.bytes !== undefined) {
    throw new DeclarationError("bytes", input.bytes, `cannot be combined with "generate": a ${value as string} key pair has the size its algorithm fixes; remove "bytes"`, where)
  }
  return value as SigningAlgorithm
}

/** A key pair's value is its private JWK, which is text. */
function checkKeyPairFormat(value: unknown, where: string): ValueFormat {
  if (value === undefined) return "text"
  if (!isPlainObject(value)) throw new DeclarationError("value", value, "must be an object such as { format: \"text\" }", where)
  checkKnownKeys(value, "value", ["format"], where)
  if (value.format !== undefined && value.format !== "text") {
    throw new DeclarationError("value.format", value.format, 'key pairs (option "generate") are stored as their private JWK, which is "text"', where)
  }
  return "text"
}

function checkFormat(kind: SecretKind, value: unknown, where: string): ValueFormat {
  const natural: ValueFormat = kind === "static" ? "text" : "base64url"
  if (value === undefined) return natural
  if (!isPlainObject(value)) throw new DeclarationError("value", value, "must be an object such as { format: \"text\" }", where)
  checkKnownKeys(value, "value", ["format"], where)
  if (value.format === undefined) return natural
  if (value.format !== "text" && value.format !== "base64url") {
    throw new DeclarationError("value.format", value.format, 'must be "text" or "base64url"', where)
  }
  if (kind !== "static" && value.format === "text") {
    throw new DeclarationError("value.format", value.format, `${kind} secrets are random bytes stored as "base64url"`, where)
  }
  return value.format
}

function checkExpose(consume: unknown, where: string): ExposeMode {
  if (consume === undefined) return "versioned"
  if (!isPlainObject(consume)) throw new DeclarationError("consume", consume, "must be an object such as { expose: \"current\" }", where)
  checkKnownKeys(consume, "consume", ["address", "expose"], where)
  if (consume.expose === undefined) return "versioned"
  if (consume.expose !== "versioned" && consume.expose !== "current" && consume.expose !== "use") {
    throw new DeclarationError("consume.expose", consume.expose, 'must be "versioned" (default), "current" or "use" (the key never leaves the Secret Product Worker)', where)
  }
  return consume.expose
}

function checkRotation(value: unknown, where: string): NonNullable<SecretDeclaration["rotation"]> {
  if (!isPlainObject(value)) throw new DeclarationError("rotation", value, "must be an object such as { everyDays: 30 }", where)
  checkKnownKeys(value, "rotation", ["everyDays", "startAt", "retain"], where)
  const { everyDays, startAt } = value
  if (typeof everyDays !== "number" || !Number.isInteger(everyDays) || everyDays < Limits.minEveryDays) {
    throw new DeclarationError("rotation.everyDays", everyDays, `must be an integer of at least ${Limits.minEveryDays} (days between rotations)`, where)
  }
  const rotation: NonNullable<SecretDeclaration["rotation"]> = { everyDays, retain: checkRetain(value.retain, where) }
  if (startAt !== undefined) {
    if (!isRfc3339(startAt)) {
      throw new DeclarationError("rotation.startAt", startAt, 'must be an RFC 3339 time such as "2026-06-01T00:00:00.000Z"', where)
    }
    rotation.startAt = new Date(startAt).toISOString()
  }
  return rotation
}

function checkRetain(value: unknown, where: string): RetainOptions {
  if (value === undefined) return { mode: "none" }
  if (!isPlainObject(value)) throw new DeclarationError("rotation.retain", value, "must be an object such as { mode: \"retain_for\", days: 14 }", where)
  const modes = ["none", "retain_for", "retain_forever"]
  if (!modes.includes(value.mode as string)) {
    throw new DeclarationError("rotation.retain.mode", value.mode, 'must be "none", "retain_for" or "retain_forever"', where)
  }
  if (value.mode === "retain_for") {
    checkKnownKeys(value, "rotation.retain", ["mode", "days"], where)
    const days = value.days
    if (typeof days !== "number" || !Number.isInteger(days) || days < 1) {
      throw new DeclarationError("rotation.retain.days", days, 'is required with mode "retain_for" and must be a positive integer', where)
    }
    return { mode: "retain_for", days }
  }
  checkKnownKeys(value, "rotation.retain", ["mode"], where)
  return { mode: value.mode as "none" | "retain_forever" }
}

function checkOwnership(value: unknown, where: string): NonNullable<SecretDeclaration["ownership"]> {
  if (!isPlainObject(value)) throw new DeclarationError("ownership", value, "must be an object", where)
  const keys = ["ownerProduct", "ownerInstanceId", "purpose"] as const
  checkKnownKeys(value, "ownership", keys, where)
  const ownership: NonNullable<SecretDeclaration["ownership"]> = {}
  for (const key of keys) {
    const field = value[key]
    if (field === undefined) continue
    if (typeof field !== "string") throw new DeclarationError(`ownership.${key}`, field, "must be a string", where)
    ownership[key] = field
  }
  return ownership
}
