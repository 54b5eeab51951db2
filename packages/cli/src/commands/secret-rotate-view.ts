/**
 * How `layer secret rotate` looks to a person: one table (secret, status, last rotation,
 * next due, versions, size), then what needs attention. Built from the same document as
 * `--json`, so the two never disagree.
 */
import { Limits } from "@layeron/modules/limits"
import { formatTable } from "../output/index.js"
import type { HumanBlock } from "../output/index.js"
import { groupThousands } from "../output/numbers.js"
import type { ApplyOutcome } from "../rotation/apply.js"
import { describePolicy } from "../rotation/plan.js"
import type { RotateDocument, RotateSecretReport } from "../rotation/report.js"

const COLUMNS = ["secret", "status", "last rotation", "next due", "versions", "size"] as const

export interface ReportOptions {
  /** The command that writes this plan (the same names and --now), for the summary line. */
  applyCommand?: string
}

export function humanReport(document: RotateDocument, options: ReportOptions = {}): HumanBlock[] {
  const { environment, secrets, summary } = document
  const title = document.mode === "plan" ? `rotation plan for ${environment} at ${time(document.at)}` : `rotation of ${environment} at ${time(document.at)}`
  if (secrets.length === 0) {
    return [{ type: "line", text: `no declaration in ${environment} has rotation.everyDays: nothing to rotate`, tone: "muted" }]
  }
  const blocks: HumanBlock[] = [
    { type: "line", text: title, tone: "strong" },
    { type: "table", columns: COLUMNS, rows: secrets.map(tableRow) },
  ]
  for (const secret of secrets) {
    const id = `${secret.namespace}/${secret.name}`
    if (secret.status === "conflict" || secret.status === "failed") {
      const error = secret.error
      blocks.push({ type: "line", text: `${id}: ${secret.status}: ${error?.message ?? secret.detail}`, tone: "warning" })
      const hint = error?.hint ?? secret.hint
      if (hint) blocks.push({ type: "line", text: `  ${hint}`, tone: "muted" })
    } else if (secret.status === "missing" || secret.status === "external_value_required") {
      blocks.push({ type: "line", text: `${id}: ${secret.hint}`, tone: "warning" })
    }
    if (secret.size && secret.size.status !== "ok") {
      const share = `${percent(secret.size.ratio)} of Cloudflare's ${groupThousands(Limits.maxValueBytes)} bytes`
      const problem = secret.size.status === "too_large" ? "too large to write" : `over ${Math.round(Limits.warnRatio * 100)} %`
      blocks.push({ type: "line", text: `${id}: the envelope is ${bytes(secret.size.bytes)}, ${share}: ${problem}; keep fewer versions (a shorter retain_for)`, tone: "warning" })
    }
    if (secret.policyChange && secret.status !== "conflict") {
      blocks.push({ type: "line", text: `${id}: rotation policy accepted: ${describePolicy(secret.policyChange.from)} → ${describePolicy(secret.policyChange.to)}`, tone: "muted" })
    }
  }
  blocks.push({ type: "line", text: summaryLine(document, options), tone: summary.conflict + summary.failed > 0 ? "warning" : summary.rotated > 0 ? "success" : "plain" })
  return blocks
}

/** The plan, as shown on stderr before the confirmation question. */
export function confirmationLines(document: RotateDocument): string[] {
  const due = document.secrets.filter((secret) => secret.status === "due")
  return [`rotations due in ${document.environment}:`, ...formatTable(COLUMNS, due.map(tableRow)).map((line) => `  ${line}`)]
}

export function progressLine(done: number, total: number, outcome: ApplyOutcome): string {
  const id = `${outcome.row.namespace}/${outcome.row.name}`
  const what = outcome.status === "rotated" ? `rotated ${id} to ${outcome.version}` : `${outcome.status} ${id} (${outcome.code})`
  return `[${done}/${total}] ${what}`
}

function tableRow(secret: RotateSecretReport): string[] {
  return [
    `${secret.namespace}/${secret.name}`,
    secret.status,
    secret.lastRotation ? time(secret.lastRotation) : "-",
    secret.nextDue ? time(secret.nextDue) : "-",
    versions(secret),
    secret.size ? `${bytes(secret.size.bytes)} (${percent(secret.size.ratio)})${secret.size.status === "ok" ? "" : " !"}` : "-",
  ]
}

/**
 * `v3 (current, new), v2 until 2026-07-15T00:00:00Z; drop v1`: the versions after the
 * rotation (as they stand when not due), newest first as `layer secret versions` lists them,
 * with current and next marked, then what is dropped.
 */
function versions(secret: RotateSecretReport): string {
  const changes = secret.versions
  if (!changes) return "-"
  const until = new Map(changes.expiring.map((entry) => [entry.id, entry.expiresAt]))
  if (secret.versionStates) {
    const added = new Set(changes.added)
    const listed = secret.versionStates.map(({ id, state }) => {
      const marks = [...(state === "current" || state === "next" || state === "expired" ? [state] : []), ...(added.has(id) ? ["new"] : [])]
      const expiry = until.has(id) && state !== "expired" ? ` until ${time(until.get(id)!)}` : ""
      return `${id}${marks.length ? ` (${marks.join(", ")})` : ""}${expiry}`
    })
    const parts = [listed.join(", ")]
    if (changes.dropped.length) parts.push(`drop ${changes.dropped.join(", ")}`)
    return parts.filter(Boolean).join("; ") || "-"
  }
  const parts: string[] = []
  if (changes.added.length) parts.push(`+${changes.added.join(", +")}`)
  const kept = changes.kept.map((id) => (until.has(id) ? `${id} until ${time(until.get(id)!)}` : id))
  if (kept.length) parts.push(`${changes.added.length ? "keep " : ""}${kept.join(", ")}`)
  if (changes.dropped.length) parts.push(`drop ${changes.dropped.join(", ")}`)
  return parts.join("; ") || "-"
}

function summaryLine({ summary, mode, environment }: RotateDocument, options: ReportOptions): string {
  const parts: string[] = []
  if (mode === "apply") parts.push(`${summary.rotated} rotated`)
  if (summary.due) parts.push(`${summary.due} due`)
  if (summary.failed) parts.push(`${summary.failed} failed`)
  if (summary.conflict) parts.push(`${summary.conflict} in conflict`)
  parts.push(`${summary.not_due} not due`)
  if (summary.missing) parts.push(`${summary.missing} missing`)
  if (summary.external_value_required) parts.push(`${summary.external_value_required} waiting for a value`)
  const next =
    mode === "plan" && summary.due > 0 && summary.conflict === 0
      ? ` · \`${options.applyCommand ?? `layer secret rotate --env ${environment} --apply`}\` writes them`
      : mode === "apply" && summary.failed > 0
        ? " · run the command again to complete the rest"
        : ""
  return `${parts.join(", ")}${next}`
}

/** RFC 3339 without the milliseconds when they are zero: the table stays narrow. */
function time(iso: string): string {
  return iso.replace(/\.000Z$/, "Z")
}

function bytes(n: number): string {
  return `${groupThousands(n)} B`
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`
}
