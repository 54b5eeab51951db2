/**
 * What a rotation plan is made from, read once: the store's metadata (one listing), the
 * sealing key's standing, and each rotating declaration's state with any pending intent
 * settled in memory by that listing (DESIGN §7). Nothing is written here, so a plan, `--at`
 * and a refused `--apply` leave every file as it was; `--apply` persists the settled states
 * once it knows it will go ahead.
 */
import type { SecretDeclaration } from "@layeron/modules/declare"
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
  sealingKey: SealingKeyStatus
}

export async function readRotationInputs(context: SealingContext, secrets: readonly RotatingSecret[]): Promise<RotationInputs> {
  const rotating = secrets.filter((secret) => secret.declaration.rotation?.everyDays !== undefined)
  const listing = new Map<string, SecretMetadata>((await context.provider.listAll()).map((metadata) => [metadata.name, metadata]))
  const sealingKey = await checkSealingKey(context, listing.get(context.sealingKeyName) ?? null)
  const candidates: RotationCandidate[] = []
  const settled: SecretState[] = []
  // Every state file is read (and validated) before anything else happens: a damaged one
  // stops the command with its path, whichever secret it belongs to.
  for (const { declaration, physicalName } of rotating) {
    const metadata = listing.get(physicalName)
    const raw = await readSecretState(context.projectRoot, context.environment, physicalName)
    const state = raw && settleState(raw, metadata)
    if (raw?.pending) settled.push(state!)
    candidates.push({ declaration, physicalName, state, metadata })
  }
  return { candidates, settled, sealingKey }
}
