/**
 * Worker script names, decided here:
 * - each backend's app Worker: `<project>-<backend id>-<environment>` (`shop-api-production`);
 * - the Secret Product Worker: `<project>-secret-<environment>` (`shop-secret-production`).
 * The backend id is the key in the config's `backends`, so names are unique per project and
 * stable when the entry file moves. Cloudflare script names are lower-case letters, digits,
 * `-` and `_`, at most 63 characters (longer ones cannot get a workers.dev route).
 */
import { LayerError } from "../errors.js"

export const WORKER_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/
export const WORKER_NAME_RULE = "lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters"

export function productWorkerName(project: string, environment: string): string {
  return checked(`${project}-secret-${environment}`, "the Secret Product Worker", "shorten the project or environment name")
}

export function appWorkerName(project: string, backendId: string, environment: string): string {
  return checked(`${project}-${backendId}-${environment}`, `backend "${backendId}"`, `rename backends.${backendId} in layeron.config.ts (${WORKER_NAME_RULE})`)
}

/** Every name distinct: a backend called "secret" would take the Secret Product Worker's name. */
export function checkDistinctWorkerNames(product: string, apps: ReadonlyArray<{ id: string; workerName: string }>): void {
  for (const app of apps) {
    if (app.workerName === product) {
      throw new LayerError("worker_name_taken", `backend "${app.id}" would deploy as ${app.workerName}, the name of the Secret Product Worker`, {
        hint: `rename backends.${app.id} in layeron.config.ts`,
      })
    }
  }
}

function checked(name: string, what: string, fix: string): string {
  if (!WORKER_NAME_PATTERN.test(name)) {
    throw new LayerError("invalid_worker_name", `${what} would deploy as ${JSON.stringify(name)}, which is not a Cloudflare Worker name (${WORKER_NAME_RULE})`, {
      hint: fix,
    })
  }
  return name
}
