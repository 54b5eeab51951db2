/** `layer logout`: registered in cli.ts; its implementation replaces this stub. */
import type { CommandContext } from "./types.js"
import type { CommandResult } from "../output/index.js"
import { notImplemented } from "./not-implemented.js"

export async function run(_context: CommandContext): Promise<CommandResult> {
  notImplemented("logout")
}
