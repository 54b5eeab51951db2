/**
 * `layer secret revoke`: remove versions of a declared secret now (docs/rotation.md#revoke).
 *
 * The CLI never reads a value back, so the envelope it writes is made of the sealed copies
 * the rotation state holds, the current version included (the Secret Product Worker opens
 * sealed versions like plain ones), minus the revoked versions. That is only sound when the
 * store still holds exactly what the state recorded, so the state must match the store's
 * `modified` and its integrity anchor before anything is written; the write itself goes
 * through the same write-ahead record as every other (record.ts), which records the revoked
 * ids in the intent and the log, so a rerun after a crash finds them done.
 *
 * Split in three: read (no writes; a pending intent is settled in memory only), a pure plan
 * that refuses bad input, and the write.
 */
import { checkSize, serializeEnvelope, serializedByteLength } from "@layeron/modules/envelope"
import type { Envelope, SizeCheck } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { Limits } from "@layeron/modules/limits"
import { LayerError } from "../errors.js"
import { groupThousands } from "../output/numbers.js"
import { quoteInput } from "../output/quote.js"
import { SecretText } from "../providers/provider.js"
import type { SecretMetadata } from "../providers/provider.js"
import { stateAnchor, verifyAnchor } from "./anchor.js"
import { stateAnchorMismatch } from "./anchor-errors.js"
import { secretStatePath } from "./paths.js"
import { settleState, writeRecorded } from "./record.js"
import { checkSealingKey } from "./sealing-key.js"
import type { SealingContext } from "./sealing-key.js"
import { readSecretState, versionIdsInOrder, writeSecretState } from "./state-file.js"
import type { SecretState } from "./types.js"

export interface RevokeTarget {
  declaration: SecretDeclaration
  physicalName: string
}

/** What a revoke works from, read once under the lock. */
export interface RevokeInputs {
  target: RevokeTarget
  /** The state with any pending intent settled in memory. */
  state: SecretState
  /** Whether the state on disk had a pending intent (the settled one is written before the revoke). */
  settledPending: boolean
  metadata: SecretMetadata
}

export type RevokePlan =
  | {
      kind: "write"
      /** The versions removed now, oldest first. */
      revoke: string[]
      /** Requested versions an earlier revoke already removed (a rerun), with when. */
      alreadyRevoked: Array<{ id: string; at: string }>
      /** The envelope written: every kept version as its sealed copy. */
      after: Envelope
      size: SizeCheck
    }
  | { kind: "done"; alreadyRevoked: Array<{ id: string; at: string }> }

/**
 * Read the secret's state and metadata and check that the state speaks for the store. Throws
 * (nothing written) when it cannot: no value, no state, written elsewhere, anchor mismatch,
 * or no sealing key to open the copies.
 */
export async function readRevokeInputs(context: SealingContext, target: RevokeTarget): Promise<RevokeInputs> {
  const { physicalName, declaration } = target
  const listing = await context.provider.listAll()
  const metadata = listing.find((entry) => entry.name === physicalName)
  const path = secretStatePath(context.projectRoot, context.environment, physicalName)
  if (!metadata) {
    throw new LayerError("secret_not_found", `${declaration.id} (${physicalName}) has no value in ${context.environment}, so it has no version to revoke; nothing was written`, {
      hint: "check the environment (--env)",
    })
  }
  const raw = await readSecretState(context.projectRoot, context.environment, physicalName)
  const state = raw && settleState(raw, metadata)
  if (!state?.current) {
    throw new LayerError("no_state", `${declaration.id} (${physicalName}) has no rotation state (${path}), so the CLI does not know its versions; nothing was written`, {
      hint: "restore the file from version control (`git pull`, or git checkout -- <file>); a secret written before the state existed gets one at its next write",
      details: { file: path },
    })
  }
  if (state.provider.modified !== metadata.modified) {
    throw new LayerError(
      "rotation_conflict",
      `${declaration.id} (${physicalName}) was written outside this state (the store says modified ${metadata.modified}, the state ${state.provider.modified ?? "never"}), so the state cannot say which versions the store holds; nothing was written`,
      {
        hint: `if a teammate or CI wrote it, this checkout's state is behind: \`git pull\` and run again; otherwise \`layer secret rotate ${declaration.id} --env ${context.environment} --now --apply --discard-history\` replaces every version with a fresh one`,
        details: { file: path },
      },
    )
  }
  const verdict = verifyAnchor(stateAnchor(physicalName, { current: state.current, versions: state.versions }), metadata.comment)
  if (verdict.status === "mismatch") throw stateAnchorMismatch(path, state, verdict.stored, context.environment)
  const sealingKey = await checkSealingKey(context, listing.find((entry) => entry.name === context.sealingKeyName) ?? null)
  if (sealingKey.kind !== "ready") {
    throw new LayerError("sealing_key_missing", `environment "${context.environment}" has no sealing key (layeron/sealing-key, ${context.sealingKeyName}), so the sealed copies a revoke writes could not be opened; nothing was written`, {
      hint: "restore .layeron/secret-rotation/<env>/public-key.json and the sealing key secret from your backups",
    })
  }
  return { target, state, settledPending: raw?.pending !== undefined, metadata }
}

