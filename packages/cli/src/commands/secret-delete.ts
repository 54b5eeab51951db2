/**
 * `layer secret delete NAME`: remove a secret from the environment's store, and its
 * rotation state. A declared secret (the app reads it) or Layeron's sealing key needs
 * --force; a terminal confirms unless --yes; without a terminal --yes is required.
 */
import { LayerError } from "../errors.js"
import type { CommandResult } from "../output/index.js"
import { removeSecretState } from "../rotation/state-file.js"
import { describeTarget, resolveTarget } from "../secrets/catalog.js"
import { openSecretSession } from "../secrets/session.js"
import { booleanFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface SecretDeleteDocument {
  environment: string
  name: string
  physicalName: string
  declared: string | null
  deleted: true
}

export async function run(context: CommandContext): Promise<CommandResult<SecretDeleteDocument>> {
  const name = context.positionals[0] ?? ""
  const yes = booleanFlag(context.flags, "yes")
  const force = booleanFlag(context.flags, "force")
  const session = await openSecretSession(context)
  const target = resolveTarget(name, session.catalog)
  const shown = describeTarget(target)
  const environment = session.environment

  if (target.kind !== "undeclared" && !force) {
    const why = target.kind === "declared" ? `${target.secret.declaration.id} is declared by backend "${target.secret.backend}": the app reads it` : "it is Layeron's sealing key: sealed versions can no longer be opened without it"
    throw new LayerError("declared_secret", `refusing to delete ${shown} from ${environment}: ${why}`, {
      hint: `remove the declaration first, or pass --force to delete it anyway`,
    })
  }
  if (!yes && !context.terminal.interactive) {
    throw new LayerError("confirmation_required", `deleting ${shown} from ${environment} needs confirmation, and stdin is not a terminal`, {
      hint: "pass --yes to confirm",
    })
  }

  const provider = await session.provider()
  const existing = await provider.find(target.physicalName)
  if (!existing) {
    throw new LayerError("secret_not_found", `no secret ${shown} in ${environment}`, {
      hint: `\`layer secret list --env ${environment}\` shows what the store holds`,
    })
  }
  if (!yes && !(await context.terminal.confirm(`Delete ${shown} from ${environment}?`))) {
    throw new LayerError("not_confirmed", "not deleted: the deletion was not confirmed", { hint: "answer y to delete, or pass --yes" })
  }
  if (!(await provider.delete(target.physicalName))) {
    throw new LayerError("secret_not_found", `no secret ${shown} in ${environment} (it was deleted meanwhile)`)
  }
  await removeSecretState(session.project.root, environment, target.physicalName)

  const declared = target.kind === "declared" ? target.secret.declaration.id : target.kind === "sealing_key" ? "layeron/sealing-key" : null
  return {
    json: { environment, name, physicalName: target.physicalName, declared, deleted: true },
    human: [{ type: "line", text: `deleted ${shown} from ${environment}`, tone: "success" }],
  }
}
