/**
 * The one way a command writes a value it was given (`secret set`, `secret import`): a
 * declared secret goes through the rotation state's recorded, crash-safe path under the
 * environment lock (a sealed copy of each version, so rotation can carry it forward); an
 * undeclared Cloudflare secret name is a plain provider write.
 */
import { checkCheckoutState } from "../rotation/checkout.js"
// Direct imports, not the rotation barrel: `secret set` needs neither the planner nor apply (~10 modules).
import { withEnvironmentLock } from "../rotation/lock.js"
import { writeRecorded } from "../rotation/record.js"
import type { SecretProvider, SecretText, UpsertResult } from "../providers/provider.js"
import type { SecretTarget } from "./catalog.js"
import type { InspectedValue } from "./inspect.js"
import type { SecretSession } from "./session.js"

export interface ValueWrite {
  target: Exclude<SecretTarget, { kind: "sealing_key" }>
  inspected: InspectedValue
  /** The exact text sent to the provider. */
  value: SecretText
  /** The command line, without values, for the rotation log. */
  command: string
  at: Date
  /** Where one-time notices go (a state anchored for the first time). */
  notify?: (message: string) => void
}

export async function writeValue(session: SecretSession, provider: SecretProvider, write: ValueWrite): Promise<UpsertResult> {
  const { target } = write
  if (target.kind !== "declared") return provider.upsert(target.physicalName, write.value)
  const { project } = session
  // The same checkout check for every writer: a state with a merge conflict, from elsewhere, or half committed is refused before the lock.
  await checkCheckoutState({ projectRoot: project.root, environment: session.environment, sealingKeyName: session.catalog.sealingKeyName, sealingKeyStored: async () => (await provider.find(session.catalog.sealingKeyName)) !== undefined })
  const result = await withEnvironmentLock(project.root, session.environment, write.command, () =>
    writeRecorded({
      context: { projectRoot: project.root, environment: session.environment, provider, sealingKeyName: session.catalog.sealingKeyName, ...(write.notify ? { notify: write.notify } : {}) },
      declaration: target.secret.declaration,
      physicalName: target.physicalName,
      stored: write.inspected.envelope,
      text: write.value,
      action: "set",
      command: write.command,
      at: write.at,
    }),
  )
  return result.metadata
}
