/**
 * Every write of a declared secret (set, rotate, deploy) goes through `writeRecorded`:
 * record a pending intent with sealed copies, write to the provider, complete the record
 * (docs/design.md#rotation). A run killed anywhere leaves either a pending intent that the next run
 * settles by the provider's `modified`, or a completed record: never a lost version.
 */
import { seal } from "@layeron/modules/seal"
import type { Envelope } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { wasRefusedBeforeSending } from "../providers/provider.js"
import type { SecretMetadata, SecretText, UpsertResult } from "../providers/provider.js"
import { crashPoint } from "../testing/crash-point.js"
import { isAnchor, stateAnchor, verifyAnchor } from "./anchor.js"
import { carriedNotInState, stateAnchorMismatch } from "./anchor-errors.js"
import { secretStatePath } from "./paths.js"
import { ensureSealingKey } from "./sealing-key.js"
import type { SealingContext } from "./sealing-key.js"
import { readSecretState, removeSecretState, writeSecretState } from "./state-file.js"
import { STATE_FORMAT } from "./types.js"
import type { PendingWrite, SealedVersion, SecretState } from "./types.js"

export interface RecordedWrite {
  context: SealingContext
  declaration: SecretDeclaration
  physicalName: string
  /** The envelope as written: plain `value`s (sealed here for the state) and carried `sealed` ones. */
  stored: Envelope
  /** The exact text sent to the provider. */
  text: SecretText
  /** `unpack`: a packed member written back to its own secret, versions unchanged (packing/migrate.ts). */
  action: "set" | "rotate" | "deploy" | "revoke" | "unpack"
  /** The command line, without values, for the rotation log. */
  command: string
  /** Time of the write; defaults to now. */
  at?: Date
  /** Per version id, the value's keyed digest to record beside its sealed copy (`secret set`, `secret import`). */
  digests?: Readonly<Record<string, string>>
  /**
   * The provider's metadata read just before (under the same lock), or null when the
   * secret does not exist; looked up when omitted.
   */
  before?: SecretMetadata | null
  /**
   * Return as soon as the provider write landed and finish the completion record in the
   * background (`completion`). Safe: the durable intent already settles a write that landed;
   * the caller must await `completion` before it releases the lock.
   */
  deferCompletion?: boolean
  /**
   * Fingerprints of the plain values this write sends, by version id (shown by `secret
   * versions`). Carried versions keep the fingerprint the state recorded for them.
   */
  fingerprints?: Readonly<Record<string, string>>
  /** `revoke`: the versions the write removes, recorded in the intent and the log. */
  revoked?: readonly string[]
}

export interface RecordedResult {
  metadata: UpsertResult
  state: SecretState
  /** Resolves once the completed record is on disk (at once unless deferCompletion). */
  completion: Promise<void>
}

