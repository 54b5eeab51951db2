/**
 * The manifest tells the Secret Product Worker which Secrets Store binding holds each
 * declared secret (docs/design.md#runtime). The binding plan writes it; the worker reads it from the
 * `LAYERON_SECRET_MANIFEST` var, as a JSON binding (an object) or as JSON text.
 */
import { CLOUDFLARE_SECRET_NAME_PATTERN, DECLARATION_NAME_PATTERN, isSecretId } from "../limits.js"
import type { ExposeMode, ValueFormat } from "../declare/types.js"
import { isPhysicalName } from "../naming/index.js"

interface ManifestEntryCommon {
  /**
   * The declaration's own Cloudflare secret name (`lo_…` or an adopted name): the sealing
   * context of its versions, packed or not (a sealed copy moves between the two unchanged).
   */
  physicalName: string
  format: ValueFormat
  expose: ExposeMode
}

/** A packed member's envelope is member `<id>` of the pack (docs/design.md#packing) bound as `binding`. */
export interface PackReference {
  /** The pack's Secrets Store binding, shared by every member of the pack. */
  binding: string
  /** The pack's physical name (`packPhysicalName`), which its text must name. */
  name: string
}

/** Exactly one of `binding` (the secret is its own physical secret) or `pack` (a member of a pack). */
export type SecretManifestEntry = ManifestEntryCommon & ({ binding: string; pack?: undefined } | { pack: PackReference; binding?: undefined })

export interface SecretManifest {
  version: 1
  /** Keyed by `namespace/name`. */
  secrets: Record<string, SecretManifestEntry>
  /** The binding that holds the environment's sealing private key (a JWK as JSON text). */
  sealingKeyBinding: string
  /**
   * Backend id → the secret ids it registers (`app.use()` or its `layeron` export), sorted.
   * A caller is served only these (worker/caller.ts).
   */
  backends: Record<string, string[]>
}

/** The manifest is missing or malformed: a deployment problem, not a user read problem. */
export class ManifestError extends Error {
  override readonly name = "ManifestError"
  readonly code = "invalid_manifest"
  /** Where in the manifest, e.g. `secrets.auth/session-key.format`. */
  readonly path: string

  constructor(path: string, problem: string) {
    super(`The Secret Product Worker's manifest is invalid at "${path}": ${problem}. Redeploy with \`layer deploy\` (or restart \`layer dev\`) to regenerate it.`)
    this.path = path
  }
}

const BINDING_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const FORMATS: readonly ValueFormat[] = ["text", "base64url"]
const EXPOSE_MODES: readonly ExposeMode[] = ["versioned", "current"]

export function parseManifest(raw: unknown): SecretManifest {
  const data = typeof raw === "string" ? parseJsonText(raw) : raw
  const root = asRecord(data, "(root)")
  if (root.version !== 1) throw new ManifestError("version", `must be 1 (got ${describe(root.version)})`)
  const sealingKeyBinding = bindingName(root.sealingKeyBinding, "sealingKeyBinding")
  const secrets: Record<string, SecretManifestEntry> = {}
  for (const [id, rawEntry] of Object.entries(asRecord(root.secrets, "secrets"))) {
    secrets[id] = parseEntry(id, rawEntry)
  }
  // fromEntries defines own properties: a backend id such as "__proto__" stays a plain key.
  checkBindingsApart(secrets, sealingKeyBinding)
  const backends = Object.fromEntries(Object.entries(asRecord(root.backends, "backends")).map(([backend, rawIds]) => [backend, parseAllowList(`backends.${backend}`, rawIds, secrets)]))
  return { version: 1, secrets, sealingKeyBinding, backends }
}

/**
 * A binding holds one kind of text: the sealing key, one secret's envelope, or one pack. A
 * manifest that points two secrets at one own binding, a pack at the sealing key's binding or
 * one pack binding at two pack names would serve one secret's text as another's: refused.
 */
function checkBindingsApart(secrets: Record<string, SecretManifestEntry>, sealingKeyBinding: string): void {
  const users = new Map<string, string>([[sealingKeyBinding, "the sealing key"]])
  for (const [id, entry] of Object.entries(secrets)) {
    const binding = entry.pack === undefined ? entry.binding : entry.pack.binding
    const use = entry.pack === undefined ? `secret "${id}"` : `pack ${entry.pack.name}`
    const path = entry.pack === undefined ? `secrets.${id}.binding` : `secrets.${id}.pack.binding`
    const other = users.get(binding)
    if (other !== undefined && other !== use) throw new ManifestError(path, `binding "${binding}" already holds ${other}; each binding holds one secret, one pack or the sealing key`)
    users.set(binding, use)
  }
}

/** A backend's allow-list: ids of declared secrets only, so a typo cannot open anything. */
function parseAllowList(path: string, raw: unknown, secrets: Record<string, SecretManifestEntry>): string[] {
  if (!Array.isArray(raw)) throw new ManifestError(path, `must be an array of secret ids (got ${describe(raw)})`)
  return raw.map((id, index) => {
    if (typeof id !== "string" || !Object.hasOwn(secrets, id)) throw new ManifestError(`${path}[${index}]`, `must be the id of a secret in "secrets" (got ${describe(id)})`)
    return id
  })
}

function parseEntry(id: string, raw: unknown): SecretManifestEntry {
  const path = `secrets.${id}`
  if (!isSecretId(id)) throw new ManifestError(path, `the key must be "namespace/name", each matching ${DECLARATION_NAME_PATTERN}`)
  const entry = asRecord(raw, path)
  const physicalName = entry.physicalName
  if (typeof physicalName !== "string" || !CLOUDFLARE_SECRET_NAME_PATTERN.test(physicalName)) {
    throw new ManifestError(`${path}.physicalName`, `must be a Cloudflare secret name matching ${CLOUDFLARE_SECRET_NAME_PATTERN}`)
  }
  const common = { physicalName, format: oneOf(entry.format, FORMATS, `${path}.format`), expose: oneOf(entry.expose, EXPOSE_MODES, `${path}.expose`) }
  if (Object.hasOwn(entry, "pack")) {
    if (Object.hasOwn(entry, "binding")) throw new ManifestError(path, `has both "binding" and "pack"; a packed secret is read through its pack's binding only`)
    return { ...common, pack: parsePackReference(entry.pack, `${path}.pack`) }
  }
  return { ...common, binding: bindingName(entry.binding, `${path}.binding`) }
}

function parsePackReference(raw: unknown, path: string): PackReference {
  const reference = asRecord(raw, path)
  if (typeof reference.name !== "string" || !isPhysicalName(reference.name)) {
    throw new ManifestError(`${path}.name`, `must be a pack's physical name (lo_ and 24 lowercase hex digits), got ${describe(reference.name)}`)
  }
  return { binding: bindingName(reference.binding, `${path}.binding`), name: reference.name }
}

/** Re-exported for existing importers; the rule lives in limits.ts so that pack/ shares it. */
export { isSecretId }

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new ManifestError("(root)", "is not valid JSON")
  }
}

function asRecord(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ManifestError(path, `must be an object (got ${describe(value)})`)
  }
  return value as Record<string, unknown>
}

function bindingName(value: unknown, path: string): string {
  if (typeof value !== "string" || !BINDING_NAME.test(value)) {
    throw new ManifestError(path, `must be a binding name (a JavaScript identifier), got ${describe(value)}`)
  }
  return value
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T
  throw new ManifestError(path, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")} (got ${describe(value)})`)
}

/** The manifest holds names and modes, never values, so quoting what was found is safe. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing"
  if (value === null) return "null"
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object"
  return String(value)
}
