/**
 * `planRotation()`: declarations, settled state, provider metadata and a time in; one row per
 * rotating secret out. Pure: no I/O, so `--at` and tests can plan any instant, and `--apply`
 * writes exactly what the plan shows.
 *
 * What a row's status means:
 * - `due`: the next write is a rotation now: by the schedule, a generated secret's first
 *   value, or (`--discard-history`) a fresh envelope past a conflict;
 * - `not_due`: the schedule has not come round; `nextDue` says when;
 * - `missing`: a random secret not in the store (`layer deploy` creates it);
 * - `external_value_required`: a generated secret adopting an operator-named secret
 *   (`secretName`) that does not exist: its value is the operator's to write;
 * - `conflict`: rotating would lose something the state cannot vouch for (the secret was
 *   written elsewhere, has no state, or its rotation policy changed); a flag decides.
 */
import { checkSize, describeTransition, nextVersionId, parseSealedText, serializedByteLength, versionIdsOldestFirst } from "@layeron/modules/envelope"
import type { Envelope, SizeCheck } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import type { SecretMetadata } from "../providers/provider.js"
import { envelopeAfterWrite, freshValuesNeeded, placeholderValues } from "../secrets/generated-value.js"
import { nextDueAt } from "./due.js"
import type { Schedule } from "./due.js"
import type { RotationPolicy, SecretState } from "./types.js"
import { listVersions } from "./version-list.js"
import type { VersionState } from "./version-list.js"

export interface RotationCandidate {
  declaration: SecretDeclaration
  physicalName: string
  /** Settled state (no pending intent), if any. */
  state: SecretState | undefined
  /** The provider's metadata, if the secret exists. */
  metadata: SecretMetadata | undefined
  /** The state failed its anchor check (only planned with --discard-history): never carried. */
  untrusted?: true
}

export interface PlanOptions {
  now: Date
  /** Rotate past a conflict now, starting a fresh envelope (versions the state cannot vouch for are dropped). */
  discardHistory?: boolean
  /** Rotate under a rotation policy that changed since the last write. */
  acceptPolicyChange?: boolean
  /**
   * `--now`: these secrets (by physical name) are due whatever their schedule. Conflicts,
   * a missing random secret and an operator's first value stay what they are.
   */
  forceDue?: ReadonlySet<string>
}

export interface VersionChanges {
  /** Versions present before that stay (oldest first). */
  kept: string[]
  /** Versions that carry an expiry after the rotation (or now, when not due), with when. */
  expiring: Array<{ id: string; expiresAt: string }>
  /** Versions present before and gone after (expired, or the previous current under `none`). */
  dropped: string[]
  /** The new version, if the row rotates. */
  added: string[]
}

export type ConflictReason = "modified_elsewhere" | "no_state" | "policy_changed"
export type DueReason = "schedule" | "first_value" | "history_discarded" | "forced"

interface RowBase {
  namespace: string
  name: string
  physicalName: string
  kind: SecretDeclaration["kind"]
  policy: RotationPolicy
  /** createdAt of the current version (or the provider's `modified` when the state cannot say). */
  lastRotation?: string
  nextDue?: string
  /** Set when the declaration's policy differs from the one the state was written under. */
  policyChange?: { from: RotationPolicy; to: RotationPolicy }
  /** The provider's `modified` the plan was made from (apply refuses if it moved since). */
  modified?: string
  /**
   * The versions after the rotation (due) or as they stand (not due), newest first with their
   * state (version-list.ts): the order `layer secret versions` shows.
   */
  versionStates?: Array<{ id: string; state: VersionState }>
}

export type DueRow = RowBase & {
  status: "due"
  reason: DueReason
  newVersion: string
  versions: VersionChanges
  /** Size of the envelope as it will be written (new value at its exact length). */
  size: SizeCheck
  /** Versions carried from the state (sealed); undefined for a first value or a discarded history. */
  before: Envelope | undefined
}

export type PlanRow =
  | DueRow
  | (RowBase & { status: "not_due"; versions: VersionChanges; size?: SizeCheck })
  | (RowBase & { status: "missing" | "external_value_required"; hint: string })
  | (RowBase & { status: "conflict"; reasons: ConflictReason[]; detail: string; hint: string })

export interface RotationPlan {
  at: string
  rows: PlanRow[]
}

export function planRotation(candidates: readonly RotationCandidate[], options: PlanOptions): RotationPlan {
  const rows = candidates.filter((c) => c.declaration.rotation?.everyDays !== undefined).map((c) => planOne(c, options))
  return { at: options.now.toISOString(), rows }
}

