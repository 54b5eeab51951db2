/**
 * The anchors check of `layer doctor`: rotation's own `checkAnchors()` (the comparison every
 * seal and carry-forward goes through), read-only, turned into a check. It runs only against
 * a store that already holds secrets, so asking never creates a store.
 */
import type { LoadedProject } from "../config/index.js"
import { isLayerError } from "../errors.js"
import { providerForLayout } from "../packing/index.js"
import { createProvider } from "../providers/index.js"
import { checkAnchors } from "../rotation/index.js"
import type { AnchorFinding, AnchorReport } from "../rotation/anchors.js"
import type { SecretCatalog } from "../secrets/catalog.js"
import type { CheckItem, CheckStatus, DoctorCheck } from "./types.js"

export interface AnchorContext {
  home: string
  env: NodeJS.ProcessEnv
  warn: (message: string) => void
  debug: (message: string) => void
}

export async function readAnchors(project: LoadedProject, catalog: SecretCatalog, context: AnchorContext): Promise<AnchorReport | string> {
  const environment = project.environment.name
  try {
    const owner = { workspace: project.config.workspace, project: project.config.name }
    const real = await createProvider(project.environment.config, {
      projectRoot: project.root,
      environment,
      home: context.home,
      owner,
      env: context.env,
      warn: context.warn,
      debug: context.debug,
    })
    // A packed environment's members are checked through the pack (its anchor vouches for their states).
    const provider = await providerForLayout(project.environment.config, real, { projectRoot: project.root, environment, owner, catalog })
    return await checkAnchors({ projectRoot: project.root, environment, provider, sealingKeyName: catalog.sealingKeyName }, catalog.declared)
  } catch (error) {
    if (isLayerError(error)) return error.message
    throw error
  }
}

const STATUS: Record<AnchorFinding["status"], CheckStatus> = {
  anchored: "ok",
  no_state: "ok",
  not_in_store: "ok",
  unanchored: "warning",
  mismatch: "action",
  invalid: "action",
  unreadable_record: "action",
}

export function anchorsCheck(report: AnchorReport | string | undefined, environment: string): DoctorCheck {
  if (report === undefined) return { id: "anchors", status: "not_checked", summary: "not checked (the store holds no secrets yet)" }
  if (typeof report === "string") return { id: "anchors", status: "not_checked", summary: `not checked (${report})` }
  const findings = [report.sealingKey, ...report.secrets]
  const items: CheckItem[] = findings.map((finding) => ({ subject: finding.secret, status: STATUS[finding.status], detail: describe(finding) }))
  const count = (status: AnchorFinding["status"]) => findings.filter((finding) => finding.status === status).length
  const broken = count("mismatch") + count("invalid")
  const unreadable = findings.filter((finding) => finding.status === "unreadable_record")
  const summary = `${count("anchored")} anchored, ${count("unanchored")} written before anchors, ${broken} not matching the committed state${unreadable.length ? `, ${unreadable.length} local record${unreadable.length === 1 ? "" : "s"} that do not decrypt` : ""}`
  if (unreadable.length > 0 && broken === 0) {
    // The record is at fault, not the state: the hint must not send anyone to git for the state.
    return {
      id: "anchors",
      status: "action",
      summary,
      hint: `restore ${unreadable.map((finding) => finding.file).join(", ")} from a backup, or replace the value on purpose with \`layer secret set NAME --env ${environment} --replace-all\` (local_record_unreadable)`,
      items,
    }
  }
  if (broken > 0) {
    return {
      id: "anchors",
      status: "action",
      summary,
      hint: `the committed state is not what the store vouches for: restore it from git (\`git checkout\` of the files named), or, once a person has checked both sides, \`layer secret rotate --env ${environment} --re-anchor\``,
      items,
    }
  }
  if (count("unanchored") > 0) return { id: "anchors", status: "warning", summary, hint: "the next write of each (secret set, rotate --apply, deploy) anchors it", items }
  return { id: "anchors", status: "ok", summary, items }
}

function describe(finding: AnchorFinding): string {
  const where = `${finding.file}`
  switch (finding.status) {
    case "anchored":
      return `${where}: the store's anchor vouches for it`
    case "unanchored":
      return `${where}: written before anchors existed`
    case "no_state":
      return `${where}: no state file (nothing to vouch for)`
    case "not_in_store":
      return `${where}: the secret is not in the store`
    case "invalid":
      return `${where}: ${finding.detail ?? "not a valid state file"}`
    case "unreadable_record":
      return `${where}: the local record does not decrypt (local_record_unreadable); the state file is not at fault`
    case "mismatch":
      return finding.fingerprint !== undefined
        ? `${where}: public key fingerprint ${finding.fingerprint}, but the store anchored ${finding.anchoredFingerprint ?? "another"}`
        : `${where}: versions ${(finding.versions ?? []).join(", ") || "none"} are not what the store anchored`
  }
}
