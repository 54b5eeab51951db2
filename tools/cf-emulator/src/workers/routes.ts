/**
 * Workers scripts under /accounts/{account_id}/workers: upload (PUT), list, delete, each
 * script's workers.dev switch (`…/scripts/{name}/subdomain`) and the account's workers.dev
 * subdomain (`…/workers/subdomain`). Sources in FACTS.md.
 */
import { WORKERS_SCRIPTS_READ, WORKERS_SCRIPTS_WRITE } from "../auth/authorize.js"
import { accountRoute, type AccountContext, type ApiRoute } from "../http/api-route.js"
import { CfErrors } from "../http/cf-errors.js"
import { randomHexId } from "../ids.js"
import { isPlainObject } from "../secrets-store/validate.js"
import type { ScriptRecord } from "../state.js"
import { checkUpload, keptBindings, readUpload } from "./upload.js"

const WORKERS = "/accounts/:account_id/workers"
const SCRIPTS = `${WORKERS}/scripts`

export const workerRoutes: ApiRoute[] = [
  accountRoute("GET", SCRIPTS, WORKERS_SCRIPTS_READ, (ctx) => {
    return { result: [...ctx.account.scripts.values()].map(scriptView) }
  }),

  accountRoute("PUT", `${SCRIPTS}/:script_name`, WORKERS_SCRIPTS_WRITE, async (ctx) => {
    const name = ctx.params.script_name as string
    const upload = await readUpload(ctx)
    checkUpload(ctx, name, upload)
    const now = ctx.clock.iso()
    const previous = ctx.account.scripts.get(name)
    const uploaded = (upload.metadata.bindings ?? []) as Record<string, unknown>[]
    const script: ScriptRecord = {
      accountId: ctx.account.id,
      name,
      metadata: upload.metadata,
      modules: upload.modules,
      bindings: [...uploaded, ...keptBindings(upload.metadata, previous?.bindings ?? [], uploaded)],
      // An upload through the API leaves workers.dev as it was; a new script starts with it off.
      subdomain: previous?.subdomain ?? { enabled: false, previewsEnabled: false },
      createdOn: previous?.createdOn ?? now,
      modifiedOn: now,
      etag: randomHexId() + randomHexId(),
    }
    ctx.account.scripts.set(name, script)
    return { result: scriptView(script) }
  }),

  accountRoute("DELETE", `${SCRIPTS}/:script_name`, WORKERS_SCRIPTS_WRITE, (ctx) => {
    const name = ctx.params.script_name as string
    if (!ctx.account.scripts.delete(name)) throw CfErrors.scriptNotFound()
    return { result: null }
  }),

  accountRoute("GET", `${SCRIPTS}/:script_name/subdomain`, WORKERS_SCRIPTS_READ, (ctx) => {
    return { result: subdomainView(findScript(ctx)) }
  }),

  accountRoute("POST", `${SCRIPTS}/:script_name/subdomain`, WORKERS_SCRIPTS_WRITE, async (ctx) => {
    const script = findScript(ctx)
    const body = await ctx.json()
    if (!isPlainObject(body) || typeof body.enabled !== "boolean") throw CfErrors.invalidJsonBody("expected {enabled: boolean, previews_enabled?: boolean}")
    if (body.previews_enabled !== undefined && typeof body.previews_enabled !== "boolean") throw CfErrors.invalidJsonBody("previews_enabled must be a boolean")
    // wrangler's mock: previews follow `enabled` when not given ("Mimics API behavior").
    script.subdomain = { enabled: body.enabled, previewsEnabled: body.previews_enabled ?? body.enabled }
    return { result: subdomainView(script) }
  }),

  accountRoute("GET", `${WORKERS}/subdomain`, WORKERS_SCRIPTS_READ, (ctx) => {
    if (ctx.account.workersSubdomain === null) throw CfErrors.workersSubdomainNotRegistered()
    return { result: { subdomain: ctx.account.workersSubdomain } }
  }),
]

function findScript(ctx: AccountContext): ScriptRecord {
  const script = ctx.account.scripts.get(ctx.params.script_name as string)
  if (script === undefined) throw CfErrors.scriptNotFound()
  return script
}

function subdomainView(script: ScriptRecord): Record<string, unknown> {
  return { enabled: script.subdomain.enabled, previews_enabled: script.subdomain.previewsEnabled }
}

function scriptView(script: ScriptRecord): Record<string, unknown> {
  return {
    id: script.name,
    etag: script.etag,
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
    compatibility_date: script.metadata.compatibility_date ?? null,
    compatibility_flags: script.metadata.compatibility_flags ?? [],
    usage_model: "standard",
  }
}
