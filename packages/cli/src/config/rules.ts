/**
 * layeron.config.ts validation, Changesets style: small named rules, each returning
 * messages that start with the file and the field path, then name the value given and the
 * rule it breaks. All rules run, so one run reports every problem.
 */
import { statSync } from "node:fs"
import { isAbsolute, resolve } from "node:path"
import { DECLARATION_NAME_PATTERN } from "@layeron/modules/limits"
import type { EnvironmentConfig, ProjectConfig } from "./types.js"

export interface RuleContext {
  /** The config file as shown in messages. */
  file: string
  /** Directory of the config file: backend paths are relative to it. */
  root: string
}

type Config = Record<string, unknown>
type Rule = (config: Config, context: RuleContext) => string[]

const KNOWN_FIELDS = ["workspace", "name", "backends", "defaultEnvironment", "environments"] as const
const PROVIDERS = ["local", "cloudflare"] as const
const ACCOUNT_ID_PATTERN = /^[0-9a-fA-F]{32}$/
const NAME_RULE = `must match ${DECLARATION_NAME_PATTERN.source} (lower-case letters, digits, _ and -, starting with a letter or digit, at most 63 characters)`

export const DEFAULT_ENVIRONMENTS: Readonly<Record<string, EnvironmentConfig>> = { dev: { provider: "local" } }
export const DEFAULT_ENVIRONMENT = "dev"

/** How a value given in the config is shown: config holds no secrets, so showing it is safe. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "missing"
  if (typeof value === "function") return "a function"
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value)
  if (Array.isArray(value)) return "an array"
  try {
    const json = JSON.stringify(value)
    return json.length > 60 ? `${json.slice(0, 57)}...` : json
  } catch {
    return typeof value
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

function problem(context: RuleContext, path: string, value: unknown, rule: string): string {
  return `${context.file}: ${path} is ${describeValue(value)}: ${rule}`
}

const knownFields: Rule = (config, context) =>
  Object.keys(config)
    .filter((key) => !(KNOWN_FIELDS as readonly string[]).includes(key))
    .map((key) => problem(context, key, config[key], `unknown field; expected one of ${KNOWN_FIELDS.join(", ")}`))

const ownershipName =
  (field: "workspace" | "name", example: string): Rule =>
  (config, context) => {
    const value = config[field]
    if (value === undefined) return [problem(context, field, value, `required, e.g. ${field}: "${example}"`)]
    if (typeof value !== "string" || !DECLARATION_NAME_PATTERN.test(value)) return [problem(context, field, value, NAME_RULE)]
    return []
  }

const backends: Rule = (config, context) => {
  const value = config.backends
  if (!isRecord(value) || Object.keys(value).length === 0) {
    return [problem(context, "backends", value, 'must be a non-empty object of backend id → entry path, e.g. backends: { api: "./src/api.ts" }')]
  }
  const messages: string[] = []
  for (const [id, path] of Object.entries(value)) {
    const field = `backends.${id}`
    if (typeof path !== "string" || path === "") messages.push(problem(context, field, path, 'must be a path such as "./src/api.ts"'))
    else if (isAbsolute(path)) messages.push(problem(context, field, path, `must be relative to ${context.file}, e.g. "./src/api.ts"`))
    else if (!isFile(resolve(context.root, path))) messages.push(problem(context, field, path, `no such file (paths are relative to ${context.file})`))
  }
  return messages
}

const environments: Rule = (config, context) => {
  const value = config.environments
  if (value === undefined) return []
  if (!isRecord(value) || Object.keys(value).length === 0) {
    return [problem(context, "environments", value, 'must be a non-empty object, e.g. environments: { dev: { provider: "local" } }')]
  }
  const messages: string[] = []
  for (const [name, environment] of Object.entries(value)) {
    const field = `environments.${name}`
    // Environment names become directory names and parts of physical names.
    if (!DECLARATION_NAME_PATTERN.test(name)) messages.push(`${context.file}: ${field}: the name ${JSON.stringify(name)} ${NAME_RULE}`)
    if (!isRecord(environment)) {
      messages.push(problem(context, field, environment, 'must be an object such as { provider: "local" }'))
      continue
    }
    const provider = environment.provider
    if (!(PROVIDERS as readonly unknown[]).includes(provider)) {
      messages.push(problem(context, `${field}.provider`, provider, 'must be "local" or "cloudflare"'))
      continue
    }
    const allowed = provider === "cloudflare" ? ["provider", "accountId", "workersDev", "packing"] : ["provider"]
    if (provider === "local" && environment.packing !== undefined) {
      // Refused rather than ignored: a config that says "packed" must not silently mean "not packed".
      messages.push(problem(context, `${field}.packing`, environment.packing, 'applies to Cloudflare environments only (it works around the account\'s 100-secret quota; a local store has none); remove it or use provider "cloudflare"'))
    }
    for (const key of Object.keys(environment)) {
      if (key === "packing" && provider === "local") continue
      if (!allowed.includes(key)) messages.push(problem(context, `${field}.${key}`, environment[key], `unknown field for provider "${String(provider)}"; expected ${allowed.join(", ")}`))
    }
    const accountId = environment.accountId
    // A placeholder such as "<your account id>" (as docs write it) is refused only when its environment is used (load.ts).
    if (provider === "cloudflare" && accountId !== undefined && !isAccountPlaceholder(accountId) && (typeof accountId !== "string" || !ACCOUNT_ID_PATTERN.test(accountId))) {
      messages.push(problem(context, `${field}.accountId`, accountId, "must be your Cloudflare account id: 32 hex digits (dashboard → Account home → Account ID)"))
    }
    if (provider === "cloudflare") messages.push(...workersDevProblems(context, `${field}.workersDev`, environment.workersDev, config.backends))
    if (provider === "cloudflare" && environment.packing !== undefined && typeof environment.packing !== "boolean") {
      messages.push(problem(context, `${field}.packing`, environment.packing, "must be true or false (docs/design.md#packing)"))
    }
  }
  return messages
}

/** `"<32-hex account id>"`: an account id not filled in yet, pasted from an example. */
export function isAccountPlaceholder(value: unknown): boolean {
  return typeof value === "string" && /^<[^<>]*>$/.test(value.trim())
}

