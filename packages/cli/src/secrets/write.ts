/**
 * The one way a command writes a value it was given (`secret set`, `secret import`): a
 * declared secret goes through the rotation state's recorded, crash-safe path under the
 * environment lock (a sealed copy of each version, so rotation can carry it forward); an
 * undeclared Cloudflare secret name is a plain provider write (new ones of an import: one
 * bulk create, `createUndeclared`).
 *
 * Under the lock, what the store holds is read again and the write planned from it
 * (version-plan.ts): a plain value for a secret with a rotation policy becomes the next
 * version as a rotation would make it, and a write that would remove a readable version is
 * refused unless --replace-all. `previewWrite` makes the same plan without the lock, for
 * dry runs and for checking a whole import before its first write.
 */
import { serializeEnvelope } from "@layeron/modules/envelope"
import { checkCheckoutState } from "../rotation/checkout.js"
// Direct imports, not the rotation barrel: `secret set` needs neither the planner nor apply (~10 modules).
import { withEnvironmentLock } from "../rotation/lock.js"
import { settlePending, writeRecorded } from "../rotation/record.js"
import { readStoreBasis } from "../rotation/write-next.js"
import { SecretText } from "../providers/provider.js"
import type { SecretMetadata, SecretProvider, UpsertResult } from "../providers/provider.js"
import { describeTarget } from "./catalog.js"
import type { SecretTarget } from "./catalog.js"
import { digestValue } from "./fingerprint.js"
import type { InspectedValue } from "./inspect.js"
import type { SecretSession } from "./session.js"
import { checkPlannedSize, planVersions } from "./version-plan.js"
import type { StoreBasis, VersionPlan } from "./version-plan.js"

export interface ValueWrite {
  target: Exclude<SecretTarget, { kind: "sealing_key" }>
  inspected: InspectedValue
  /** The exact text to send when the value is stored as given. */
  value: SecretText
  /** The command line, without values, for the rotation log. */
  command: string
  at: Date
  /**
   * The clock, read again under the lock for the write's instant: a rotation that held the
   * lock meanwhile made a version at a later instant, and the new version must be newer.
   */
  now?: () => Date
  /** --replace-all: store exactly what was given, whatever versions that removes. */
  replaceAll: boolean
  /** Where one-time notices go (a state anchored for the first time). */
  notify?: (message: string) => void
}

export interface WrittenValue {
  /** `unchanged`: the current version already held the value; nothing was written. */
  action: UpsertResult["action"] | "unchanged"
  plan: VersionPlan
}

export async function writeValue(session: SecretSession, provider: SecretProvider, write: ValueWrite): Promise<WrittenValue> {
  const { target } = write
  if (target.kind !== "declared") {
    // No rotation state vouches for what an undeclared secret holds, so there is nothing to look up.
    const plan = await planFor(session, write, undefined, undefined)
    return { action: (await provider.upsert(target.physicalName, write.value)).action, plan }
  }
  const { project } = session
  // The same checkout check for every writer: a state with a merge conflict, from elsewhere, or half committed is refused before the lock.
  await checkCheckoutState({ projectRoot: project.root, environment: session.environment, sealingKeyName: session.catalog.sealingKeyName, sealingKeyStored: async () => (await provider.find(session.catalog.sealingKeyName)) !== undefined })
  return withEnvironmentLock(project.root, session.environment, write.command, async () => {
    // Read again under the lock: what the plan carries is what the store holds now.
    const before = await provider.find(target.physicalName)
    const digest = await givenDigest(session, write)
    const at = write.now?.() ?? write.at
    const plan = await planFor(session, { ...write, at }, before, digest)
    const context = { projectRoot: project.root, environment: session.environment, provider, sealingKeyName: session.catalog.sealingKeyName, ...(write.notify ? { notify: write.notify } : {}) }
    if (plan.mode === "unchanged") {
      // Nothing to write, but an intent a killed run left (whose write landed: that is why the
      // value is current) is completed now, as any writer would.
      await settlePending(context, target.physicalName, before ?? null)
      return { action: "unchanged" as const, plan }
    }
    const result = await writeRecorded({
      context,
      declaration: target.secret.declaration,
      physicalName: target.physicalName,
      stored: plan.envelope,
      text: plan.asGiven ? write.value : new SecretText(serializeEnvelope(plan.envelope)),
      action: "set",
      command: write.command,
      at,
      before: before ?? null,
      ...(digest !== undefined ? { digests: { [plan.changes.current]: digest } } : {}),
    })
    return { action: result.metadata.action, plan }
  })
}

