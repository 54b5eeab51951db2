/**
 * What `layer secret import` will write, decided before the first write: every entry of the
 * file resolved to a target and its value checked exactly as `secret set` checks one. Any
 * problem throws, naming the file's line; nothing has been written at that point.
 *
 * Key resolution (documented in `layer secret import --help` and docs/design.md#secret-names):
 * 1. `--map KEY=NAME`: NAME is taken exactly (catalog.ts, resolveTarget).
 * 2. Otherwise the key is resolved as `secret set NAME` resolves a name (catalog.ts,
 *    resolveWriteTarget): a declared `namespace/name`, an adopted `secretName`, a `lo_…` name,
 *    a bare name of the `default` namespace; then the env-style convention for UPPER_SNAKE
 *    keys (`AUTH__SESSION_KEY`, or `SESSION_KEY` for the one declaration named `session-key`);
 *    an undeclared key close to a declared name is refused with "did you mean" unless
 *    `--undeclared`; anything else is an undeclared Cloudflare secret name, written as is.
 * A key resolving to `layeron/sealing-key`, or two keys resolving to one secret, is refused.
 */
import { isLayerError, LayerError } from "../errors.js"
import { SecretText } from "../providers/provider.js"
import { describeTarget, resolveTarget, resolveWriteTarget } from "./catalog.js"
import type { SecretCatalog, SecretTarget } from "./catalog.js"
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
  /** `--undeclared`: keys no declaration claims exactly are written as the Cloudflare secrets they name. */
  undeclared?: boolean
}

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
      resolved = resolveKey(entry.key, maps.get(entry.key), catalog, options.undeclared === true)
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

function resolveKey(key: string, mapped: string | undefined, catalog: SecretCatalog, undeclared: boolean): { target: SecretTarget; via: PlannedEntry["via"] } {
  if (mapped !== undefined) return { target: resolveTarget(mapped, catalog), via: "map" }
  return resolveWriteTarget(key, catalog, { undeclared })
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
