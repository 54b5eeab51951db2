/** `layer logout`: remove the stored Cloudflare credentials (keychain item and file). */
import { removeCredentials } from "../credentials/storage.js"
import type { CommandResult } from "../output/index.js"
import { layeronHome } from "../paths.js"
import type { CommandContext } from "./types.js"

export async function run(context: CommandContext): Promise<CommandResult> {
  const { removed } = await removeCredentials({ home: layeronHome({ env: context.env }), env: context.env, warn: (message) => context.output.warn(message) })
  const envTokenStillSet = Boolean(context.env.CLOUDFLARE_API_TOKEN)
  if (envTokenStillSet) context.output.warn("CLOUDFLARE_API_TOKEN is still set in this shell, so commands keep using it; unset it as well")
  return {
    json: { loggedOut: true, removed, envTokenStillSet },
    human: removed.length
      ? [{ type: "line", text: "Logged out. Removed:", tone: "success" }, ...removed.map((what) => ({ type: "line" as const, text: `  ${what}` }))]
      : [{ type: "line", text: "No stored Cloudflare credentials; nothing to remove." }],
  }
}
