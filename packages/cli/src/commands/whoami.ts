/**
 * `layer whoami`: which token and account Cloudflare commands would use, where they come
 * from, and whether Cloudflare accepts them. The token appears only as a fingerprint.
 * Exits 1 when there is no token or Cloudflare rejects it (the JSON error carries the same
 * fields under details), and when the account cannot be reached with the token (no access to
 * the account, or no Secrets Store access: the document still says which), so scripts can
 * test for a working login. Workers Scripts access is probed too; without it, deploy fails.
 */
import { tokenFingerprint } from "../credentials/fingerprint.js"
import { projectAccount } from "../credentials/project-account.js"
import { loadToken } from "../credentials/resolve.js"
import type { LoadedToken } from "../credentials/types.js"
import { permissionReport, probeSecretsStore, probeWorkersScripts, requireActive, verifyToken } from "../credentials/verify.js"
import type { WorkersProbe } from "../credentials/verify.js"
import { permissionLines, workersLine } from "./login.js"
import { LayerError, isLayerError } from "../errors.js"
import type { CommandResult, HumanBlock } from "../output/index.js"
import { layeronHome } from "../paths.js"
import { CloudflareApi } from "../providers/cloudflare/api.js"
import { checkAccountId } from "../providers/cloudflare/checks.js"
import type { CommandContext } from "./types.js"

export async function run(context: CommandContext): Promise<CommandResult> {
  const token = await loadToken({ home: layeronHome({ env: context.env }), env: context.env, warn: (message) => context.output.warn(message) })
  if (!token) {
    throw new LayerError("not_logged_in", "no Cloudflare API token: CLOUDFLARE_API_TOKEN is unset and nothing is stored", {
      hint: "run `layer login`, or export CLOUDFLARE_API_TOKEN",
    })
  }
  const account = await whichAccount(context, token)
  const identity = {
    source: token.source,
    location: token.location ?? null,
    tokenFingerprint: tokenFingerprint(token.apiToken),
    accountId: account?.accountId ?? null,
    accountIdSource: account?.source ?? null,
  }
  const api = new CloudflareApi({ apiToken: token.apiToken.reveal(), env: context.env, debug: (message) => context.output.debug(message) })
  const verified = await withIdentity(identity, async () => {
    const result = await verifyToken(api, account?.accountId)
    requireActive(result)
    return result
  })
  let secretsStore: { access: boolean; stores?: number; problem?: string } | null = null
  let workers: WorkersProbe | undefined
  let unreachable = false
  if (account) {
    try {
      secretsStore = { access: true, stores: await probeSecretsStore(api, account.accountId) }
      workers = await probeWorkersScripts(api, account.accountId)
      if (!workers.access) context.output.warn(`${workers.problem}; ${workers.hint}`)
    } catch (error) {
      if (!isLayerError(error) || !["secrets_store_access_missing", "cloudflare_account_inaccessible"].includes(error.code)) throw error
      secretsStore = { access: false, problem: error.message }
      unreachable = true
      context.output.warn(`${error.message}${error.hint ? `; ${error.hint}` : ""}`)
    }
  }
  const permissions = account ? permissionReport(secretsStore?.access ?? false, workers) : null
  const human: HumanBlock[] = [
    { type: "line", text: `Token:    ${identity.tokenFingerprint} (${verified.tokenKind} token, ${verified.status}${verified.expiresOn ? `, expires ${verified.expiresOn}` : ""})` },
    { type: "line", text: `Source:   ${describeSource(token)}` },
    { type: "line", text: `Account:  ${account ? `${account.accountId} (from ${account.source})` : "none chosen: pass --env, set CLOUDFLARE_ACCOUNT_ID, or `layer login --account-id`"}` },
  ]
  if (secretsStore) {
    human.push({ type: "line", text: `Secrets Store: ${secretsStore.access ? `reachable (${secretsStore.stores} store${secretsStore.stores === 1 ? "" : "s"})` : "NOT reachable with this token"}`, tone: secretsStore.access ? "success" : "warning" })
  }
  if (workers) human.push(workersLine(workers))
  if (permissions) human.push(...permissionLines(permissions))
  const workersScripts = workers ? (workers.access ? { access: true, scripts: workers.scripts } : { access: false, problem: workers.problem }) : null
  return {
    json: { ...identity, tokenKind: verified.tokenKind, verification: { status: verified.status, expiresOn: verified.expiresOn ?? null }, secretsStore, workersScripts, permissions },
    human,
    ...(unreachable ? { exitCode: 1 as const } : {}),
  }
}

/** The account a command would use: --env's config, CLOUDFLARE_ACCOUNT_ID, or the login's. */
async function whichAccount(context: CommandContext, token: LoadedToken): Promise<{ accountId: string; source: string } | undefined> {
  if (context.global.env !== undefined) {
    const project = await projectAccount({ cwd: context.global.cwd, environment: context.global.env, env: context.env, debug: (message) => context.output.debug(message) })
    if (project.kind === "one") return { accountId: checkAccountId(project.accountId), source: `environments.${project.environment}.accountId` }
  }
  if (context.env.CLOUDFLARE_ACCOUNT_ID) return { accountId: checkAccountId(context.env.CLOUDFLARE_ACCOUNT_ID, "CLOUDFLARE_ACCOUNT_ID"), source: "CLOUDFLARE_ACCOUNT_ID" }
  if (token.accountId) return { accountId: token.accountId, source: "layer login" }
  return undefined
}

/** Run a check; a failure keeps its message and gains who was checked, for --json. */
async function withIdentity<T>(identity: Record<string, unknown>, check: () => Promise<T>): Promise<T> {
  try {
    return await check()
  } catch (error) {
    if (!isLayerError(error)) throw error
    throw new LayerError(error.code, error.message, { hint: error.hint, exitCode: error.exitCode, details: { ...error.details, ...identity }, cause: error })
  }
}

function describeSource(token: LoadedToken): string {
  switch (token.source) {
    case "env":
      return "CLOUDFLARE_API_TOKEN (takes precedence over stored credentials)"
    case "keychain":
      return `OS keychain: ${token.location}`
    case "file":
      return `file ${token.location}`
  }
}
