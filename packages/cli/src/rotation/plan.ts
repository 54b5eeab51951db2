/**
 * `planRotation()`: declarations, settled state, provider metadata and a time in; one row per
 * rotating secret out. Pure: no I/O, so `--at` and tests can plan any instant.
 */
import { checkSize, describeTransition, nextVersionId, serializedByteLength, transition } from "@layeron/modules/envelope"
import type { Envelope } from "@layeron/modules/envelope"
import type { RetainOptions, SecretDeclaration } from "@layeron/modules/declare"
import type { SecretMetadata } from "../providers/provider.js"
import { isDue, nextDueAt } from "./due.js"
import type { SecretState } from "./types.js"

export interface RotationCandidate {
  declaration: SecretDeclaration
  physicalName: string
  /** Settled state (no pending intent), if any. */
  state: SecretState | undefined
  /** The provider's metadata, if the secret exists. */
  metadata: SecretMetadata | undefined
}

export interface PlanOptions {
  now: Date
  /** Rotate despite a conflict, dropping versions the state cannot vouch for. */
  discardHistory?: boolean
  /** Rotate under a rotation policy that changed since the last write. */
  acceptPolicyChange?: boolean
}

export interface VersionChanges {
  kept: string[]
  expiring: Array<{ id: string; expiresAt: string }>
  dropped: string[]
}

export type SizeReport = ReturnType<typeof checkSize>

interface RowBase {
  namespace: string
  name: string
  physicalName: string
  kind: SecretDeclaration["kind"]
  everyDays: number
  retain: RetainOptions
  lastRotation?: string
  nextDue?: string
}

export type PlanRow =
  | (RowBase & {
      status: "due"
      reason: "schedule" | "first_value" | "history_discarded"
      newVersion: string
      versions: VersionChanges
      size: SizeReport
      /** The envelope after rotation, with a placeholder of the right length for the new value. */
      after: Envelope
      /** Versions carried from the state (sealed); empty when history is discarded. */
      before: Envelope | undefined
    })
  | (RowBase & { status: "not_due"; versions: VersionChanges; size?: SizeReport })
  | (RowBase & { status: "missing"; hint: string })
  | (RowBase & { status: "conflict"; reason: "modified_elsewhere" | "no_state" | "policy_changed"; detail: string; hint: string })

export interface RotationPlan {
  at: string
  rows: PlanRow[]
  due: number
}

export function planRotation(candidates: RotationCandidate[], options: PlanOptions): RotationPlan {
  const rows = candidates.filter((c) => c.declaration.rotation).map((c) => planOne(c, options))
  return { at: options.now.toISOString(), rows, due: rows.filter((r) => r.status === "due").length }
}

function planOne(candidate: RotationCandidate, options: PlanOptions): PlanRow {
  const { declaration, physicalName, state, metadata } = candidate
  const rotation = declaration.rotation!
  const base: RowBase = {
    namespace: declaration.namespace,
    name: declaration.name,
    physicalName,
    kind: declaration.kind,
    everyDays: rotation.everyDays,
    retain: rotation.retain,
  }

  if (!metadata) {
    if (declaration.kind === "random") {
      return { ...base, status: "missing", hint: "random secrets are created by `layer deploy`; run it first" }
    }
    // A generated secret with no value is due: rotation writes its first value. Sealed
    // history in the state (if the secret was deleted) is still carried.
    return due(base, declaration, state ? toEnvelope(state) : undefined, options.now, "first_value")
  }

  const needsHistory = rotation.retain.mode !== "none"
  const policyChanged = state?.policy !== undefined && !samePolicy(state.policy, rotation)
  if (policyChanged && !options.acceptPolicyChange) {
    return {
      ...base,
      status: "conflict",
      reason: "policy_changed",
      detail: `rotation policy changed since the last write (${describePolicy(state!.policy!)} → ${describePolicy(rotation)})`,
      hint: "check the change is intended, then run again with --accept-policy-change",
    }
  }

  const writtenElsewhere = !state || state.provider.modified !== metadata.modified
  if (writtenElsewhere && needsHistory && !options.discardHistory) {
    return {
      ...base,
      status: "conflict",
      reason: state ? "modified_elsewhere" : "no_state",
      detail: state
        ? `the secret was written outside Layeron (modified ${metadata.modified}, state says ${state.provider.modified ?? "never"})`
        : "the secret exists but has no rotation state, so its older versions cannot be carried",
      hint: "rotating would drop versions the state cannot see; run with --discard-history to accept that, or restore the state files",
    }
  }

  const history = writtenElsewhere ? undefined : toEnvelope(state!)
  const last = history ? lastRotation(history) : new Date(metadata.modified)
  const schedule = { everyDays: rotation.everyDays, ...(rotation.startAt ? { startAt: rotation.startAt } : {}) }
  const lastIso = last?.toISOString()
  if (last && !isDue(last, schedule, options.now)) {
    const kept = history ? Object.keys(history.versions) : []
    return {
      ...base,
      status: "not_due",
      ...(lastIso ? { lastRotation: lastIso } : {}),
      nextDue: nextDueAt(last, schedule).toISOString(),
      versions: { kept, expiring: [], dropped: [] },
      ...(history ? { size: checkSize(serializedByteLength(history)) } : {}),
    }
  }
  const reason = writtenElsewhere && needsHistory ? "history_discarded" : "schedule"
  const row = due(base, declaration, history, options.now, reason)
  if (last) {
    row.lastRotation = last.toISOString()
    row.nextDue = nextDueAt(last, schedule).toISOString()
  }
  return row
}

function due(base: RowBase, declaration: SecretDeclaration, before: Envelope | undefined, now: Date, reason: "schedule" | "first_value" | "history_discarded"): PlanRow & { status: "due" } {
  const placeholder = "A".repeat(base64UrlLength(declaration.bytes ?? 32))
  const retain = declaration.rotation!.retain
  const newVersion = before ? nextVersionId(before) : "v1"
  const after = before
    ? transition(before, { newVersionId: newVersion, newEntry: { value: placeholder }, at: now, retain })
    : { current: newVersion, versions: { [newVersion]: { value: placeholder, createdAt: now.toISOString() } } }
  const changes = before ? describeTransition(before, after) : { kept: [], expiring: [], dropped: [] }
  return {
    ...base,
    status: "due",
    reason,
    newVersion,
    versions: changes,
    size: checkSize(serializedByteLength(after)),
    after,
    before,
  }
}

/** Last rotation = createdAt of the current version (DESIGN §7). */
function lastRotation(envelope: Envelope): Date | undefined {
  const createdAt = envelope.versions[envelope.current]?.createdAt
  return createdAt ? new Date(createdAt) : undefined
}

function toEnvelope(state: SecretState): Envelope | undefined {
  if (!state.current || !state.versions[state.current]) return undefined
  return { current: state.current, versions: { ...state.versions } }
}

/** Length of n bytes in base64url without padding. */
export function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3)
}

function samePolicy(a: NonNullable<SecretState["policy"]>, b: NonNullable<SecretDeclaration["rotation"]>): boolean {
  return describePolicy(a) === describePolicy(b)
}

export function describePolicy(policy: { everyDays: number; startAt?: string; retain: RetainOptions }): string {
  const retain = policy.retain.mode === "retain_for" ? `retain_for ${policy.retain.days}d` : policy.retain.mode
  return `every ${policy.everyDays}d${policy.startAt ? ` from ${policy.startAt}` : ""}, ${retain}`
}
