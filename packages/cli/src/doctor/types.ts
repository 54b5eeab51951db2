/**
 * `layer doctor`'s document: one check per question, each `ok`, `warning` (worth knowing,
 * nothing to do now), `action` (something needs fixing: doctor exits 1) or `not_checked`
 * (with why). `--json` prints it as is.
 */
export type CheckStatus = "ok" | "warning" | "action" | "not_checked"

export type CheckId = "credentials" | "quota" | "envelope_sizes" | "orphaned_secrets" | "bindings" | "anchors"

export interface CheckItem {
  /** A secret's `namespace/name`, a physical name, or a binding. */
  subject: string
  status: CheckStatus
  detail: string
}

export interface DoctorCheck {
  id: CheckId
  status: CheckStatus
  summary: string
  hint?: string
  items?: CheckItem[]
  /** Numbers a script may want (quota, usage, bytes). */
  figures?: Record<string, number | string | string[] | null>
}

export interface DoctorDocument {
  environment: string
  provider: "local" | "cloudflare"
  checks: DoctorCheck[]
  /** True when some check needs action; the exit code is then 1. */
  needsAction: boolean
}

/** The worst status of several, for a check made of items. */
export function worst(statuses: readonly CheckStatus[]): CheckStatus {
  if (statuses.includes("action")) return "action"
  if (statuses.includes("warning")) return "warning"
  return "ok"
}
