/**
 * Which environment a command acts on: --env, then LAYERON_ENV, then the config's
 * defaultEnvironment (itself "dev" by default).
 *
 * A Cloudflare environment's account is not settled here: credentials/resolve.ts picks the
 * config's accountId, else CLOUDFLARE_ACCOUNT_ID, else the account chosen at `layer login`,
 * and refuses with missing_account_id when none is known. Commands that never reach
 * Cloudflare (help, a local environment) are not held up by it.
 */
import { LayerError } from "../errors.js"
import type { ProjectConfig, SelectedEnvironment } from "./types.js"
import { MAX_QUOTED_INPUT, quoteInput } from "../output/quote.js"

export function selectEnvironment(config: ProjectConfig, flag: string | undefined, env: NodeJS.ProcessEnv, configFile: string): SelectedEnvironment {
  const fromEnv = env.LAYERON_ENV ? env.LAYERON_ENV : undefined
  const [name, source]: [string, SelectedEnvironment["source"]] =
    flag !== undefined ? [flag, "--env"] : fromEnv !== undefined ? [fromEnv, "LAYERON_ENV"] : [config.defaultEnvironment, "defaultEnvironment"]
  const known = Object.keys(config.environments)
  const environment = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined
  if (!environment) {
    const origin = source === "defaultEnvironment" ? "the default environment" : `${source} names`
    throw new LayerError("unknown_environment", `unknown environment ${quoteInput(name)} (${origin}); known: ${known.join(", ")}`, {
      hint:
        source === "defaultEnvironment"
          ? `pass --env with one of ${known.join(", ")}, or set defaultEnvironment in ${configFile}`
          : `use one of ${known.join(", ")}${name.length <= MAX_QUOTED_INPUT ? `, or add ${quoteInput(name)} to environments in ${configFile}` : ""}`,
      // Input that may be a token stays out of --json too.
      details: { ...(name.length <= MAX_QUOTED_INPUT ? { environment: name } : {}), known },
    })
  }
  return { name, source, config: environment }
}
