/**
 * Cloudflare's refusals of a Workers script upload, as messages that say what happened and
 * hints that say what to do. Codes are shared between several messages (10021 covers both an
 * unreadable metadata part and a binding authorization failure), so the message decides.
 */
import { LayerError } from "../errors.js"
import { CloudflareApiError } from "../providers/cloudflare/errors.js"
import type { WorkerScript } from "./workers.js"

export interface UploadContext {
  environment: string
  /** Physical secret name → `namespace/name` (or `layeron/sealing-key`), for messages. */
  secretIds: ReadonlyMap<string, string>
}

const WORKERS_PERMISSION_HINT =
  'the token needs "Workers Scripts Edit" (Account › Workers Scripts › Edit) as well as "Account Secrets Store Edit": ' +
  "edit it at https://dash.cloudflare.com/profile/api-tokens, then run `layer login` again (or update CLOUDFLARE_API_TOKEN)"

export function explainUploadFailure(error: unknown, script: WorkerScript | undefined, context?: UploadContext): unknown {
  if (!(error instanceof CloudflareApiError)) return error
  const what = script ? `the upload of Worker ${script.name}` : "the list of Worker scripts"
  const details = { ...error.details, ...(script ? { worker: script.name } : {}) }
  const environment = context?.environment ?? "<env>"

  if (error.code === "cloudflare_permission_denied") {
    return new LayerError("cloudflare_permission_denied", `Cloudflare refused ${what}: the API token may not manage Workers scripts (${describe(error)})`, {
      hint: WORKERS_PERMISSION_HINT,
      details,
      cause: error,
    })
  }
  if (!script) return error

  const notFound = error.errors.find((entry) => entry.code === 10182)
  if (notFound) {
    const [, binding, store, secret] = /binding '([^']*)' references store '([^']*)' and secret '([^']*)'/.exec(notFound.message) ?? []
    const id = secret ? context?.secretIds.get(secret) : undefined
    const named = secret ? `secret ${secret}${id ? ` (${id})` : ""}${store ? ` in store ${store}` : ""}` : "a Secrets Store secret"
    return new LayerError("upload_secret_not_found", `Cloudflare refused ${what}: its binding ${binding ?? "(unnamed)"} names ${named}, which Cloudflare cannot find (${describe(error)})`, {
      hint:
        `the secret was deleted after deploy checked the store, or is still being created: run \`layer deploy --env ${environment}\` again; ` +
        "it creates missing random secrets and reports the others with the command that writes them",
      details: { ...details, binding, store, secret },
      cause: error,
    })
  }
  // Two recorded wordings: "Secrets store binding authorization failed. …" and "failed to fetch
  // secrets store binding due to authorization error - check deploy permissions and secret scopes".
  if (error.errors.some((entry) => entry.code === 10021 && /authori[sz]ation (failed|error)/i.test(entry.message))) {
    return new LayerError("upload_binding_unauthorized", `Cloudflare refused to bind Secrets Store secrets to ${script.name} (${describe(error)})`, {
      hint:
        'the token needs "Account Secrets Store Edit" and "Workers Scripts Edit", and every bound secret the "workers" scope ' +
        "(secrets written by layer have it; one created elsewhere gets it when written again with `layer secret set`)",
      details,
      cause: error,
    })
  }
  if (error.errors.some((entry) => entry.code === 10021)) {
    return new LayerError("upload_rejected", `Cloudflare rejected ${what} (${describe(error)})`, {
      hint:
        `check the Worker locally with \`wrangler deploy --dry-run --config .layeron/deploy/${environment}/${script.name}/wrangler.jsonc\`; ` +
        "if Cloudflare could not read the metadata part, this is a bug in layer: please report it",
      details,
      cause: error,
    })
  }
  if (error.errors.some((entry) => entry.code === 10143)) {
    return new LayerError("upload_service_not_found", `Cloudflare refused ${what}: the Worker its service binding points at is not deployed (${describe(error)})`, {
      hint: `run \`layer deploy --env ${environment}\` again: it uploads the Secret Product Worker before the app Workers that bind to it`,
      details,
      cause: error,
    })
  }
  return new LayerError(error.code, `${what} failed: ${error.message}`, { hint: error.hint, details, cause: error })
}

function describe(error: CloudflareApiError): string {
  if (error.errors.length === 0) return `HTTP ${error.status}`
  return error.errors.map((entry) => `${entry.message} [code: ${entry.code}]`).join("; ")
}
