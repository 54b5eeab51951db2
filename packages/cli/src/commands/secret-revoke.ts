/**
 * `layer secret revoke NAME VERSION…`: remove versions of a declared secret now (a leaked
 * key's old version), from the store's envelope, the sealed copies in the rotation state and
 * the anchor, through the write-ahead record (rotation/revoke.ts). The current version is
 * never revoked: readers would be left without a value.
 *
 * Order matters for "nothing written on bad input": flags and the confirmation rule, the
 * project and NAME, the checkout check, then under the environment lock the inputs and the
 * plan (every refusal), the question, and only then the writes.
 */
import { LayerError } from "../errors.js"
import type { CommandResult } from "../output/index.js"
import { checkCheckoutState } from "../rotation/checkout.js"
import { lockWaitFromEnv, withEnvironmentLock } from "../rotation/lock.js"
import { applyRevoke, persistSettled, planRevoke, readRevokeInputs } from "../rotation/revoke.js"
import type { SealingContext } from "../rotation/sealing-key.js"
import { listVersions } from "../rotation/version-list.js"
import type { ListedVersion } from "../rotation/version-list.js"
import { changedBetween, snapshotFiles } from "../rotation/changed-files.js"
import { rotationDir } from "../rotation/paths.js"
import { openSecretSession } from "../secrets/session.js"
import { resolveDeclared } from "./secret-rotate-names.js"
import { booleanFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface SecretRevokeDocument {
  environment: string
  name: string
  physicalName: string
  /** Versions removed by this run. */
  revoked: string[]
  /** Versions asked for that an earlier revoke already removed (a rerun), with when. */
  alreadyRevoked: Array<{ id: string; at: string }>
  /** What the secret holds afterwards, newest first (as `layer secret versions`). */
  versions: ListedVersion[]
  /** State files this run changed (commit them for a shared environment). */
  changedFiles: string[]
}

export async function run(context: CommandContext): Promise<CommandResult<SecretRevokeDocument>> {
  const [name = "", ...requested] = context.positionals
  const yes = booleanFlag(context.flags, "yes")
  if (!yes && !context.terminal.interactive) {
    throw new LayerError("confirmation_required", "`secret revoke` needs confirmation, and stdin is not a terminal; nothing was written", {
      hint: "pass --yes to revoke without asking (`layer secret versions NAME` lists the versions first)",
    })
  }
  const session = await openSecretSession(context)
  const secret = resolveDeclared(name, session.catalog)
  const { declaration, physicalName } = secret
  const environment = session.environment
  const sealing: SealingContext = {
    projectRoot: session.project.root,
    environment,
    provider: await session.provider(),
    sealingKeyName: session.catalog.sealingKeyName,
    notify: (message) => context.output.warn(message),
  }
  await checkCheckoutState({ ...sealing, sealingKeyStored: async () => (await sealing.provider.find(sealing.sealingKeyName)) !== undefined })
  // What is recorded (the lock, the rotation log) names the declaration and only version ids
  // the state holds, never typed text: a version "id" may be a value pasted in the wrong place.
  const lockCommand = `layer secret revoke ${declaration.id} --env ${environment}`
  const lockWaitMs = lockWaitFromEnv(context.env)
  return withEnvironmentLock(
    sealing.projectRoot,
    environment,
    lockCommand,
    async () => {
      const stateDir = rotationDir(sealing.projectRoot, environment)
      const before = await snapshotFiles(stateDir)
      const inputs = await readRevokeInputs(sealing, secret)
      const plan = planRevoke(inputs, requested, environment)
      const at = context.now()
      let state = inputs.state
      if (plan.kind === "write") {
        if (!yes) {
          context.output.note(`${declaration.id} (${physicalName}) in ${environment}: revoking ${plan.revoke.join(", ")} removes ${plan.revoke.length === 1 ? "it" : "them"} from every reader at once (version(id) answers unknown_version, active() and the JWKS leave ${plan.revoke.length === 1 ? "it" : "them"} out)`)
          if (!(await context.terminal.confirm(`Revoke ${plan.revoke.join(", ")} of ${declaration.id} in ${environment}?`))) {
            throw new LayerError("not_confirmed", "nothing was revoked: it was not confirmed", { hint: "answer y to revoke, or pass --yes" })
          }
        }
        state = await applyRevoke(sealing, inputs, plan, `layer secret revoke ${declaration.id} ${plan.revoke.join(" ")} --env ${environment}`, at)
      } else {
        await persistSettled(sealing, inputs)
      }
      const versions = listVersions({ current: state.current!, versions: state.versions }, at, { keyPair: declaration.generate !== undefined })
      const changedFiles = changedBetween(before, await snapshotFiles(stateDir), sealing.projectRoot)
      const revoked = plan.kind === "write" ? plan.revoke : []
      const document: SecretRevokeDocument = { environment, name: declaration.id, physicalName, revoked, alreadyRevoked: plan.alreadyRevoked, versions, changedFiles }
      const lines = [
        ...(revoked.length ? [{ type: "line" as const, text: `revoked ${revoked.join(", ")} of ${declaration.id} (${physicalName}) in ${environment}`, tone: "success" as const }] : []),
        ...plan.alreadyRevoked.map((entry) => ({ type: "line" as const, text: `${entry.id} of ${declaration.id} was already revoked at ${entry.at}`, tone: "muted" as const })),
        { type: "line" as const, text: `  now: ${versions.map((version) => `${version.id} (${version.state})`).join(", ")}`, tone: "muted" as const },
        ...(changedFiles.length ? [{ type: "line" as const, text: `state changed: ${changedFiles.join(", ")} (commit ${changedFiles.length === 1 ? "it" : "them"} for a shared environment)`, tone: "muted" as const }] : []),
      ]
      return { json: document, human: lines }
    },
    lockWaitMs === undefined ? {} : { waitMs: lockWaitMs },
  )
}
