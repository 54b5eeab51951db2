/**
 * `layer login`: take a Cloudflare API token (from stdin, CLOUDFLARE_API_TOKEN or a hidden
 * prompt), check it with Cloudflare (active, which account, Secrets Store access), then store
 * it: the OS keychain where there is one, else a 0600 file in LAYERON_HOME. Every check runs
 * before anything is written, so a failed login leaves no trace.
 */
import { tokenFingerprint } from "../credentials/fingerprint.js"
import { projectAccount } from "../credentials/project-account.js"
import { saveCredentials } from "../credentials/storage.js"
import type { TokenStorage } from "../credentials/types.js"
import { permissionReport, verifyLogin } from "../credentials/verify.js"
import type { AccountChoice, PermissionReport, WorkersProbe } from "../credentials/verify.js"
import { LayerError } from "../errors.js"
import type { CommandResult, HumanBlock } from "../output/index.js"
import { layeronHome } from "../paths.js"
import { CloudflareApi } from "../providers/cloudflare/api.js"
import { checkAccountId } from "../providers/cloudflare/checks.js"
import { SecretText } from "../providers/provider.js"
import { booleanFlag, stringFlag } from "./types.js"
import type { CommandContext } from "./types.js"

type TokenOrigin = "stdin" | "CLOUDFLARE_API_TOKEN" | "prompt"

export async function run(context: CommandContext): Promise<CommandResult> {
  // Everything that can fail without the token is checked before asking for it.
  const choice = await chooseAccount(context)
  const { token, origin } = await readToken(context)
  const debug = (message: string) => context.output.debug(message)
  const api = new CloudflareApi({ apiToken: token.reveal(), env: context.env, debug })
  const verified = await verifyLogin(api, choice)
  const storage = await saveCredentials(
    { home: layeronHome({ env: context.env }), env: context.env, warn: (message) => context.output.warn(message) },
    { accountId: verified.accountId, tokenKind: verified.tokenKind, apiToken: token, now: context.now() },
  )
  if (origin !== "CLOUDFLARE_API_TOKEN" && context.env.CLOUDFLARE_API_TOKEN) {
    context.output.warn("CLOUDFLARE_API_TOKEN is set in this shell and takes precedence over the stored token; unset it to use the one just stored")
  }
  const fingerprint = tokenFingerprint(token)
  const permissions = permissionReport(true, verified.workersScripts)
  const account = verified.accountName ? `${verified.accountName} (${verified.accountId})` : verified.accountId
  const human: HumanBlock[] = [
    { type: "line", text: `Logged in to Cloudflare account ${account}.`, tone: "success" },
    { type: "line", text: `Token ${fingerprint} (${verified.tokenKind} token, ${verified.status}) ${describeStorage(storage, context.env)}.` },
    { type: "line", text: `Secrets Store: reachable (${verified.storeCount} store${verified.storeCount === 1 ? "" : "s"}${verified.storeCount === 0 ? "; one is created on the first write" : ""}).` },
    workersLine(verified.workersScripts),
    ...permissionLines(permissions),
  ]
  if (!verified.workersScripts.access) context.output.warn(`${verified.workersScripts.problem}; ${verified.workersScripts.hint}`)
  return {
    json: {
      loggedIn: true,
      accountId: verified.accountId,
      accountName: verified.accountName ?? null,
      accountIdSource: choice?.source ?? "the token's only account",
      tokenFingerprint: fingerprint,
      tokenKind: verified.tokenKind,
      tokenStatus: verified.status,
      tokenFrom: origin,
      storage,
      secretsStore: { access: true, stores: verified.storeCount },
      workersScripts: verified.workersScripts.access ? { access: true, scripts: verified.workersScripts.scripts } : { access: false, problem: verified.workersScripts.problem },
      permissions,
    },
    human,
  }
}