function planOne(candidate: RotationCandidate, options: PlanOptions): PlanRow {
  const { declaration, physicalName, state, metadata } = candidate
  const policy = declaration.rotation!
  const policyChanged = state?.policy !== undefined && describePolicy(state.policy) !== describePolicy(policy)
  const base: RowBase = {
    namespace: declaration.namespace,
    name: declaration.name,
    physicalName,
    kind: declaration.kind,
    policy,
    ...(policyChanged ? { policyChange: { from: state!.policy!, to: policy } } : {}),
    ...(metadata ? { modified: metadata.modified } : {}),
  }
  const known = state ? stateEnvelope(state) : undefined
  const nextId = nextVersionAfter(state)

  if (!metadata && !known) {
    if (declaration.kind === "random") {
      return { ...base, status: "missing", hint: `random secrets are created by \`layer deploy\`; run it, then rotate` }
    }
    if (declaration.secretName !== undefined) {
      return { ...base, status: "external_value_required", hint: `${declaration.secretName} is an operator-named secret: write its first value with \`layer secret set ${declaration.id}\`` }
    }
    return due(base, declaration, undefined, nextId, options.now, "first_value")
  }

  // The store is as the state last left it only if its `modified` is the one recorded then.
  // A state the store's anchor does not vouch for counts as one written elsewhere: never carried.
  const writtenElsewhere = metadata === undefined || state?.provider.modified !== metadata.modified || candidate.untrusted === true
  const keepsHistory = policy.retain.mode !== "none"
  const reasons: ConflictReason[] = []
  if (policyChanged && !options.acceptPolicyChange) reasons.push("policy_changed")
  if (writtenElsewhere && keepsHistory && !options.discardHistory) reasons.push(known ? "modified_elsewhere" : "no_state")
  if (reasons.length > 0) return conflict(base, reasons, state, metadata)

  if (writtenElsewhere && keepsHistory) return due(base, declaration, undefined, nextId, options.now, "history_discarded", known)
  if (!metadata) return due(base, declaration, undefined, nextId, options.now, "first_value", known)

  // Under `none` a foreign write is just the latest value: it counts as the last rotation.
  const history = writtenElsewhere ? undefined : known
  const lastMs = (history && createdAtMs(history, history.current)) ?? Date.parse(metadata.modified)
  const schedule: Schedule = { everyDays: policy.everyDays, ...(policy.startAt ? { startAt: policy.startAt } : {}) }
  // A version created after `now` (a clock ahead, or --at in the past) must stay the newest.
  const nextMs = Math.max(nextDueAt(new Date(lastMs), schedule).getTime(), newestCreatedMs(history) ?? Number.NEGATIVE_INFINITY)
  const timing = { lastRotation: new Date(lastMs).toISOString(), nextDue: new Date(nextMs).toISOString() }
  // Forced (--now): due now, unless a version is newer than now (it must stay the newest).
  const forced = options.forceDue?.has(physicalName) === true && options.now.getTime() >= (newestCreatedMs(history) ?? Number.NEGATIVE_INFINITY)
  if (options.now.getTime() < nextMs && forced) {
    return { ...due(base, declaration, history, nextId, options.now, "forced"), ...timing }
  }
  if (options.now.getTime() < nextMs) {
    return { ...base, ...timing, status: "not_due", versions: currentVersions(history), ...(history ? { size: storedSize(history), versionStates: statesOf(history, declaration, options.now) } : {}) }
  }
  return { ...due(base, declaration, history, nextId, options.now, "schedule"), ...timing }
}

function due(base: RowBase, declaration: SecretDeclaration, before: Envelope | undefined, newVersion: string, now: Date, reason: DueReason, discarded?: Envelope): DueRow {
  const after = envelopeAfterWrite(declaration, before, newVersion, now, placeholderValues(declaration, freshValuesNeeded(declaration, before)))
  const summary = before ? describeTransition(before, after) : undefined
  const versions: VersionChanges = summary
    ? { kept: summary.kept, expiring: summary.expiring, dropped: summary.dropped, added: summary.added }
    : { kept: [], expiring: [], dropped: discarded ? versionIdsOldestFirst(discarded) : [], added: versionIdsOldestFirst(after) }
  return { ...base, status: "due", reason, newVersion, versions, size: checkSize(serializedByteLength(after)), before, versionStates: statesOf(after, declaration, now) }
}

