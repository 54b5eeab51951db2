/**
 * `layer secret reset-local --env dev`: start a local environment afresh. This is the way out
 * when the key that encrypts the local store is gone (a new laptop, a wiped LAYERON_HOME):
 * the values cannot be opened again, and a new key must not be mixed with them. It deletes
 * the environment's local store, `.layeron/local/<env>/`: every local value, the sealing key
 * and the rotation history kept there. Nothing committed and no shared (Cloudflare)
 * environment is touched; `layer deploy --env <env>` then creates fresh random secrets.
 */
import { readdir } from "../fs/io.js"
import { relative } from "node:path"
import { LayerError } from "../errors.js"
import { assertSafePath, removeTree } from "../fs/safe-path.js"
import type { CommandResult } from "../output/index.js"
import { localRotationStateDir, localStoreDir } from "../paths.js"
import { withEnvironmentLock } from "../rotation/lock.js"
import { openSecretSession } from "../secrets/session.js"
import { booleanFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface ResetLocalDocument {
  environment: string
  /** The directory deleted, relative to the project root. */
  directory: string
  /** What was lost: secrets in the store (the sealing key among them) and rotation state files. */
  removed: { secrets: number; stateFiles: number }
}

export async function run(context: CommandContext): Promise<CommandResult<ResetLocalDocument>> {
  const yes = booleanFlag(context.flags, "yes")
  const session = await openSecretSession(context)
  const { environment, project } = session
  if (project.environment.config.provider !== "local") {
    const locals = Object.entries(project.config.environments).filter(([, config]) => config.provider === "local").map(([name]) => name)
    throw new LayerError("not_a_local_environment", `\`layer secret reset-local\` resets a local environment, and "${environment}" is shared (Cloudflare): nothing was deleted`, {
      hint: locals.length ? `name a local one: --env ${locals[0]} (local environments: ${locals.join(", ")})` : "this project has no local environment",
    })
  }
  if (!yes && !context.terminal.interactive) {
    throw new LayerError("confirmation_required", `resetting the local environment "${environment}" needs confirmation, and stdin is not a terminal; nothing was deleted`, {
      hint: `pass --yes: \`layer secret reset-local --env ${environment} --yes\``,
    })
  }
  const store = localStoreDir(project.root, environment)
  const directory = relative(project.root, store)
  return withEnvironmentLock(project.root, environment, `layer secret reset-local --env ${environment}`, async () => {
    const removed = {
      secrets: (await entries(store)).filter((name) => name.endsWith(".json") && !name.startsWith(".")).length,
      stateFiles: (await entries(localRotationStateDir(project.root, environment))).filter((name) => name.endsWith(".json") && name !== "public-key.json").length,
    }
    const question =
      `Delete ${directory}/ (${removed.secrets} local ${removed.secrets === 1 ? "secret" : "secrets"}, the sealing key among them, and the rotation history of ${removed.stateFiles})? ` +
      "Static values must be set again; random ones are created anew by `layer deploy`."
    if (!yes && !(await context.terminal.confirm(question))) {
      throw new LayerError("not_confirmed", "nothing was deleted: the reset was not confirmed", { hint: "answer y to reset, or pass --yes" })
    }
    await removeTree(store)
    return {
      json: { environment, directory, removed },
      human: [
        { type: "line", text: `reset the local environment "${environment}": deleted ${directory}/ (${removed.secrets} secrets, ${removed.stateFiles} rotation state files)`, tone: "success" },
        { type: "line", text: `next: \`layer deploy --env ${environment}\` creates the random secrets; \`layer secret set\` writes the static ones`, tone: "muted" },
      ],
    }
  })
}

async function entries(dir: string): Promise<string[]> {
  await assertSafePath(dir)
  try {
    return await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
    throw error
  }
}
