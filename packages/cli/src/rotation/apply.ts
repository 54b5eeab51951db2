/**
 * Apply the due rows of a rotation plan: a fresh random value becomes current, retained
 * versions ride along as the sealed copies from the state, and every write goes through the
 * write-ahead record. Secrets are independent, so a failure stops only its own row; a rerun
 * completes the rest.
 */
import { randomValue, serializeEnvelope, transition } from "@layeron/modules/envelope"
import type { Envelope } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { SecretText } from "../providers/provider.js"
import type { SecretMetadata } from "../providers/provider.js"
import { writeRecorded } from "./record.js"
import type { SealingContext } from "./sealing-key.js"
import type { PlanRow } from "./plan.js"

export type DueRow = PlanRow & { status: "due" }

export interface ApplyInput {
  row: DueRow
  declaration: SecretDeclaration
  metadata: SecretMetadata | undefined
}

export type ApplyOutcome =
  | { row: DueRow; status: "rotated"; version: string; modified: string }
  | { row: DueRow; status: "error"; code: string; message: string }

export interface ApplyOptions {
  context: SealingContext
  command: string
  /** Rotations in flight at once; each is one or two API requests. */
  concurrency?: number
  now?: () => Date
  onProgress?: (done: number, total: number, outcome: ApplyOutcome) => void
}

export async function applyRotation(inputs: ApplyInput[], options: ApplyOptions): Promise<ApplyOutcome[]> {
  const concurrency = Math.max(1, options.concurrency ?? 6)
  const outcomes: ApplyOutcome[] = new Array(inputs.length)
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++
      const outcome = await rotateOne(inputs[index]!, options)
      outcomes[index] = outcome
      options.onProgress?.(++done, inputs.length, outcome)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker))
  return outcomes
}

async function rotateOne(input: ApplyInput, options: ApplyOptions): Promise<ApplyOutcome> {
  const { row, declaration } = input
  const at = options.now?.() ?? new Date()
  try {
    const value = randomValue(declaration.bytes ?? 32)
    const retain = declaration.rotation!.retain
    const stored: Envelope = row.before
      ? transition(row.before, { newVersionId: row.newVersion, newEntry: { value }, at, retain })
      : { current: row.newVersion, versions: { [row.newVersion]: { value, createdAt: at.toISOString() } } }
    const { metadata } = await writeRecorded({
      context: options.context,
      declaration,
      physicalName: row.physicalName,
      stored,
      text: new SecretText(serializeEnvelope(stored)),
      action: "rotate",
      command: options.command,
      at,
      before: input.metadata ?? null,
    })
    return { row, status: "rotated", version: row.newVersion, modified: metadata.modified }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    return { row, status: "error", code: typeof code === "string" ? code : "rotation_failed", message: (error as Error).message }
  }
}
