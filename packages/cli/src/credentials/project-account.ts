/**
 * The Cloudflare account a project's config names, for `layer login` and `layer whoami`.
 * Only layeron.config.ts is read (no backends are imported): logging in must not depend on
 * the app's code loading. Without --env/LAYERON_ENV every Cloudflare environment counts,
 * and they must agree on one account.
 */
import { dirname, relative } from "node:path"
import { LayerError } from "../errors.js"
import { findConfigFile } from "../config/find.js"
import { createModuleImporter } from "../config/import.js"
import { validateConfig } from "../config/rules.js"
import { quoteInput } from "../output/quote.js"

export type ProjectAccount =
  | { kind: "none" }
  | { kind: "one"; accountId: string; environment: string }
  | { kind: "several"; accounts: { environment: string; accountId: string }[] }

export interface ProjectAccountOptions {
  cwd: string
  /** --env, if given. */
  environment: string | undefined
  env: NodeJS.ProcessEnv
  debug: (message: string) => void
}

export async function projectAccount(options: ProjectAccountOptions): Promise<ProjectAccount> {
  const wanted = options.environment ?? (options.env.LAYERON_ENV || undefined)
  const file = await findConfigFile(options.cwd)
  if (!file) {
    if (wanted) options.debug(`no layeron.config.ts found from ${options.cwd}; ignoring environment ${wanted}`)
    return { kind: "none" }
  }
  const shown = relative(options.cwd, file) || file
  let raw: unknown
  try {
    const namespace = await (await createModuleImporter()).import(file)
    raw = namespace.default
  } catch (error) {
    if (wanted) {
      throw new LayerError("config_import_failed", `${shown} threw while loading: ${error instanceof Error ? error.message : String(error)}`, {
        hint: `fix ${shown}, or pass --account-id instead of --env`,
      })
    }
    options.debug(`ignoring ${shown}: it failed to load`)
    return { kind: "none" }
  }
  const validated = validateConfig(raw, { file: shown, root: dirname(file) })
  if (!validated.ok) {
    if (wanted) throw new LayerError("invalid_config", validated.errors.join("\n"), { hint: `fix ${shown}, or pass --account-id instead of --env` })
    options.debug(`ignoring ${shown}: ${validated.errors.length} problem(s)`)
    return { kind: "none" }
  }
  const environments = validated.config.environments
  if (wanted) {
    const chosen = Object.hasOwn(environments, wanted) ? environments[wanted] : undefined
    if (!chosen) {
      throw new LayerError("unknown_environment", `unknown environment ${quoteInput(wanted)}; ${shown} has ${Object.keys(environments).join(", ")}`, {
        hint: "pass --env with one of those, or --account-id",
      })
    }
    if (chosen.provider !== "cloudflare" || !chosen.accountId) return { kind: "none" }
    return { kind: "one", accountId: chosen.accountId, environment: wanted }
  }
  const named = Object.entries(environments).flatMap(([environment, config]) =>
    config.provider === "cloudflare" && config.accountId ? [{ environment, accountId: config.accountId.toLowerCase() }] : [],
  )
  const distinct = new Set(named.map((entry) => entry.accountId))
  const [first] = named
  if (!first) return { kind: "none" }
  if (distinct.size === 1) return { kind: "one", accountId: first.accountId, environment: first.environment }
  return { kind: "several", accounts: named }
}