/**
 * New undeclared secrets in as few requests as the provider allows (Cloudflare: one bulk
 * create; providers/cloudflare/batch.ts), each planned as `writeValue` plans it. Only for
 * names just listed as absent. Declared secrets never come here: each goes with its rotation
 * state through `writeValue`'s recorded path. A failure throws the provider's error, whose
 * `details.batch` says which names landed.
 */
export async function createUndeclared(session: SecretSession, provider: SecretProvider, writes: readonly ValueWrite[]): Promise<WrittenValue[]> {
  if (!provider.createMany) throw new RangeError(`createUndeclared: the ${provider.kind} provider has no bulk create`)
  const plans = await Promise.all(
    writes.map((write) => {
      if (write.target.kind !== "undeclared") throw new RangeError(`createUndeclared: ${describeTarget(write.target)} is declared; it is written with its rotation state`)
      return planFor(session, write, undefined, undefined)
    }),
  )
  // The provider checks that the answer names exactly the secrets sent (cloudflare/shapes.ts).
  const created = new Map((await provider.createMany(writes.map((write) => ({ name: write.target.physicalName, value: write.value })))).map((result) => [result.name, result]))
  return writes.map((write, index) => ({ action: created.get(write.target.physicalName)!.action, plan: plans[index]! }))
}

/**
 * The plan a write would make now, without the lock and without writing (a dry run, or an
 * import checking every entry first). `metadata`: the secret's metadata from a listing.
 */
export async function previewWrite(session: SecretSession, write: Omit<ValueWrite, "command" | "value" | "notify">, metadata: SecretMetadata | undefined): Promise<VersionPlan> {
  return planFor(session, write, metadata, await givenDigest(session, write))
}

/**
 * The keyed digest of a plain value written to a declared secret (the text stored, after any
 * base64url conversion), recorded with its version; an envelope's versions get none.
 */
async function givenDigest(session: SecretSession, write: Pick<ValueWrite, "target" | "inspected" | "replaceAll">): Promise<string | undefined> {
  if (write.target.kind !== "declared" || write.inspected.kind !== "plain") return undefined
  const { envelope } = write.inspected
  return digestValue(session.home, new SecretText(envelope.versions[envelope.current]!.value!))
}

async function planFor(session: SecretSession, write: Pick<ValueWrite, "target" | "inspected" | "at" | "replaceAll">, metadata: SecretMetadata | undefined, digest: string | undefined): Promise<VersionPlan> {
  const { target } = write
  // An undeclared secret has no rotation state: nothing vouches for what it holds.
  const basis: StoreBasis =
    target.kind === "declared"
      ? await readStoreBasis({ projectRoot: session.project.root, environment: session.environment }, target.physicalName, metadata, { checkAnchor: !write.replaceAll })
      : metadata
        ? { kind: "unknown", knownIds: [], modified: metadata.modified }
        : { kind: "absent", knownIds: [] }
  const label = describeTarget(target)
  const plan = planVersions({ declaration: target.kind === "declared" ? target.secret.declaration : undefined, inspected: write.inspected, basis, now: write.at, replaceAll: write.replaceAll, label, ...(digest !== undefined ? { digest } : {}) })
  checkPlannedSize(plan, label)
  return plan
}
