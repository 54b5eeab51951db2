/**
 * What a rotation plan is made from, read once: the store's metadata (one listing), the
 * sealing key's standing, and each rotating declaration's state with any pending intent
 * settled in memory by that listing (docs/design.md#rotation). Nothing is written here, so a plan, `--at`
 * and a refused `--apply` leave every file as it was; `--apply` persists the settled states
 * once it knows it will go ahead.
 */
import type { SecretDeclaration } from "@layeron/modules/declare"
import { futureTimeWarning } from "../clock-skew.js"
import { LayerError } from "../errors.js"
import { stateAnchor, verifyAnchor } from "./anchor.js"
import { stateAnchorMismatch } from "./anchor-errors.js"
import { secretStatePath } from "./paths.js"
import type { SecretMetadata } from "../providers/provider.js"
import { settleState } from "./record.js"
import { checkSealingKey } from "./sealing-key.js"
import type { SealingContext, SealingKeyStatus } from "./sealing-key.js"
import { readSecretState } from "./state-file.js"
import type { RotationCandidate } from "./plan.js"
import type { SecretState } from "./types.js"

export interface RotatingSecret {
  declaration: SecretDeclaration
  physicalName: string
}

export interface RotationInputs {
  candidates: RotationCandidate[]
  /** States whose pending intent was settled in memory (completed or dropped): `--apply` writes them. */
  settled: SecretState[]
  /** Physical names whose pending intent had landed and was completed in memory (a killed run's write). */
  recovered: string[]
  sealingKey: SealingKeyStatus
  /** The sealing key's metadata from the same listing (null: not in the store), for ensureSealingKey. */
  sealingKeyStored: SecretMetadata | null
}

export interface InputOptions {
  /**
   * `--discard-history`: a state that fails its anchor check is not carried (the row starts a
   * fresh envelope) instead of stopping the command.
   */
  discardHistory?: boolean
  /** The command's clock, to notice states written with times from the future (default: the system clock). */
  now?: () => Date
}

export async function readRotationInputs(context: SealingContext, secrets: readonly RotatingSecret[], options: InputOptions = {}): Promise<RotationInputs> {
  const rotating = secrets.filter((secret) => secret.declaration.rotation?.everyDays !== undefined)
  const listing = new Map<string, SecretMetadata>((await context.provider.listAll()).map((metadata) => [metadata.name, metadata]))
  const sealingKeyStored = listing.get(context.sealingKeyName) ?? null
  const sealingKey = await checkSealingKey(context, sealingKeyStored)
  const candidates: RotationCandidate[] = []
  const settled: SecretState[] = []
  const recovered: string[] = []
  const refusals: LayerError[] = []
  // Every state file is read (and validated) before anything else happens: a damaged one
  // stops the command with its path, whichever secret it belongs to.
  for (const { declaration, physicalName } of rotating) {
    const metadata = listing.get(physicalName)
    const raw = await readSecretState(context.projectRoot, context.environment, physicalName)
    if (raw) warnFutureTimes(context, raw, (options.now ?? (() => new Date()))())
    const state = raw && settleState(raw, metadata)
    if (raw?.pending) settled.push(state!)
    if (raw?.pending && state && state.log.length > raw.log.length) recovered.push(physicalName)
    // Only a state the store still matches by `modified` would be carried; one written
    // elsewhere since is the plan's conflict (modified_elsewhere), which carries nothing.
    const carriable = state?.current !== undefined && metadata !== undefined && state.provider.modified === metadata.modified
    const verdict = carriable && state?.current && metadata ? verifyAnchor(stateAnchor(physicalName, { current: state.current, versions: state.versions }), metadata.comment) : undefined
    if (verdict?.status === "mismatch" && !options.discardHistory) {
      refusals.push(stateAnchorMismatch(secretStatePath(context.projectRoot, context.environment, physicalName), state!, verdict.stored, context.environment))
    }
    candidates.push({ declaration, physicalName, state, metadata, ...(verdict?.status === "mismatch" ? { untrusted: true as const } : {}) })
  }
  if (refusals.length === 1) throw refusals[0]
  if (refusals.length > 1) {
    throw new LayerError("state_anchor_mismatch", `${refusals.length} rotation states do not match what the store anchored; nothing was written: ${refusals.map((error) => error.message).join(" | ")}`, {
      hint: refusals[0]!.hint ?? "",
      details: { secrets: refusals.map((error) => error.details) },
    })
  }
  return { candidates, settled, recovered, sealingKey, sealingKeyStored }
}

/**
 * A state whose times lie ahead of this clock (written where the clock ran ahead) makes
 * rotation count from the future and wait: said out loud, with the file and the skew.
 */
function warnFutureTimes(context: SealingContext, state: SecretState, now: Date): void {
  const file = secretStatePath(context.projectRoot, context.environment, state.physicalName)
  const times = [
    ...Object.values(state.versions).map((version) => version.createdAt),
    ...state.log.map((entry) => entry.at),
    state.pending?.startedAt,
    state.provider.modified,
  ]
  const current = state.current === undefined ? undefined : state.versions[state.current]?.createdAt
  const consequence =
    current !== undefined && Date.parse(current) > now.getTime()
      ? `${state.secret}'s rotation schedule counts from its current version's createdAt (${current}), so rotation waits that much longer than its policy says`
      : `${state.secret}'s rotation times from that file are later than now`
  const warning = futureTimeWarning(`rotation state ${file}`, times, now, consequence)
  if (warning) (context.notify ?? ((message: string) => void process.stderr.write(`warning: ${message}\n`)))(warning)
}
