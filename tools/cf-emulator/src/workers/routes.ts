/** Workers scripts under /accounts/{account_id}/workers/scripts: upload (PUT), list and delete. */
import { WORKERS_SCRIPTS_WRITE } from "../auth/authorize.js"
import { accountRoute, type ApiRoute } from "../http/api-route.js"
import { CfErrors } from "../http/cf-errors.js"
import { randomHexId } from "../ids.js"
import type { ScriptRecord } from "../state.js"
import { checkUpload, readUpload } from "./upload.js"

const SCRIPTS = "/accounts/:account_id/workers/scripts"

export const workerRoutes: ApiRoute[] = [
  accountRoute("GET", SCRIPTS, WORKERS_SCRIPTS_WRITE, (ctx) => {
    return { result: [...ctx.account.scripts.values()].map(scriptView) }
  }),

  accountRoute("PUT", `${SCRIPTS}/:script_name`, WORKERS_SCRIPTS_WRITE, async (ctx) => {
    const name = ctx.params.script_name as string
    const upload = await readUpload(ctx)
    checkUpload(ctx, name, upload)
    const now = ctx.clock.iso()
    const previous = ctx.account.scripts.get(name)
    const script: ScriptRecord = {
      accountId: ctx.account.id,
      name,
      metadata: upload.metadata,
      modules: upload.modules,
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
]

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