function statesOf(envelope: Envelope, declaration: SecretDeclaration, now: Date): Array<{ id: string; state: VersionState }> {
  return listVersions(envelope, now, { keyPair: declaration.generate !== undefined }).map(({ id, state }) => ({ id, state }))
}

function conflict(base: RowBase, reasons: ConflictReason[], state: SecretState | undefined, metadata: SecretMetadata | undefined): PlanRow {
  const details: string[] = []
  const flags: string[] = []
  if (reasons.includes("policy_changed")) {
    details.push(`its rotation policy changed since the last write (${describePolicy(base.policyChange!.from)} → ${describePolicy(base.policyChange!.to)})`)
    flags.push("--accept-policy-change")
  }
  if (reasons.includes("modified_elsewhere")) {
    details.push(
      metadata
        ? `it was written outside this state (the store says modified ${metadata.modified}, the state ${state?.provider.modified ?? "never"})`
        : "it was deleted from the store outside this state",
    )
    flags.push("--discard-history")
  }
  if (reasons.includes("no_state")) {
    details.push("it exists in the store but has no rotation state, so its older versions cannot be carried")
    flags.push("--discard-history")
  }
  const hint = reasons.includes("policy_changed") && flags.length === 1
    ? "check that the change is intended, then run again with --accept-policy-change"
    : `a rotation would drop versions the state cannot see; if a teammate or CI wrote it, this checkout's state is behind: \`git pull\`; else restore the state from version control, or run again with ${flags.join(" and ")} to rotate now with a fresh envelope`
  return { ...base, status: "conflict", reasons, detail: details.join("; "), hint }
}

/** The state's last completed write as an envelope (all versions sealed), if it has one. */
function stateEnvelope(state: SecretState): Envelope | undefined {
  if (!state.current || !Object.hasOwn(state.versions, state.current)) return undefined
  return { current: state.current, versions: { ...state.versions } }
}

/**
 * `v<N+1>` over the versions the state knows (docs/design.md#values: one above the highest present),
 * also when they are being discarded, so a fresh envelope never reuses an id that readers
 * may still hold.
 */
function nextVersionAfter(state: SecretState | undefined): string {
  return nextVersionId({ current: "", versions: state?.versions ?? {} })
}

function createdAtMs(envelope: Envelope, id: string): number | undefined {
  const createdAt = envelope.versions[id]?.createdAt
  return createdAt === undefined ? undefined : Date.parse(createdAt)
}

function newestCreatedMs(envelope: Envelope | undefined): number | undefined {
  if (!envelope) return undefined
  const times = Object.keys(envelope.versions).flatMap((id) => createdAtMs(envelope, id) ?? [])
  return times.length ? Math.max(...times) : undefined
}

function currentVersions(envelope: Envelope | undefined): VersionChanges {
  if (!envelope) return { kept: [], expiring: [], dropped: [], added: [] }
  const ids = versionIdsOldestFirst(envelope)
  return {
    kept: ids,
    expiring: ids.flatMap((id) => {
      const expiresAt = envelope.versions[id]!.expiresAt
      return expiresAt === undefined ? [] : [{ id, expiresAt }]
    }),
    dropped: [],
    added: [],
  }
}

/**
 * The stored envelope's size: the state holds the current version sealed, the store holds it
 * plain. A sealed copy's ciphertext is the value's UTF-8 plus a 16-byte tag, so the plain
 * length is exact for base64url values (random and generated secrets hold nothing else).
 */
function storedSize(envelope: Envelope): SizeCheck {
  const current = envelope.versions[envelope.current]!
  const parts = current.sealed === undefined ? undefined : parseSealedText(current.sealed)
  const length = parts ? parts.ciphertext.length - 16 : 0
  const { sealed: _sealed, ...times } = current
  const stored: Envelope = { current: envelope.current, versions: { ...envelope.versions, [envelope.current]: { ...times, value: "A".repeat(length) } } }
  return checkSize(serializedByteLength(stored))
}

/** Length of n bytes in base64url without padding. */
export function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3)
}

/** `every 30d, retain_for 14d`; startAt in canonical form, so equal policies describe equally. */
export function describePolicy(policy: RotationPolicy): string {
  const retain = policy.retain.mode === "retain_for" ? `retain_for ${policy.retain.days}d` : policy.retain.mode
  const startAt = policy.startAt === undefined ? undefined : new Date(Date.parse(policy.startAt))
  const from = startAt === undefined ? "" : ` from ${Number.isNaN(startAt.getTime()) ? policy.startAt : startAt.toISOString()}`
  return `every ${policy.everyDays}d${from}, ${retain}`
}
