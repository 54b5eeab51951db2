/**
 * Declaration discovery: import each backend entry the way the config lists it and read
 * the modules its app registered with `app.use(...)`. Brands are `Symbol.for` symbols, so
 * this works even when the project loads another copy of @layeron/* than the CLI.
 *
 * A Worker that is not a `backend()` app (`export default { fetch }`, a plain Hono app, a
 * Worker that wrangler deploys) registers its declarations with a named export instead:
 *
 *     export const layeron = { secrets: [sessionKey, stripe] }
 *
 * Both may be used in one module; the declarations are merged. A module with neither is
 * still loaded, and `unregisteredBackends` names it so that commands can warn.
 */
import { relative } from "node:path"
import { canonicalDeclaration } from "@layeron/modules/declare"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { LayerError } from "../errors.js"
import { missingPackageHint } from "./packages.js"
import type { ModuleImporter } from "./import.js"
import type { BackendAppOptions, DiscoveredBackend, DiscoveredDeclaration, ProjectConfig } from "./types.js"

const SECRET_MODULE_BRAND = Symbol.for("layeron.secret.module")
const REGISTERED_MODULES = Symbol.for("layeron.backend.modules")
/** The named export a module that is not a backend() app declares its secrets with. */
export const REGISTRATION_EXPORT = "layeron"

export interface DiscoverOptions {
  config: ProjectConfig
  root: string
  importer: ModuleImporter
  debug: (message: string) => void
}

export interface Discovery {
  declarations: DiscoveredDeclaration[]
  backends: DiscoveredBackend[]
}

export async function discoverDeclarations({ config, root, importer, debug }: DiscoverOptions): Promise<Discovery> {
  const found = new Map<string, DiscoveredDeclaration>()
  const backends: DiscoveredBackend[] = []
  for (const [backend, file] of Object.entries(config.backends)) {
    const shown = relative(root, file) || file
    const entry = await importBackend(importer, backend, file, shown)
    const app = entry.default
    const exported = registeredByExport(entry[REGISTRATION_EXPORT], backend, shown)
    if ((app === undefined || app === null) && exported === undefined) {
      throw new LayerError("backend_no_default_export", `backend "${backend}" (${shown}) has no default export`, {
        hint: "end the entry with `export default app`, where app = backend({ name, compatibilityDate })",
      })
    }
    const own = new Set<string>()
    backends.push({ id: backend, file, app: app === undefined || app === null ? undefined : appOptionsOf(app), secrets: [] })
    const fromApp = app === undefined || app === null ? undefined : (app as Record<symbol, unknown>)[REGISTERED_MODULES]
    if (!Array.isArray(fromApp) && exported === undefined) {
      debug(`backend "${backend}" (${shown}): default export is not a backend() app and there is no \`export const ${REGISTRATION_EXPORT}\`; no declarations`)
      continue
    }
    const registered = [...(Array.isArray(fromApp) ? fromApp : []), ...(exported ?? [])]
    for (const module of registered) {
      const declaration = declarationOf(module)
      if (!declaration) continue
      own.add(declaration.id)
      const earlier = found.get(declaration.id)
      if (!earlier) {
        found.set(declaration.id, { declaration, backend, file })
        continue
      }
      if (canonicalDeclaration(earlier.declaration) !== canonicalDeclaration(declaration)) {
        throw new LayerError(
          "conflicting_declarations",
          `"${declaration.id}" is declared differently by backend "${earlier.backend}" (${relative(root, earlier.file)}) and backend "${backend}" (${shown})`,
          { hint: "declare it once in a shared module and import it in both backends, or give one a different name or namespace" },
        )
      }
    }
    backends[backends.length - 1]!.secrets = [...own].sort()
    debug(`backend "${backend}" (${shown}): ${registered.length} registered module(s)`)
  }
  const declarations = [...found.values()].sort((a, b) => (a.declaration.id < b.declaration.id ? -1 : a.declaration.id > b.declaration.id ? 1 : 0))
  return { declarations, backends }
}

/** `export const layeron = { secrets: [...] }`, checked: undefined when absent, an error when malformed. */
function registeredByExport(value: unknown, backend: string, shown: string): unknown[] | undefined {
  if (value === undefined) return undefined
  const form = `\`export const ${REGISTRATION_EXPORT} = { secrets: [sessionKey, …] }\`, each a secret.static/random/generated(...) declaration`
  const secrets = typeof value === "object" && value !== null ? (value as { secrets?: unknown }).secrets : undefined
  if (!Array.isArray(secrets)) {
    throw new LayerError("invalid_registration", `backend "${backend}" (${shown}): its \`${REGISTRATION_EXPORT}\` export has no "secrets" list`, { hint: `write ${form}` })
  }
  const bad = secrets.findIndex((module) => declarationOf(module) === undefined)
  if (bad !== -1) {
    throw new LayerError("invalid_registration", `backend "${backend}" (${shown}): item ${bad + 1} of \`${REGISTRATION_EXPORT}.secrets\` is not a secret declaration`, { hint: `write ${form}` })
  }
  return secrets
}

/** Backends that are not backend() apps and declared nothing: probably a registration forgotten. */
export function unregisteredBackends(discovery: Discovery): DiscoveredBackend[] {
  return discovery.backends.filter((backend) => backend.app === undefined && !discovery.declarations.some((d) => d.backend === backend.id))
}

/** `backend()` apps carry their options under `layeron` (see @layeron/core); others have none. */
function appOptionsOf(app: unknown): BackendAppOptions | undefined {
  const options = (app as { layeron?: { options?: Partial<BackendAppOptions> } }).layeron?.options
  if (typeof options?.name !== "string" || typeof options.compatibilityDate !== "string") return undefined
  const flags = Array.isArray(options.compatibilityFlags) ? options.compatibilityFlags.filter((flag): flag is string => typeof flag === "string") : []
  return { name: options.name, compatibilityDate: options.compatibilityDate, compatibilityFlags: flags }
}

async function importBackend(importer: ModuleImporter, backend: string, file: string, shown: string): Promise<Record<string, unknown>> {
  try {
    return await importer.import(file)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const cloudflareUnderCommonJs = /Cannot find module '?cloudflare:/.test(message)
    throw new LayerError("backend_import_failed", `backend "${backend}" (${shown}) threw while loading: ${message}`, {
      hint: cloudflareUnderCommonJs
        ? 'add "type": "module" to package.json: backends are ES modules'
        : (missingPackageHint(error) ?? `fix the error in ${shown} (the CLI imports each backend in Node to find its declarations)`),
      cause: error,
    })
  }
}

function declarationOf(module: unknown): SecretDeclaration | undefined {
  if (typeof module !== "object" || module === null) return undefined
  const record = module as Record<string | symbol, unknown>
  if (record[SECRET_MODULE_BRAND] !== true) return undefined
  return record.declaration as SecretDeclaration
}
