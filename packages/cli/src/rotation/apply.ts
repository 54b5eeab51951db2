/**
 * Apply the due rows of a rotation plan: a fresh random value of the declared size becomes
 * current, retained versions ride along as the sealed copies from the state (nothing is
 * read back from the store), and every write goes through the write-ahead record.
 *
 * Secrets are independent, so a failure stops only its own row and a rerun completes the
 * rest. Just before each write the secret's metadata is read again: if its `modified` moved
 * since the plan, someone wrote it meanwhile and the row is refused as a conflict instead
 * of overwriting what it cannot see.
 */
import { serializeEnvelope } from "@layeron/modules/envelope"
import type { Envelope } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { Limits } from "@layeron/modules/limits"
import { isLayerError, LayerError, systemErrorToLayerError } from "../errors.js"
import { groupThousands } from "../output/numbers.js"
import { SecretText } from "../providers/provider.js"
import { envelopeAfterWrite, freshValues, freshValuesNeeded } from "../secrets/generated-value.js"
import { writeRecorded } from "./record.js"
import type { SealingContext } from "./sealing-key.js"
import type { DueRow } from "./plan.js"

export type { DueRow } from "./plan.js"

export interface ApplyInput {
  row: DueRow
  declaration: SecretDeclaration
}

export type ApplyOutcome =
  | { row: DueRow; status: "rotated"; version: string; createdAt: string; modified: string }
  | { row: DueRow; status: "conflict"; code: "modified_elsewhere"; message: string; hint: string }
  | { row: DueRow; status: "failed"; code: string; message: string; hint?: string }

export interface ApplyOptions {
  context: SealingContext
  /** The command line, without values, for the rotation log. */
  command: string
  /** Rotations in flight at once (default 4); each is two to three provider requests. */
  concurrency?: number
  now: () => Date
  onProgress?: (done: number, total: number, outcome: ApplyOutcome) => void
  /** Fingerprints a fresh value (recorded in the state for `secret versions`); none recorded without it. */
  fingerprint?: (value: SecretText) => Promise<string>
}

export const DEFAULT_CONCURRENCY = 4

export async function applyRotation(inputs: readonly ApplyInput[], options: ApplyOptions): Promise<ApplyOutcome[]> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY)
  const outcomes: ApplyOutcome[] = new Array(inputs.length)
  // Completion records are written while the worker moves on to its next secret (each
  // intent is already durable); all of them land before this returns, under the lock.
  const completions: Array<Promise<void>> = []
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++
      const outcome = await rotateOne(inputs[index]!, options, (completion) => {
        completions.push(
          completion.catch((error: unknown) => {
            const row = inputs[index]!.row
            outcomes[index] = {
              row,
              status: "failed",
              code: "state_write_failed",
              message: `${row.physicalName} was rotated, but its rotation state could not be written (${systemErrorToLayerError(error)?.message ?? (error as NodeJS.ErrnoException).code ?? (error as Error).name})`,
              hint: "run the command again: it completes the record from the pending intent",
            }
          }),
        )
      })
      outcomes[index] = outcome
      options.onProgress?.(++done, inputs.length, outcome)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker))
  await Promise.all(completions)
  return outcomes
}

async function fingerprintsOf(envelope: Envelope, fingerprint: (value: SecretText) => Promise<string>): Promise<Record<string, string>> {
  const entries: Array<[string, string]> = []
  for (const [id, version] of Object.entries(envelope.versions)) {
    if (version.value !== undefined) entries.push([id, await fingerprint(new SecretText(version.value))])
  }
  return Object.fromEntries(entries)
}

async function rotateOne({ row, declaration }: ApplyInput, options: ApplyOptions, onCompletion: (completion: Promise<void>) => void): Promise<ApplyOutcome> {
  const { provider } = options.context
  try {
    if (row.size.status === "too_large") {
      return {
        row,
        status: "failed",
        code: "value_too_large",
        message: `the rotated envelope would be ${groupThousands(row.size.bytes)} bytes, over Cloudflare's ${groupThousands(Limits.maxValueBytes)}-byte limit`,
        hint: "keep fewer versions: a shorter retain_for, or retain_for instead of retain_forever",
      }
    }
    const fresh = await provider.find(row.physicalName)
    if (fresh?.modified !== row.modified) {
      return {
        row,
        status: "conflict",
        code: "modified_elsewhere",
        message: fresh ? `${row.physicalName} was written by someone else since the plan (modified ${fresh.modified})` : `${row.physicalName} was deleted by someone else since the plan`,
        hint: "run the command again: the new plan shows the conflict and what to do about it",
      }
    }
    const at = options.now()
    const values = await freshValues(declaration, freshValuesNeeded(declaration, row.before))
    const stored = envelopeAfterWrite(declaration, row.before, row.newVersion, at, values)
    const fingerprints = options.fingerprint ? await fingerprintsOf(stored, options.fingerprint) : undefined
    const { metadata, completion } = await writeRecorded({
      context: options.context,
      declaration,
      physicalName: row.physicalName,
      stored,
      text: new SecretText(serializeEnvelope(stored)),
      action: "rotate",
      command: options.command,
      at,
      before: fresh ?? null,
      deferCompletion: true,
      ...(fingerprints ? { fingerprints } : {}),
    })
    onCompletion(completion)
    return { row, status: "rotated", version: stored.current, createdAt: at.toISOString(), modified: metadata.modified }
  } catch (error) {
    // A full disk, a read-only file system, too many open files: the cause and the path, not "unexpectedly".
    const typed = isLayerError(error) ? error : systemErrorToLayerError(error, `rotating ${row.physicalName}`)
    if (typed) return { row, status: "failed", code: typed.code, message: typed.message, ...(typed.hint ? { hint: typed.hint } : {}) }
    // Not ours (a bug, or an envelope rule): name its type, never echo text that could quote a value.
    const type = error instanceof Error ? error.name : typeof error
    const failure = new LayerError("rotation_failed", `rotating ${row.physicalName} failed unexpectedly (${type}${error instanceof Error && /^(Transition|Envelope)Error$/.test(error.name) ? `: ${error.message}` : ""})`)
    return { row, status: "failed", code: failure.code, message: failure.message, hint: "run with --debug and report it; a rerun completes or retries this secret safely" }
  }
}