export async function writeRecorded(write: RecordedWrite): Promise<RecordedResult> {
  const { context, physicalName } = write
  const at = write.at ?? new Date()
  const publicKey = await ensureSealingKey(context, { now: at })
  const before = write.before === undefined ? await context.provider.find(physicalName) : (write.before ?? undefined)
  // Settled in memory: a state that fails its anchor check below must stay as it was on disk.
  const raw = await readSecretState(context.projectRoot, context.environment, physicalName)
  const previous = raw && settleState(raw, before)
  verifyCarried(context, physicalName, write.stored, previous, before)

  const entries: Array<[string, SealedVersion]> = []
  const digests: Array<[string, string]> = []
  for (const [id, version] of Object.entries(write.stored.versions)) {
    const sealed = typeof version.sealed === "string" ? version.sealed : await seal(publicKey.publicKey, version.value!, { physicalName, versionId: id })
    const createdAt = version.createdAt ?? (id === write.stored.current ? at.toISOString() : undefined)
    // A version carried with the sealed copy the state has keeps its digest; a value written now gets the caller's.
    const digest = write.digests && Object.hasOwn(write.digests, id) ? write.digests[id] : previous?.digests && Object.hasOwn(previous.digests, id) && previous.versions[id]?.sealed === sealed ? previous.digests[id] : undefined
    if (digest !== undefined) digests.push([id, digest])
    entries.push([id, { sealed, ...(createdAt ? { createdAt } : {}), ...(version.expiresAt ? { expiresAt: version.expiresAt } : {}) }])
  }
  // fromEntries defines own properties: a version id such as `__proto__` is a key like any
  // other (an assignment `versions[id] = …` would set the object's prototype instead).
  const versions: Record<string, SealedVersion> = Object.fromEntries(entries)
  const anchor = stateAnchor(physicalName, { current: write.stored.current, versions })
  const fingerprints = knownFingerprints(versions, previous, write.fingerprints)
  const pending: PendingWrite = {
    action: write.action,
    versionId: write.stored.current,
    current: write.stored.current,
    versions,
    startedAt: at.toISOString(),
    command: write.command,
    ...(write.declaration.rotation ? { policy: write.declaration.rotation } : {}),
    ...(before ? { providerModifiedBefore: before.modified } : {}),
    anchor,
    ...(Object.keys(fingerprints).length ? { fingerprints } : {}),
    ...(write.revoked?.length ? { revoked: [...write.revoked] } : {}),
    ...(digests.length > 0 ? { digests: Object.fromEntries(digests) } : {}),
  }
  const base = previous ?? emptyState(write.declaration, physicalName, context.provider.kind)
  crashPoint("before-intent")
  await writeSecretState(context.projectRoot, context.environment, { ...base, pending })
  crashPoint("after-intent")

  // A failure here leaves the intent in place on purpose: the write may have landed (a
  // timeout after Cloudflare applied it), and only the next run's `modified` can tell. A
  // refusal raised before anything was sent is certain, so the state goes back to what it was
  // and a refused command leaves the checkout as it found it.
  let metadata: UpsertResult
  try {
    metadata = await context.provider.upsert(physicalName, write.text, { comment: anchor })
  } catch (error) {
    if (wasRefusedBeforeSending(error)) {
      if (previous) await writeSecretState(context.projectRoot, context.environment, previous)
      else await removeSecretState(context.projectRoot, context.environment, physicalName)
    }
    throw error
  }
  crashPoint("after-provider-write")

  const state = completePending({ ...base, pending }, metadata, false)
  const completion = writeSecretState(context.projectRoot, context.environment, state).then(() => crashPoint("after-state-write"))
  if (!write.deferCompletion) await completion
  // Deferred: the caller attaches its handler after this returns; mark the promise handled
  // meanwhile so a failure is never reported as an unhandled rejection.
  else completion.catch(() => undefined)
  return { metadata, state, completion }
}

/**
 * A pending intent left by a killed run: the write landed if the provider's `modified` is no
 * longer the one read before it (no clock comparison, so skew cannot fool it). Landed →
 * complete the record; not landed → drop the intent. Returns the settled state.
 * `now` is the secret's metadata if the caller has it (null: it does not exist).
 */
export async function settlePending(context: SealingContext, physicalName: string, now?: SecretMetadata | null): Promise<SecretState | undefined> {
  const state = await readSecretState(context.projectRoot, context.environment, physicalName)
  if (!state?.pending) return state
  const metadata = now === null ? undefined : (now ?? (await context.provider.find(physicalName)))
  const settled = settleState(state, metadata)
  await writeSecretState(context.projectRoot, context.environment, settled)
  return settled
}

/**
 * Pure form of settling, for plans that must not write: the intent's write landed if the
 * provider's `modified` differs from the one recorded before it.
 */
export function settleState(state: SecretState, metadata: SecretMetadata | undefined): SecretState {
  if (!state.pending) return state
  return landed(state.pending, metadata) ? completePending(state, metadata!, true) : dropPending(state)
}

/**
 * Whether an intent's write reached the store. An intent that records its anchor landed
 * exactly when the store's comment is that anchor (a foreign value-only write keeps the old
 * comment, so it is not mistaken for ours); older intents fall back to `modified` moving.
 */