/** Pure: which versions go, or the refusal that names what and why. */
export function planRevoke(inputs: RevokeInputs, requested: readonly string[], environment: string): RevokePlan {
  const { state, target } = inputs
  const id = target.declaration.id
  const current = state.current!
  const ids = versionIdsInOrder(state.versions)
  const unique = [...new Set(requested)]
  const revokedBefore = new Map<string, string>()
  for (const entry of state.log) for (const version of entry.revoked ?? []) revokedBefore.set(version, entry.at)

  if (unique.includes(current)) {
    if (target.declaration.kind === "static" && ids.length === 1) {
      throw new LayerError("current_version", `${id} is a static secret holding one value (${current}), which is current; there is no older version to revoke; nothing was written`, {
        hint: `write the replacement with \`layer secret set ${id} --env ${environment}\`: that value replaces it`,
      })
    }
    throw new LayerError("current_version", `${current} is the current version of ${id}: readers would be left without a value, so it cannot be revoked; nothing was written`, {
      hint: `make a new current version first: \`layer secret rotate ${id} --env ${environment} --now --apply --yes\`, then revoke ${current}`,
      details: { current, versions: ids },
    })
  }
  const unknown = unique.filter((version) => !Object.hasOwn(state.versions, version) && !revokedBefore.has(version))
  if (unknown.length > 0) {
    throw new LayerError("unknown_version", `${id} has no version ${unknown.map((version) => quoteInput(version)).join(", ")}; it holds ${ids.join(", ")}; nothing was written`, {
      hint: `see them with \`layer secret versions ${id} --env ${environment}\` (a version past its expiry or dropped by a rotation is already gone)`,
      details: { versions: ids },
    })
  }
  const alreadyRevoked = unique.filter((version) => !Object.hasOwn(state.versions, version)).map((version) => ({ id: version, at: revokedBefore.get(version)! }))
  const revoke = ids.filter((version) => unique.includes(version))
  if (revoke.length === 0) return { kind: "done", alreadyRevoked }

  const kept = ids.filter((version) => !revoke.includes(version))
  const after: Envelope = {
    current,
    versions: Object.fromEntries(
      kept.map((version) => {
        const { sealed, createdAt, expiresAt } = state.versions[version]!
        return [version, { sealed, ...(createdAt ? { createdAt } : {}), ...(expiresAt ? { expiresAt } : {}) }]
      }),
    ),
  }
  const size = checkSize(serializedByteLength(after))
  if (size.status === "too_large") {
    throw new LayerError("value_too_large", `without ${revoke.join(", ")}, ${id}'s envelope of sealed copies would be ${groupThousands(size.bytes)} bytes, over Cloudflare's ${groupThousands(Limits.maxValueBytes)}-byte limit; nothing was written`, {
      hint: "revoke more of its old versions in the same command",
    })
  }
  return { kind: "write", revoke, alreadyRevoked, after, size }
}

/** Write a planned revoke: the settled state first (as rotate does), then the recorded write. */
export async function applyRevoke(context: SealingContext, inputs: RevokeInputs, plan: Extract<RevokePlan, { kind: "write" }>, command: string, at: Date): Promise<SecretState> {
  if (inputs.settledPending) await writeSecretState(context.projectRoot, context.environment, inputs.state)
  const { state } = await writeRecorded({
    context,
    declaration: inputs.target.declaration,
    physicalName: inputs.target.physicalName,
    stored: plan.after,
    text: new SecretText(serializeEnvelope(plan.after)),
    action: "revoke",
    command,
    at,
    before: inputs.metadata,
    revoked: plan.revoke,
  })
  return state
}

/** A settled pending intent, persisted when a revoke finds its work already done. */
export async function persistSettled(context: SealingContext, inputs: RevokeInputs): Promise<void> {
  if (inputs.settledPending) await writeSecretState(context.projectRoot, context.environment, inputs.state)
}