/** `workersDev`: a boolean, or backend id → boolean for backends the config declares. */
function workersDevProblems(context: RuleContext, field: string, value: unknown, backends: unknown): string[] {
  if (value === undefined || typeof value === "boolean") return []
  const rule = "must be true, false, or an object of backend id → boolean, e.g. workersDev: { admin: false }"
  if (!isRecord(value)) return [problem(context, field, value, rule)]
  const known = isRecord(backends) ? Object.keys(backends) : []
  return Object.entries(value).flatMap(([id, on]) => {
    if (!known.includes(id)) return [problem(context, `${field}.${id}`, on, `names no backend; expected one of ${known.join(", ")}`)]
    return typeof on === "boolean" ? [] : [problem(context, `${field}.${id}`, on, rule)]
  })
}

const defaultEnvironment: Rule = (config, context) => {
  const value = config.defaultEnvironment
  if (value === undefined) return []
  const names = Object.keys(isRecord(config.environments) ? config.environments : DEFAULT_ENVIRONMENTS)
  if (typeof value !== "string" || !names.includes(value)) {
    return [problem(context, "defaultEnvironment", value, `must name an environment (${names.join(", ")})`)]
  }
  return []
}

export const CONFIG_RULES: readonly Rule[] = [knownFields, ownershipName("workspace", "acme"), ownershipName("name", "shop"), backends, environments, defaultEnvironment]

export type ValidationResult = { ok: true; config: ProjectConfig } | { ok: false; errors: string[] }

/** Run every rule; on success, the normalized config (defaults filled, backend paths absolute). */
export function validateConfig(raw: unknown, context: RuleContext): ValidationResult {
  if (!isRecord(raw)) {
    return { ok: false, errors: [`${context.file}: the default export is ${describeValue(raw)}: export default project({ workspace, name, backends })`] }
  }
  const errors = CONFIG_RULES.flatMap((rule) => rule(raw, context))
  if (errors.length > 0) return { ok: false, errors }
  const environmentsGiven = raw.environments as Record<string, EnvironmentConfig> | undefined
  return {
    ok: true,
    config: {
      workspace: raw.workspace as string,
      name: raw.name as string,
      backends: Object.fromEntries(Object.entries(raw.backends as Record<string, string>).map(([id, path]) => [id, resolve(context.root, path)])),
      defaultEnvironment: (raw.defaultEnvironment as string | undefined) ?? DEFAULT_ENVIRONMENT,
      environments: environmentsGiven ? { ...environmentsGiven } : { ...DEFAULT_ENVIRONMENTS },
    },
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * One operator name, one environment: a declaration that adopts an operator-named Cloudflare
 * secret (`secretName`) resolves to that same name in every environment, so two Cloudflare
 * environments on one account would write one secret (`--env preview` overwriting
 * production's value). Returns one message per colliding declaration for `selected`, empty
 * when none; the caller refuses before any write. Accounts compare case-insensitively.
 */
export function sharedOperatorNames(config: ProjectConfig, selected: string, declarations: ReadonlyArray<{ declaration: { id: string; secretName?: string } }>, file: string): string[] {
  const mine = config.environments[selected]
  if (mine?.provider !== "cloudflare" || mine.accountId === undefined) return []
  const account = mine.accountId.toLowerCase()
  const others = Object.entries(config.environments)
    .filter(([name, environment]) => name !== selected && environment.provider === "cloudflare" && environment.accountId?.toLowerCase() === account)
    .map(([name]) => name)
  if (others.length === 0) return []
  return declarations
    .filter(({ declaration }) => declaration.secretName !== undefined)
    .map(
      ({ declaration }) =>
        `${declaration.id} adopts the operator-named secret ${declaration.secretName}, and environments "${selected}" and ${others.map((name) => `"${name}"`).join(", ")} in ${file} use the same Cloudflare account ${mine.accountId}: they would read and write one secret`,
    )
}
