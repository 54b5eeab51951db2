/**
 * `layer doctor [--env] [--json]`: where an environment stands against Cloudflare's limits and
 * the project's rules. The checks live in doctor/; this file calls and renders. Exit 1 when a
 * check needs action.
 */
import { doctor } from "../doctor/index.js"
import type { DoctorCheck, DoctorDocument } from "../doctor/index.js"
import type { CommandResult, HumanBlock, Tone } from "../output/index.js"
import type { CommandContext } from "./types.js"

const TONE: Record<DoctorCheck["status"], Tone> = { ok: "success", warning: "warning", action: "warning", not_checked: "muted" }
const LABEL: Record<DoctorCheck["id"], string> = {
  credentials: "credentials",
  quota: "secrets quota",
  envelope_sizes: "envelope sizes",
  orphaned_secrets: "orphaned secrets",
  bindings: "bindings",
  anchors: "anchors",
}

export async function run(context: CommandContext): Promise<CommandResult<DoctorDocument>> {
  const document = await doctor({
    cwd: context.global.cwd,
    environment: context.global.env,
    env: context.env,
    debug: (message) => context.output.debug(message),
    warn: (message) => context.output.warn(message),
  })
  return { json: document, human: render(document), exitCode: document.needsAction ? 1 : 0 }
}

function render(document: DoctorDocument): HumanBlock[] {
  const blocks: HumanBlock[] = [{ type: "line", text: `doctor: ${document.environment} (${document.provider})`, tone: "strong" }]
  for (const check of document.checks) {
    blocks.push({ type: "line", text: `${check.status.padEnd(11)} ${LABEL[check.id]}: ${check.summary}`, tone: TONE[check.status] })
    for (const item of check.items ?? []) if (item.status !== "ok" || check.id !== "envelope_sizes") blocks.push({ type: "line", text: `            ${item.subject}: ${item.detail}`, tone: TONE[item.status] })
    if (check.hint) blocks.push({ type: "line", text: `            hint: ${check.hint}`, tone: "muted" })
  }
  const action = document.checks.filter((check) => check.status === "action").length
  blocks.push({ type: "blank" }, { type: "line", text: action ? `${action} check${action === 1 ? " needs" : "s need"} action (above)` : "nothing needs action", tone: action ? "warning" : "success" })
  return blocks
}
