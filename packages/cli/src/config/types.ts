/** The project as the CLI sees it once layeron.config.ts is loaded, validated and normalized. */
import type { SecretDeclaration } from "@layeron/modules/declare"

/**
 * `workersDev` (Cloudflare): whether `layer deploy` turns on each app Worker's workers.dev route.
 * Default on; `false` for every backend, or `{ <backend id>: false }` for some. The Secret
 * Product Worker never gets one.
 */
export type EnvironmentConfig = { provider: "local" } | { provider: "cloudflare"; accountId?: string; workersDev?: boolean | Record<string, boolean>; packing?: boolean }

/** layeron.config.ts with every default filled in; backend paths are absolute. */
export interface ProjectConfig {
  workspace: string
  name: string
  /** Backend id → absolute path of its entry module. */
  backends: Record<string, string>
  /** The configured default, or "dev" when none is given. */
  defaultEnvironment: string
  /** As configured, or `{ dev: { provider: "local" } }` when absent. */
  environments: Record<string, EnvironmentConfig>
}

export interface SelectedEnvironment {
  name: string
  config: EnvironmentConfig
  /** Where the choice came from, for debug lines and error messages. */
  source: "--env" | "LAYERON_ENV" | "defaultEnvironment"
}

/** A declaration found in a backend entry, with where it came from. */
export interface DiscoveredDeclaration {
  declaration: SecretDeclaration
  backend: string
  file: string
}

/** Options of a backend entry's `backend({ ... })` app, as the CLI read them at discovery. */
export interface BackendAppOptions {
  name: string
  compatibilityDate: string
  compatibilityFlags: string[]
}

/** A backend of the config, in config order, with what its entry's app declared about itself. */
export interface DiscoveredBackend {
  /** The key in `backends` (the app Worker's name is built from it). */
  id: string
  /** Absolute path of the entry module. */
  file: string
  /** undefined when the default export is not a `backend()` app (a plain `{ fetch }` object). */
  app: BackendAppOptions | undefined
  /**
   * The secret ids this backend registers (`app.use()` and its `layeron` export), sorted: the
   * Secret Product Worker serves this backend these and nothing else.
   */
  secrets: string[]
}

export interface LoadedProject {
  /** The directory holding the config file. */
  root: string
  configFile: string
  config: ProjectConfig
  environment: SelectedEnvironment
  declarations: DiscoveredDeclaration[]
  backends: DiscoveredBackend[]
}
