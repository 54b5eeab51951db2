/**
 * Load the project for a command: find layeron.config.*, import it, validate it by rules,
 * select the environment, and discover the declarations of every backend. What the imports
 * produce comes from the project cache (cache.ts) when nothing they read has changed;
 * validation and environment selection run either way.
 */
import { access, constants } from "../fs/io.js"
import { dirname, relative } from "node:path"
import { LayerError } from "../errors.js"
import { assertSafeFolder } from "../fs/safe-path.js"
import { layeronHome } from "../paths.js"
import { projectCacheEnabled, readCachedProject, saveProjectAfterSuccess } from "./cache.js"
import type { ProjectLoadResult } from "./cache.js"
import { discoverDeclarations, REGISTRATION_EXPORT, unregisteredBackends } from "./discover.js"
import type { Discovery } from "./discover.js"
import { selectEnvironment } from "./environment.js"
import { findConfigFile } from "./find.js"
import { checkLayeronVersions, missingPackageHint } from "./packages.js"
import { settleLocalStateLocations } from "./local-state.js"
import type { ModuleImporter } from "./import.js"
import { isAccountPlaceholder, sharedOperatorNames, validateConfig } from "./rules.js"
import type { LoadedProject } from "./types.js"

export interface LoadProjectOptions {
  /** Where the search for the config starts (--cwd). */
  cwd: string
  /** --env, if given. */
  environment: string | undefined
  env: NodeJS.ProcessEnv
  debug: (message: string) => void
  /** Notices worth a line on stderr: a local environment's state moved out of the committed tree, a backend that declares nothing. */
  warn?: (message: string) => void
}

export async function loadProject(options: LoadProjectOptions): Promise<LoadedProject> {
  const configFile = await findConfigFile(options.cwd)
  if (!configFile) {
    throw new LayerError("config_not_found", `no layeron.config.ts in ${options.cwd} or any directory above it`, {
      hint: "run layer inside your project or pass --cwd <project dir>; to start a project here, run `layer init`",
    })
  }
  const root = dirname(configFile)
  const shown = displayPath(configFile, options.cwd)
  options.debug(`config: ${configFile}`)
  await checkReadable(configFile, shown)

  const home = layeronHome({ env: options.env })
  // Before anything is read or written: a linked or foreign key file in the home is refused now, not halfway through a write.
  await assertSafeFolder(home)
  const cacheOptions = { configFile, root, home, env: options.env, debug: options.debug }
  const useCache = projectCacheEnabled(options.env)
  const cached = useCache ? await readCachedProject(cacheOptions) : undefined
  // tsx, its loader thread and the importer's own modules load only when the project must
  // really be imported.
  const importer = cached ? undefined : await (await import("./import.js")).createModuleImporter()
  // Only when importing: a cached project was checked when it was imported.
  if (importer) checkLayeronVersions(root)
  const raw = importer ? await importConfig(importer, configFile, shown) : cached?.rawConfig
  const validated = validateConfig(raw, { file: shown, root })
  if (!validated.ok) {
    const [first] = validated.errors
    const message = validated.errors.length === 1 ? (first ?? "") : `${validated.errors.length} problems in ${shown}:\n  ${validated.errors.join("\n  ")}`
    throw new LayerError("invalid_config", message, { hint: `fix the fields named above in ${shown}`, details: { file: configFile, problems: validated.errors } })
  }
  const config = validated.config
  const environment = selectEnvironment(config, options.environment, options.env, shown)
  if (environment.config.provider === "cloudflare" && isAccountPlaceholder(environment.config.accountId)) {
    const field = `environments.${environment.name}.accountId`
    throw new LayerError("invalid_config", `${shown}: ${field} is still the placeholder ${JSON.stringify(environment.config.accountId)}; nothing was written`, {
      hint: `replace it with your Cloudflare account id, 32 hex digits (dashboard → Account home → Account ID), in ${shown}`,
      details: { file: configFile, problems: [field] },
    })
  }
  options.debug(`environment: ${environment.name} (from ${environment.source}, provider ${environment.config.provider})`)
  await settleLocalStateLocations({ root, config, environment: environment.name, home: cacheOptions.home, ...(options.warn ? { warn: options.warn } : {}), debug: options.debug })
  let discovery: Discovery
  if (importer) {
    discovery = await discoverDeclarations({ config, root, importer, debug: options.debug })
    if (useCache) await saveProjectAfterSuccess({ rawConfig: raw, ...discovery }, importer.inputs, cacheOptions)
  } else {
    discovery = cached as ProjectLoadResult
  }
  const { declarations, backends } = discovery
  for (const backend of unregisteredBackends(discovery)) {
    const file = displayPath(backend.file, options.cwd)
    options.warn?.(`backend "${backend.id}" (${file}) declares no secrets: its default export is not a backend() app and it has no \`export const ${REGISTRATION_EXPORT} = { secrets: [...] }\`, so layer sees none of its secrets`)
  }
  const shared = sharedOperatorNames(config, environment.name, declarations, shown)
  if (shared.length > 0) {
    throw new LayerError("operator_name_shared", `${shared.join("; ")}; nothing was written`, {
      hint: `give "${environment.name}" its own Cloudflare account (accountId in ${shown}), or drop secretName so that each environment gets its own lo_… name`,
      details: { file: configFile, environment: environment.name },
    })
  }
  options.debug(`declarations: ${declarations.map((d) => d.declaration.id).join(", ") || "none"}`)
  return { root, configFile, config, environment, declarations, backends }
}

async function checkReadable(file: string, shown: string): Promise<void> {
  try {
    await access(file, constants.R_OK)
  } catch (error) {
    throw new LayerError("config_unreadable", `cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? "unknown error"}`, {
      hint: `check the permissions of ${shown} (the current user must be able to read it)`,
    })
  }
}

async function importConfig(importer: ModuleImporter, file: string, shown: string): Promise<unknown> {
  let namespace: Record<string, unknown>
  try {
    namespace = await importer.import(file)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new LayerError("config_import_failed", `${shown} threw while loading: ${message}`, {
      hint: missingPackageHint(error, dirname(file)) ?? `fix the error in ${shown}; it must \`export default project({ workspace, name, backends })\``,
      cause: error,
    })
  }
  if (!("default" in namespace)) {
    throw new LayerError("config_no_default_export", `${shown} has no default export`, {
      hint: "end it with `export default project({ workspace, name, backends })` (project from @layeron/core)",
    })
  }
  return namespace.default
}

/** Paths in messages: relative to where the user stands when that is shorter. */
function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file)
  return rel && !rel.startsWith("..") ? rel : file
}
