/** The project as the CLI sees it once layeron.config.ts is loaded, validated and normalized. */
import type { SecretDeclaration } from "@layeron/modules/declare"

export type EnvironmentConfig = { provider: "local" } | { provider: "cloudflare"; accountId?: string }

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

export interface LoadedProject {
  /** The directory holding the config file. */
  root: string
  configFile: string
  config: ProjectConfig
  environment: SelectedEnvironment
  declarations: DiscoveredDeclaration[]
}
