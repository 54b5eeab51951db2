/**
 * What the store holds for a secret before `secret set` or `secret import` writes it, as far
 * as this checkout can vouch (secrets/version-plan.ts decides what the write does with it).
 * The same evidence a rotation plan uses (inputs.ts, plan.ts): the rotation state, its pending
 * intent settled in memory by the store's metadata, the store's `modified` to tell whether the
 * state is still the store's story, and the anchor to tell whether the state was tampered with.
 * Reads only: nothing is written here.
 */
import type { Envelope } from "@layeron/modules/envelope"
import type { SecretMetadata } from "../providers/provider.js"
import type { StoreBasis } from "../secrets/version-plan.js"
import { stateAnchor, verifyAnchor } from "./anchor.js"
import { stateAnchorMismatch } from "./anchor-errors.js"
import { secretStatePath } from "./paths.js"
import { settleState } from "./record.js"
import { readSecretState } from "./state-file.js"

export interface BasisContext {
  projectRoot: string
  environment: string
}

export interface BasisOptions {
  /**
   * Refuse a state the store's anchor does not vouch for (state_anchor_mismatch), as a
   * rotation does before carrying it. Off for --replace-all, which carries nothing.
   */
  checkAnchor: boolean
}

/**
 * `metadata`: the secret's metadata from the store (undefined: not there). A state whose last
 * write is not the store's (`modified` differs) vouches for nothing: `unknown`.
 */
export async function readStoreBasis(context: BasisContext, physicalName: string, metadata: SecretMetadata | undefined, options: BasisOptions): Promise<StoreBasis> {
  const raw = await readSecretState(context.projectRoot, context.environment, physicalName)
  const state = raw && settleState(raw, metadata)
  const knownIds = Object.keys(state?.versions ?? {})
  if (metadata === undefined) return { kind: "absent", knownIds }
  const current = state?.current
  if (!state || current === undefined || !Object.hasOwn(state.versions, current) || state.provider.modified !== metadata.modified) {
    return { kind: "unknown", knownIds, modified: metadata.modified }
  }
  if (options.checkAnchor) {
    const verdict = verifyAnchor(stateAnchor(physicalName, { current, versions: state.versions }), metadata.comment)
    if (verdict.status === "mismatch") throw stateAnchorMismatch(secretStatePath(context.projectRoot, context.environment, physicalName), state, verdict.stored, context.environment)
  }
  const envelope: Envelope = { current, versions: { ...state.versions } }
  const currentDigest = state.digests && Object.hasOwn(state.digests, current) ? state.digests[current] : undefined
  return { kind: "known", envelope, ...(currentDigest ? { currentDigest } : {}) }
}
