/**
 * Which environment a command acts on: --env, then LAYERON_ENV, then the config's
 * defaultEnvironment (itself "dev" by default).
 */
import { LayerError } from "../errors.js"
import type { ProjectConfig, SelectedEnvironment } from "./types.js"

const ACCOUNT_ID_PATTERN = /^[0-9a-fA-F]{32}$/

export function selectEnvironment(config: ProjectConfig, flag: string | undefined, env: NodeJS.ProcessEnv, configFile: string): SelectedEnvironment {
  const fromEnv = env.LAYERON_ENV ? env.LAYERON_ENV : undefined
  const [name, source]: [string, SelectedEnvironment["source"]] =
    flag !== undefined ? [flag, "--env"] : fromEnv !== undefined ? [fromEnv, "LAYERON_ENV"] : [config.defaultEnvironment, "defaultEnvironment"]
  const known = Object.keys(config.environments)
  const environment = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined
  if (!environment) {
    const origin = source === "defaultEnvironment" ? "the default environment" : `${source} names`
    throw new LayerError("unknown_environment", `unknown environment ${JSON.stringify(name)} (${origin}); known: ${known.join(", ")}`, {
      hint:
        source === "defaultEnvironment"
          ? `pass --env with one of ${known.join(", ")}, or set defaultEnvironment in ${configFile}`
          : `use one of ${known.join(", ")}, or add ${JSON.stringify(name)} to environments in ${configFile}`,
      details: { environment: name, known },
    })
  }
  if (environment.provider === "cloudflare" && environment.accountId === undefined) {
    const fallback = env.CLOUDFLARE_ACCOUNT_ID
    if (!fallback) {
      throw new LayerError("missing_account_id", `environment "${name}" uses Cloudflare but has no account id`, {
        hint: `set environments.${name}.accountId in ${configFile} or export CLOUDFLARE_ACCOUNT_ID (32 hex digits)`,
      })
    }
    if (!ACCOUNT_ID_PATTERN.test(fallback)) {
      throw new LayerError("invalid_account_id", `CLOUDFLARE_ACCOUNT_ID is ${JSON.stringify(fallback)}: must be 32 hex digits`, {
        hint: "copy the Account ID from the Cloudflare dashboard (Account home)",
      })
    }
    return { name, source, config: { provider: "cloudflare", accountId: fallback } }
  }
  return { name, source, config: environment }
}
