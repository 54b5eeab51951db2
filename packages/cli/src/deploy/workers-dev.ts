/**
 * workers.dev routes. A script uploaded through the API is not on workers.dev until its route
 * is switched on with `POST /accounts/{id}/workers/scripts/{name}/subdomain {"enabled":true}`
 * (what wrangler's deploy and Alchemy's WorkerSubdomain do); its address is
 * `https://<script>.<account subdomain>.workers.dev`, the account subdomain coming from
 * `GET /accounts/{id}/workers/subdomain`, which answers 10007 when the account never
 * registered one. Facts and sources: tools/cf-emulator/FACTS.md.
 */
import type { SubdomainGetResponse } from "cloudflare/resources/workers/subdomains"
import type { SubdomainCreateResponse, SubdomainGetResponse as ScriptSubdomainResponse } from "cloudflare/resources/workers/scripts/subdomain"
import type { CloudflareApi } from "../providers/cloudflare/api.js"
import { CloudflareApiError } from "../providers/cloudflare/errors.js"
import { ACCOUNT_SUBDOMAIN, SCRIPT_SUBDOMAIN } from "../providers/cloudflare/shapes.js"
import { explainUploadFailure } from "./upload-errors.js"

/** The account's workers.dev subdomain, or null when it has none (10007). */
export async function accountSubdomain(api: CloudflareApi, accountId: string): Promise<string | null> {
  try {
    const { result } = await api.call<SubdomainGetResponse>({ method: "GET", path: `/accounts/${accountId}/workers/subdomain`, expect: ACCOUNT_SUBDOMAIN })
    return result.subdomain
  } catch (error) {
    if (error instanceof CloudflareApiError && error.has(10007)) return null
    throw explainUploadFailure(error, undefined)
  }
}

/** Whether the script's workers.dev route is on; false for a script that does not exist. */
export async function scriptOnWorkersDev(api: CloudflareApi, accountId: string, scriptName: string): Promise<boolean> {
  try {
    const { result } = await api.call<ScriptSubdomainResponse>({ method: "GET", path: `/accounts/${accountId}/workers/scripts/${scriptName}/subdomain`, expect: SCRIPT_SUBDOMAIN })
    return result.enabled
  } catch (error) {
    if (error instanceof CloudflareApiError && error.has(10007)) return false
    throw explainUploadFailure(error, undefined)
  }
}

/** Switch the route; previews stay off (layer uploads no preview versions). */
export async function setScriptOnWorkersDev(api: CloudflareApi, accountId: string, scriptName: string, enabled: boolean): Promise<void> {
  try {
    await api.call<SubdomainCreateResponse>({ method: "POST", path: `/accounts/${accountId}/workers/scripts/${scriptName}/subdomain`, body: { enabled, previews_enabled: false } })
  } catch (error) {
    throw explainUploadFailure(error, undefined)
  }
}

export function workersDevUrl(scriptName: string, subdomain: string): string {
  return `https://${scriptName}.${subdomain}.workers.dev`
}

/** The hint for an account without a workers.dev subdomain: register one, then deploy again. */
export function noSubdomainHint(accountId: string, environment: string): string {
  return (
    `the account has no workers.dev subdomain (Cloudflare 10007), so the Worker has no workers.dev address: register one at ` +
    `https://dash.cloudflare.com/${accountId}/workers/onboarding, then run \`layer deploy --env ${environment}\` again ` +
    `(or set workersDev: false on the environment in layeron.config.ts to stop this hint)`
  )
}
