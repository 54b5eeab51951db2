/**
 * Workers script upload (reference §9), built by hand as wrangler does: a multipart body
 * with a `metadata` part (JSON text) and one part per module, named by its file name and
 * typed `application/javascript+module`. The `cloudflare` SDK 7.x cannot do this (it sends
 * bracketed form fields and `files[]`), so it is not used here.
 *
 * Requests go through CloudflareApi: the same auth, retries and error mapping as every
 * other call; upload-errors.ts turns Cloudflare's refusals into messages with hints.
 */
import { setTimeout as sleep } from "node:timers/promises"
import type { CloudflareApi } from "../providers/cloudflare/api.js"
import { CloudflareApiError } from "../providers/cloudflare/errors.js"
import { SCRIPT_LIST } from "../providers/cloudflare/shapes.js"
import { MAIN_MODULE } from "./bundle.js"
import { explainUploadFailure } from "./upload-errors.js"
import type { UploadContext } from "./upload-errors.js"
import type { WorkerScript } from "./workers.js"

export const MODULE_CONTENT_TYPE = "application/javascript+module"

export function buildUploadForm(script: Pick<WorkerScript, "metadata" | "code">): FormData {
  const form = new FormData()
  form.set("metadata", JSON.stringify(script.metadata))
  form.set(MAIN_MODULE, new File([script.code], MAIN_MODULE, { type: MODULE_CONTENT_TYPE }))
  return form
}

const scriptsPath = (accountId: string) => `/accounts/${accountId}/workers/scripts`

/** Names of the account's Worker scripts (one GET). */
export async function listScriptNames(api: CloudflareApi, accountId: string): Promise<Set<string>> {
  try {
    // Checked for shape: `result: null` read as "no scripts" would plan every Worker as new.
    const { result } = await api.call<Array<{ id: string }>>({ method: "GET", path: scriptsPath(accountId), expect: SCRIPT_LIST })
    return new Set(result.map((script) => script.id))
  } catch (error) {
    throw explainUploadFailure(error, undefined)
  }
}

export interface UploadOptions {
  context: UploadContext
  /**
   * Waits before retrying a 10182 (binding to a secret Cloudflare cannot find) when a bound
   * secret was created moments ago: new secrets are `pending` for a while. Empty: no retry.
   */
  pendingWaitsMs?: readonly number[]
}

export async function uploadScript(api: CloudflareApi, accountId: string, script: WorkerScript, options: UploadOptions): Promise<void> {
  const waits = [...(options.pendingWaitsMs ?? [])]
  for (;;) {
    try {
      await api.call({ method: "PUT", path: `${scriptsPath(accountId)}/${script.name}`, form: buildUploadForm(script) })
      return
    } catch (error) {
      const wait = waits.shift()
      if (wait !== undefined && error instanceof CloudflareApiError && error.has(10182)) {
        await sleep(wait)
        continue
      }
      throw explainUploadFailure(error, script, options.context)
    }
  }
}
