/**
 * Where an environment's anchors stand (read-only: `checkAnchors`, for `layer doctor` and
 * for `layer secret rotate --re-anchor`), and the explicit re-anchoring a person asks for
 * after checking the state (`reAnchor`): the store's comment is replaced by the anchor of
 * what the state says, and the decision is logged in the rotation log.
 */
import type { SecretProvider, SecretMetadata } from "../providers/provider.js"
import { isLayerError } from "../errors.js"
import { localRecordUnreadable, unreadableRecordFile } from "../providers/local/unreadable.js"
import { anchoredFingerprint, stateAnchor, verifyAnchor } from "./anchor.js"
import { publicKeyPath, secretStatePath } from "./paths.js"
import { settleState } from "./record.js"
import { checkedKeyAnchor, readPublicKey, writePublicKey } from "./sealing-key.js"
import type { SealingContext } from "./sealing-key.js"
import { readSecretState, versionIdsInOrder, writeSecretState } from "./state-file.js"
import type { RotatingSecret } from "./inputs.js"
import type { PublicKeyFile, SecretState } from "./types.js"

export type AnchorStatus =
  /** The store's anchor vouches for the file. */
  | "anchored"
  /** Written before anchors: the next write (or --re-anchor) anchors it. */
  | "unanchored"
  /** The file is not what the store anchored: writes that seal or carry refuse. */
  | "mismatch"
  /** Nothing to compare: no state file, or nothing in the store. */
  | "no_state"
  | "not_in_store"
  /** The file cannot be read as a state or key file (invalid_state). */
  | "invalid"
  /** The store's own record does not decrypt (local store): `file` is that record, not the state. */
  | "unreadable_record"

export interface AnchorFinding {
  /** `layeron/sealing-key` or the declaration's `namespace/name`. */
  secret: string
  physicalName: string
  file: string
  status: AnchorStatus
  /** The anchor the file implies, and the store's comment (anchors only; never a value). */
  expected?: string
  stored?: string
  /** Sealing key: the file's fingerprint and the store's. */
  fingerprint?: string
  anchoredFingerprint?: string
  /** Secrets: the versions the state lists, oldest first. */
  versions?: string[]
  /** A secret whose `modified` moved since its state (written elsewhere): not re-anchorable. */
  writtenElsewhere?: true
  /** What went wrong for `invalid`. */
  detail?: string
}

export interface AnchorReport {
  environment: string
  sealingKey: AnchorFinding
  secrets: AnchorFinding[]
}

/**
 * Compare every anchor of an environment with its files, writing nothing (one listing).
 * For `layer doctor`: a finding with status `mismatch` is a refusal waiting to happen.
 */
export async function checkAnchors(context: SealingContext, secrets: readonly RotatingSecret[]): Promise<AnchorReport> {
  const listing = new Map<string, SecretMetadata>((await context.provider.listAll()).map((metadata) => [metadata.name, metadata]))
  const report: AnchorReport = { environment: context.environment, sealingKey: await keyFinding(context, listing.get(context.sealingKeyName)), secrets: [] }
  for (const { declaration, physicalName } of secrets) {
    report.secrets.push(await stateFinding(context, declaration.id, physicalName, listing.get(physicalName)))
  }
  return report
}

async function keyFinding(context: SealingContext, stored: SecretMetadata | undefined): Promise<AnchorFinding> {
  const file = publicKeyPath(context.projectRoot, context.environment)
  const base = { secret: "layeron/sealing-key", physicalName: context.sealingKeyName, file }
  let publicKey: PublicKeyFile | undefined
  let expected: string
  try {
    publicKey = await readPublicKey(context.projectRoot, context.environment)
    if (!publicKey) return { ...base, status: "no_state" }
    expected = checkedKeyAnchor(context, publicKey)
  } catch (error) {
    if (isLayerError(error)) return { ...base, status: "invalid", detail: error.message }
    throw error
  }
  if (!stored) return { ...base, status: "not_in_store", fingerprint: publicKey.fingerprint }
  const unreadable = unreadableRecordFile(stored.comment)
  if (unreadable !== undefined) return { ...base, file: unreadable, status: "unreadable_record", detail: localRecordUnreadable(unreadable, context.sealingKeyName).message }
  const verdict = verifyAnchor(expected, stored.comment)
  const anchored = anchoredFingerprint(stored.comment)
  return {
    ...base,
    status: verdict.status,
    expected,
    ...(stored.comment === undefined ? {} : { stored: stored.comment }),
    fingerprint: publicKey.fingerprint,
    ...(anchored ? { anchoredFingerprint: anchored } : {}),
  }
}

async function stateFinding(context: SealingContext, secret: string, physicalName: string, stored: SecretMetadata | undefined): Promise<AnchorFinding> {
  const file = secretStatePath(context.projectRoot, context.environment, physicalName)
  const base = { secret, physicalName, file }
  let raw: SecretState | undefined
  try {
    raw = await readSecretState(context.projectRoot, context.environment, physicalName)
  } catch (error) {
    if (isLayerError(error)) return { ...base, status: "invalid", detail: error.message }
    throw error
  }
  const state = raw && settleState(raw, stored)
  if (!state?.current) return { ...base, status: "no_state" }
  const versions = versionIdsInOrder(state.versions)
  if (!stored) return { ...base, status: "not_in_store", versions }
  const unreadable = unreadableRecordFile(stored.comment)
  if (unreadable !== undefined) return { ...base, file: unreadable, status: "unreadable_record", versions, detail: localRecordUnreadable(unreadable, physicalName).message }
  const expected = stateAnchor(physicalName, { current: state.current, versions: state.versions })
  const verdict = verifyAnchor(expected, stored.comment)
  return {
    ...base,
    status: verdict.status,
    expected,
    ...(stored.comment === undefined ? {} : { stored: stored.comment }),
    versions,
    ...(state.provider.modified !== stored.modified ? { writtenElsewhere: true as const } : {}),
  }
}

/** The findings --re-anchor would act on: anything not anchored that it can anchor. */
export function needsReAnchor(report: AnchorReport): AnchorFinding[] {
  return [report.sealingKey, ...report.secrets].filter((finding) => finding.status === "mismatch" || finding.status === "unanchored")
}

/**
 * Write the anchors of what the files say (after a person checked them), and log it: in
 * each secret's rotation log, and in the public key file's log for the sealing key.
 * Callers hold the environment lock and refuse findings that are `writtenElsewhere`.
 */
export async function reAnchor(context: SealingContext, findings: readonly AnchorFinding[], command: string, at: Date): Promise<void> {
  const provider: SecretProvider = context.provider
  for (const finding of findings) {
    if (finding.expected === undefined) continue
    const entry = { at: at.toISOString(), action: "re-anchor", command }
    if (finding.physicalName === context.sealingKeyName) {
      const file = (await readPublicKey(context.projectRoot, context.environment))!
      await provider.annotate(finding.physicalName, finding.expected)
      await writePublicKey(context, { ...file, log: [...(file.log ?? []), { ...entry, version: file.fingerprint }] })
      continue
    }
    const raw = (await readSecretState(context.projectRoot, context.environment, finding.physicalName))!
    const state = settleState(raw, await provider.find(finding.physicalName))
    const metadata = await provider.annotate(finding.physicalName, finding.expected)
    await writeSecretState(context.projectRoot, context.environment, {
      ...state,
      provider: { kind: state.provider.kind, secretId: metadata.id, modified: metadata.modified },
      log: [...state.log, { ...entry, version: state.current ?? "" }],
    })
  }
}
