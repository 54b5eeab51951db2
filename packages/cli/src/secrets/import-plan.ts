/**
 * What `layer secret import` will write, decided before the first write: every entry of the
 * file resolved to a target and its value checked exactly as `secret set` checks one. Any
 * problem throws, naming the file's line; nothing has been written at that point.
 *
 * Key resolution, in this order (decided here, documented in `layer secret import --help`):
 * 1. `--map KEY=NAME`: NAME is resolved exactly as `secret set NAME`.
 * 2. The key itself, resolved as `secret set NAME` (a declared `namespace/name`, an adopted
 *    `secretName`, a `lo_…` name, a bare name of the `default` namespace).
 * 3. The env-style convention, for UPPER_SNAKE keys that step 2 found no declaration for:
 *    `AUTH__SESSION_KEY` is `auth/session-key` (namespace, two underscores, name; `_` read
 *    as `-` or `_`), and `SESSION_KEY` is the one declaration named `session-key` (or
 *    `session_key`) in any namespace. Two declarations matching one key is an error that
 *    names both: use the `NAMESPACE__NAME` form or `--map`.
 * 4. Otherwise the key is an undeclared Cloudflare secret name, written as is.
 * A key resolving to `layeron/sealing-key`, or two keys resolving to one secret, is refused.
 */
import { DEFAULT_NAMESPACE } from "@layeron/modules/limits"
import { sealingKeyDeclaration } from "@layeron/modules/naming"
import { isLayerError, LayerError } from "../errors.js"
import { SecretText } from "../providers/provider.js"
import { describeTarget, resolveTarget } from "./catalog.js"
import type { DeclaredSecret, SecretCatalog, SecretTarget } from "./catalog.js"
import type { ImportEntry } from "./import-file.js"
import { inspectValue, textToStore } from "./inspect.js"
import type { InspectedValue } from "./inspect.js"

export type WritableTarget = Exclude<SecretTarget, { kind: "sealing_key" }>

export interface PlannedEntry {
  entry: ImportEntry
  target: WritableTarget
  /** How the key found its target. */
  via: "map" | "name" | "convention"
  inspected: InspectedValue
  /** The exact text to send. */
  value: SecretText
  warnings: string[]
}

export interface ImportPlanOptions {
  /** `--map KEY=NAME` flags as given. */
  maps: readonly string[]
  plain: boolean
  now: Date
  /** "FILE" or "stdin", for messages. */
  source: string
}

const ENV_STYLE = /^[A-Z0-9_]+$/

export function planImport(entries: readonly ImportEntry[], catalog: SecretCatalog, options: ImportPlanOptions): PlannedEntry[] {
  const maps = parseMaps(options.maps, entries, options.source)
  const planned: PlannedEntry[] = []
  const byPhysical = new Map<string, PlannedEntry>()
  for (const entry of entries) {
    const at = (error: unknown): never => {
      throw atLine(error, options.source, entry)
    }
    let resolved: { target: SecretTarget; via: PlannedEntry["via"] }
    try {
      resolved = resolveKey(entry.key, maps.get(entry.key), catalog)
    } catch (error) {
      return at(error)
    }
    const { target, via } = resolved
    if (target.kind === "sealing_key") {
      throw lineError(options.source, entry, "reserved_secret", `${entry.key} is ${describeTarget(target)}, Layeron's own sealing key; layer creates and writes it`, "remove the line; import your own secrets by their declared namespace/name or a Cloudflare secret name")
    }
    const declaration = target.kind === "declared" ? target.secret.declaration : undefined
    let inspected: InspectedValue
    try {
      inspected = inspectValue(entry.value, { plain: options.plain, declaration, now: options.now })
    } catch (error) {
      return at(error)
    }
    const earlier = byPhysical.get(target.physicalName)
    if (earlier) {
      throw lineError(options.source, entry, "duplicate_target", `${entry.key} and ${earlier.entry.key} (line ${earlier.entry.line}) both write ${describeTarget(target)}`, "keep one of the two lines, or point one elsewhere with --map KEY=NAME")
    }
    const row: PlannedEntry = { entry, target, via, inspected, value: textToStore(new SecretText(entry.value), inspected), warnings: inspected.warnings }
    byPhysical.set(target.physicalName, row)
    planned.push(row)
  }
  return planned
}

