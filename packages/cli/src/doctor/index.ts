/**
 * `layer doctor` as a function: where an environment stands against Cloudflare's limits and
 * the project's own rules. Reads only; commands/doctor.ts renders the document.
 */
import { loadProject } from "../config/index.js"
import { layeronHome } from "../paths.js"
import { buildCatalog } from "../secrets/catalog.js"
import { anchorsCheck, readAnchors } from "./anchors.js"
import { bindingsCheck, envelopeCheck, orphanCheck, quotaCheck } from "./checks.js"
import { observe } from "./observe.js"
import type { Observed } from "./observe.js"
import type { DoctorCheck, DoctorDocument } from "./types.js"

export type { DoctorDocument, DoctorCheck } from "./types.js"

export interface DoctorRequest {
  cwd: string
  environment: string | undefined
  env: NodeJS.ProcessEnv
  debug: (message: string) => void
  warn: (message: string) => void
}

export async function doctor(request: DoctorRequest): Promise<DoctorDocument> {
  const project = await loadProject({ cwd: request.cwd, environment: request.environment, env: request.env, debug: request.debug })
  const environment = project.environment.name
  const catalog = await buildCatalog(project)
  const context = { home: layeronHome({ env: request.env }), env: request.env, warn: request.warn, debug: request.debug }
  const seen = await observe(project, catalog, context)
  // On Cloudflare the store is read only once the token checks out (the quota comes with it).
  const reachable = project.environment.config.provider === "local" || seen.quota !== undefined
  // Only a store that already holds secrets is asked: listing through the provider would create a missing one.
  const anchors = reachable && seen.stored.size > 0 ? await readAnchors(project, catalog, context) : undefined
  const checks: DoctorCheck[] = [
    ...(seen.credentials ? [credentialsCheck(seen)] : []),
    reachable ? quotaCheck(seen.quota, environment, seen.packing) : unreachable("quota"),
    envelopeCheck(seen.sizes),
    reachable ? orphanCheck([...seen.stored.keys()], seen.named, environment) : unreachable("orphaned_secrets"),
    reachable ? bindingsCheck(seen.deployedBindings, seen.stored, environment) : unreachable("bindings"),
    reachable ? anchorsCheck(anchors, environment) : unreachable("anchors"),
  ]
  return { environment, provider: project.environment.config.provider, checks, needsAction: checks.some((check) => check.status === "action") }
}

function credentialsCheck(seen: Observed): DoctorCheck {
  const view = seen.credentials!
  const figures = {
    source: view.source,
    tokenFingerprint: view.tokenFingerprint,
    accountId: view.accountId,
    accountIdSource: view.accountIdSource,
    confirmed: view.permissions?.confirmed ?? [],
    missing: view.permissions?.missing ?? [],
    unconfirmed: view.permissions?.unconfirmed ?? [],
  }
  const who = `token ${view.tokenFingerprint} (from ${view.source}) on account ${view.accountId} (from ${view.accountIdSource})`
  if (view.problem) return { id: "credentials", status: "action", summary: `${who}: ${view.problem.message}`, ...(view.problem.hint ? { hint: view.problem.hint } : {}), figures }
  return { id: "credentials", status: "ok", summary: `${who}: confirmed ${figures.confirmed.join(", ")}; ${view.permissions?.note ?? ""}`, figures }
}

function unreachable(id: DoctorCheck["id"]): DoctorCheck {
  return { id, status: "not_checked", summary: "not checked: the account cannot be read with this token (see credentials)" }
}