/** --account-id, else the project's Cloudflare environment, else CLOUDFLARE_ACCOUNT_ID; undefined lets the token decide. */
async function chooseAccount(context: CommandContext): Promise<AccountChoice | undefined> {
  const flag = stringFlag(context.flags, "account-id")
  if (flag !== undefined) return { accountId: checkAccountId(flag, "--account-id"), source: "--account-id" }
  const project = await projectAccount({ cwd: context.global.cwd, environment: context.global.env, env: context.env, debug: (message) => context.output.debug(message) })
  if (project.kind === "one") {
    const source = `environments.${project.environment}.accountId`
    return { accountId: checkAccountId(project.accountId, source), source }
  }
  if (project.kind === "several") {
    const listed = project.accounts.map((entry) => `${entry.environment}: ${entry.accountId}`).join(", ")
    throw new LayerError("account_ambiguous", `layeron.config.ts names several Cloudflare accounts (${listed})`, {
      hint: "choose one with --env <environment> or --account-id <id>",
    })
  }
  const fromEnv = context.env.CLOUDFLARE_ACCOUNT_ID
  if (fromEnv) return { accountId: checkAccountId(fromEnv, "CLOUDFLARE_ACCOUNT_ID"), source: "CLOUDFLARE_ACCOUNT_ID" }
  return undefined
}

async function readToken(context: CommandContext): Promise<{ token: SecretText; origin: TokenOrigin }> {
  if (booleanFlag(context.flags, "from-stdin")) {
    // Surrounding whitespace is never part of a token; `echo "$TOKEN" |` adds a newline.
    const token = (await readAll(context.stdin)).trim()
    if (!token) throw emptyToken("stdin was empty")
    return { token: new SecretText(token), origin: "stdin" }
  }
  const fromEnv = context.env.CLOUDFLARE_API_TOKEN?.trim()
  if (fromEnv) return { token: new SecretText(fromEnv), origin: "CLOUDFLARE_API_TOKEN" }
  if (!context.terminal.interactive) {
    throw new LayerError("no_token_source", "no API token given, and stdin is not a terminal to ask for one", {
      hint: "pipe it in: printf '%s' \"$TOKEN\" | layer login --from-stdin; or export CLOUDFLARE_API_TOKEN; or run at a terminal",
    })
  }
  context.output.note("Create a token at https://dash.cloudflare.com/profile/api-tokens with the permission \"Account Secrets Store Edit\".")
  const entered = (await context.terminal.hidden("Cloudflare API token (input hidden): ")).trim()
  if (!entered) throw emptyToken("nothing was entered")
  return { token: new SecretText(entered), origin: "prompt" }
}

export function workersLine(probe: WorkersProbe): HumanBlock {
  return probe.access
    ? { type: "line", text: `Workers Scripts: reachable (${probe.scripts} script${probe.scripts === 1 ? "" : "s"}).` }
    : { type: "line", text: `Workers Scripts: NOT reachable: ${probe.problem}.`, tone: "warning" }
}

/** Which permissions the reads confirmed, and that Edit is confirmed only by writing. */
export function permissionLines(report: PermissionReport): HumanBlock[] {
  return [
    { type: "line", text: `Confirmed: ${report.confirmed.length ? report.confirmed.join(", ") : "none"}${report.missing.length ? `; missing: ${report.missing.join(", ")}` : ""}.` },
    { type: "line", text: `Not confirmed: ${report.unconfirmed.join(", ")} (${report.note}).`, tone: "muted" },
  ]
}

function emptyToken(what: string): LayerError {
  return new LayerError("empty_token", `${what}; no API token to log in with`, { hint: "paste the whole token; nothing was stored" })
}

async function readAll(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks).toString("utf8")
}

function describeStorage(storage: TokenStorage, env: NodeJS.ProcessEnv): string {
  if (storage.kind === "keychain") return `stored in the ${storage.label}`
  const why = env.LAYERON_CREDENTIALS_STORE === "file" ? "LAYERON_CREDENTIALS_STORE=file" : "no OS keychain is available"
  return `stored in ${storage.path} (mode 0600, readable only by you; ${why})`
}