function resolveKey(key: string, mapped: string | undefined, catalog: SecretCatalog): { target: SecretTarget; via: PlannedEntry["via"] } {
  if (mapped !== undefined) return { target: resolveTarget(mapped, catalog), via: "map" }
  const direct = resolveTarget(key, catalog)
  if (direct.kind !== "undeclared" || !ENV_STYLE.test(key)) return { target: direct, via: "name" }
  if (key === envKey(sealingKeyDeclaration.namespace, sealingKeyDeclaration.name)) return { target: { kind: "sealing_key", physicalName: catalog.sealingKeyName }, via: "convention" }
  const matches = catalog.declared.filter((d) => matchesConvention(key, d))
  if (matches.length === 0) return { target: direct, via: "name" }
  if (matches.length > 1) {
    const ids = matches.map((d) => d.declaration.id)
    throw new LayerError("ambiguous_import_key", `${key} matches ${ids.join(" and ")} by the env-style convention`, {
      hint: `name one: ${envKey(matches[0]!.declaration.namespace, matches[0]!.declaration.name)}=… in the file, or --map ${key}=${ids[0]}`,
    })
  }
  const secret = matches[0]!
  return { target: { kind: "declared", physicalName: secret.physicalName, secret }, via: "convention" }
}

/** `auth/session-key` → AUTH__SESSION_KEY; the default namespace may be left out. */
function envKey(namespace: string, name: string): string {
  const upper = (part: string) => part.toUpperCase().replace(/-/g, "_")
  return `${upper(namespace)}__${upper(name)}`
}

function matchesConvention(key: string, secret: DeclaredSecret): boolean {
  const { namespace, name } = secret.declaration
  const upperName = name.toUpperCase().replace(/-/g, "_")
  return key === envKey(namespace, name) || key === upperName || (namespace === DEFAULT_NAMESPACE && key === `DEFAULT__${upperName}`)
}

function parseMaps(flags: readonly string[], entries: readonly ImportEntry[], source: string): Map<string, string> {
  const keys = new Set(entries.map((entry) => entry.key))
  const maps = new Map<string, string>()
  for (const flag of flags) {
    const match = /^([A-Za-z0-9_][A-Za-z0-9_.\/-]*)=([A-Za-z0-9_][A-Za-z0-9_\/-]*)$/.exec(flag)
    if (!match) {
      // Not echoed: a value typed here by mistake must not be printed.
      throw new LayerError("invalid_map", "--map takes KEY=NAME (a key of the file, =, a declared namespace/name or a Cloudflare secret name), and what was given is not one", {
        hint: "for example --map SESSION_KEY=auth/session-key",
      })
    }
    const [, key, name] = match as unknown as [string, string, string]
    if (maps.has(key)) throw new LayerError("invalid_map", `--map ${key}=… is given twice`, { hint: "give each key one --map" })
    if (!keys.has(key)) throw new LayerError("invalid_map", `--map ${key}=…: ${source} has no key ${key}`, { hint: `check the spelling against the keys in ${source}` })
    maps.set(key, name)
  }
  return maps
}

function lineError(source: string, entry: ImportEntry, code: string, problem: string, hint: string): LayerError {
  return new LayerError(code, `${source} line ${entry.line}: ${problem}; nothing was written`, { hint, details: { line: entry.line, key: entry.key } })
}

/** The same error, prefixed with the file and line it came from. */
function atLine(error: unknown, source: string, entry: ImportEntry): LayerError {
  if (!isLayerError(error)) throw error
  const problem = error.message.replace(/;? ?nothing was written\.?$/, "")
  return new LayerError(error.code, `${source} line ${entry.line} (${entry.key}): ${problem}; nothing was written`, {
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    details: { ...error.details, line: entry.line, key: entry.key },
  })
}
