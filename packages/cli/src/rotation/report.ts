/**
 * The `--json` document of `layer secret rotate` (docs/design.md#cli), built from a plan and, with
 * `--apply`, the outcome of each write. Pure data: names, ids, times and sizes, never a
 * value (rows carry only sealed copies, and those are left out too).
 */
import type { SizeCheck } from "@layeron/modules/envelope"
import { nextDueAt } from "./due.js"
import type { ApplyOutcome } from "./apply.js"
import type { ConflictReason, DueReason, PlanRow, RotationPlan, VersionChanges } from "./plan.js"
import type { RotationPolicy } from "./types.js"
import type { VersionState } from "./version-list.js"

export type ReportStatus = PlanRow["status"] | "rotated" | "failed"

export interface RotateSecretReport {
  namespace: string
  name: string
  physicalName: string
  kind: PlanRow["kind"]
  status: ReportStatus
  /** The declaration's rotation policy, named as in the config and in `secret list --json`. */
  rotation: RotationPolicy
  /** The same policy under its first name, kept so that existing readers of the JSON keep working. */
  policy: RotationPolicy
  lastRotation: string | null
  nextDue: string | null
  /** due, rotated, failed: the version the rotation writes. */
  newVersion?: string
  reason?: DueReason
  versions?: VersionChanges
  /** due and not_due: every version after the rotation (or as it stands), newest first, with its state. */
  versionStates?: Array<{ id: string; state: VersionState }>
  size?: SizeCheck
  /** conflict: why, and which flag gets past it. */
  conflicts?: ConflictReason[]
  detail?: string
  hint?: string
  policyChange?: { from: RotationPolicy; to: RotationPolicy }
  /** failed, or a conflict found at write time. */
  error?: { code: string; message: string; hint?: string }
}

export interface RotateSummary {
  due: number
  not_due: number
  missing: number
  external_value_required: number
  conflict: number
  rotated: number
  failed: number
}

export interface RotateDocument {
  environment: string
  /** The instant planned for (`--at`, else now); with --apply, when the run started. */
  at: string
  mode: "plan" | "apply"
  secrets: RotateSecretReport[]
  summary: RotateSummary
}

export function buildReport(environment: string, plan: RotationPlan, mode: "plan" | "apply", outcomes: readonly ApplyOutcome[] = []): RotateDocument {
  const byName = new Map(outcomes.map((outcome) => [outcome.row.physicalName, outcome]))
  const secrets = plan.rows.map((row) => reportRow(row, byName.get(row.physicalName)))
  const summary: RotateSummary = { due: 0, not_due: 0, missing: 0, external_value_required: 0, conflict: 0, rotated: 0, failed: 0 }
  for (const secret of secrets) summary[secret.status]++
  return { environment, at: plan.at, mode, secrets, summary }
}

function reportRow(row: PlanRow, outcome: ApplyOutcome | undefined): RotateSecretReport {
  const report: RotateSecretReport = {
    namespace: row.namespace,
    name: row.name,
    physicalName: row.physicalName,
    kind: row.kind,
    status: row.status,
    rotation: row.policy,
    policy: row.policy,
    lastRotation: row.lastRotation ?? null,
    nextDue: row.nextDue ?? null,
    ...(row.policyChange ? { policyChange: row.policyChange } : {}),
    ...(row.versionStates ? { versionStates: row.versionStates } : {}),
  }
  switch (row.status) {
    case "due":
      Object.assign(report, { newVersion: row.newVersion, reason: row.reason, versions: row.versions, size: row.size })
      break
    case "not_due":
      Object.assign(report, { versions: row.versions, ...(row.size ? { size: row.size } : {}) })
      break
    case "missing":
    case "external_value_required":
      report.hint = row.hint
      break
    case "conflict":
      Object.assign(report, { conflicts: row.reasons, detail: row.detail, hint: row.hint })
      break
  }
  if (!outcome) return report
  if (outcome.status === "rotated") {
    const created = new Date(outcome.createdAt)
    const schedule = { everyDays: row.policy.everyDays, ...(row.policy.startAt ? { startAt: row.policy.startAt } : {}) }
    return { ...report, status: "rotated", lastRotation: outcome.createdAt, nextDue: nextDueAt(created, schedule).toISOString() }
  }
  const error = { code: outcome.code, message: outcome.message, ...(outcome.hint ? { hint: outcome.hint } : {}) }
  return { ...report, status: outcome.status === "conflict" ? "conflict" : "failed", error }
}
