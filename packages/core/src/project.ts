/**
 * `project()` types `layeron.config.ts`. It returns its argument: the CLI validates the
 * config itself (with messages that point at the file and field), so this stays a pure
 * identity that costs nothing to import.
 */
export type EnvironmentConfig =
  | { provider: "local" }
  | {
      provider: "cloudflare"
      /** 32 hex digits; falls back to CLOUDFLARE_ACCOUNT_ID, then `layer login`. */
      accountId?: string
      /**
       * Turn on each app Worker's `<worker>.<subdomain>.workers.dev` route at deploy. Default
       * true; `false` for every backend, or `{ admin: false }` per backend id.
       */
      workersDev?: boolean | Record<string, boolean>
      /**
       * Keep this environment's declarations in as few physical secrets as 64 KiB allows
       * (packs), past the account's 100-secret quota. Default false. Switch an environment
       * that already holds values with `layer secret pack` / `layer secret unpack`.
       */
      packing?: boolean
    }

export interface ProjectConfig {
  /** Ownership field of the physical names (docs/design.md#physical-names). */
  workspace: string
  /** The project's name; also an ownership field. */
  name: string
  /** Backend id → entry module path, relative to the config file. */
  backends: Record<string, string>
  /** Used when neither --env nor LAYERON_ENV is set. Default: "dev". */
  defaultEnvironment?: string
  /** Default: `{ dev: { provider: "local" } }`. */
  environments?: Record<string, EnvironmentConfig>
}

export function project<const T extends ProjectConfig>(config: T): T {
  return config
}
