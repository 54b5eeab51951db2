/** `layer secret unpack`: the way back out of packs (secret-pack.ts holds both directions). */
import type { CommandResult } from "../output/index.js"
import { migrate } from "./secret-pack.js"
import type { SecretPackDocument } from "./secret-pack.js"
import type { CommandContext } from "./types.js"

export function run(context: CommandContext): Promise<CommandResult<SecretPackDocument>> {
  return migrate(context, "unpack")
}