function landed(pending: PendingWrite, metadata: SecretMetadata | undefined): boolean {
  if (metadata === undefined) return false
  if (pending.anchor !== undefined && isAnchor(metadata.comment)) return metadata.comment === pending.anchor
  return metadata.modified !== pending.providerModifiedBefore
}

/**
 * Versions carried forward as sealed copies must come from a state the store vouches for:
 * its anchor must be the digest of that state (anchor.ts, verifyAnchor). A state written
 * before anchors is trusted once, said so, and anchored by this write.
 */
function verifyCarried(context: SealingContext, physicalName: string, stored: Envelope, state: SecretState | undefined, metadata: SecretMetadata | undefined): void {
  const carried = Object.keys(stored.versions).filter((id) => typeof stored.versions[id]!.sealed === "string")
  if (carried.length === 0 || !state?.current || metadata === undefined) return
  const path = secretStatePath(context.projectRoot, context.environment, physicalName)
  const verdict = verifyAnchor(stateAnchor(physicalName, { current: state.current, versions: state.versions }), metadata.comment)
  if (verdict.status === "mismatch") throw stateAnchorMismatch(path, state, verdict.stored)
  const foreign = carried.filter((id) => !Object.hasOwn(state.versions, id) || state.versions[id]!.sealed !== stored.versions[id]!.sealed)
  if (foreign.length > 0) throw carriedNotInState(path, foreign)
  if (verdict.status === "unanchored") {
    context.notify?.(`anchored ${state.secret} (${physicalName}) for the first time: its state ${path} was written before integrity anchors and is trusted as found this once; from now on every carry-forward checks it`)
  }
}

/** Record a rotation policy accepted with --accept-policy-change when nothing was due (no write to the store). */
export function withPolicy(state: SecretState, policy: NonNullable<SecretDeclaration["rotation"]>): SecretState {
  return { ...state, policy }
}

/** The fingerprints after a write: the new values' own, and a carried version's as recorded (same sealed copy only). */
function knownFingerprints(versions: Record<string, SealedVersion>, previous: SecretState | undefined, fresh: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const entries: Array<[string, string]> = []
  for (const [id, version] of Object.entries(versions)) {
    const own = fresh !== undefined && Object.hasOwn(fresh, id) ? fresh[id] : undefined
    const carried = previous?.fingerprints && Object.hasOwn(previous.fingerprints, id) && previous.versions[id]?.sealed === version.sealed ? previous.fingerprints[id] : undefined
    const fingerprint = own ?? carried
    if (fingerprint !== undefined) entries.push([id, fingerprint])
  }
  return Object.fromEntries(entries)
}

function completePending(state: SecretState, metadata: SecretMetadata, recovered: boolean): SecretState {
  const pending = state.pending!
  const { pending: _done, fingerprints: _previous, digests: _before, ...rest } = state
  const policy = pending.policy ?? state.policy
  return {
    ...rest,
    ...(policy ? { policy } : {}),
    ...(pending.digests ? { digests: pending.digests } : {}),
    provider: { kind: state.provider.kind, secretId: metadata.id, modified: metadata.modified },
    current: pending.current,
    versions: pending.versions,
    ...(pending.fingerprints ? { fingerprints: pending.fingerprints } : {}),
    log: [
      ...state.log,
      {
        at: pending.startedAt,
        action: pending.action,
        version: pending.versionId,
        command: pending.command,
        ...(recovered ? { recovered: true as const } : {}),
        ...(pending.revoked ? { revoked: pending.revoked } : {}),
      },
    ],
  }
}

function dropPending(state: SecretState): SecretState {
  const { pending: _dropped, ...rest } = state
  return rest
}

function emptyState(declaration: SecretDeclaration, physicalName: string, providerKind: "local" | "cloudflare"): SecretState {
  return {
    format: STATE_FORMAT,
    secret: declaration.id,
    physicalName,
    kind: declaration.kind,
    ...(declaration.rotation ? { policy: declaration.rotation } : {}),
    provider: { kind: providerKind },
    versions: {},
    log: [],
  }
}
