/**
 * What a write means for the running Workers, said after `secret set` and `secret import`:
 * - Cloudflare, declared, bound by the last deploy (the Secret Product Worker's bindings are
 *   in `.layeron/deploy/<env>/state.json` with a value): `live`. Secrets Store bindings are
 *   read on every request and the product Worker keeps no time-based cache, so the next
 *   read sees the new value.
 * - Cloudflare, declared, not bound yet (never deployed, or it had no value when deployed:
 *   Cloudflare refuses a binding to a missing secret): `after_deploy`, with the command.
 * - Local, declared: `live` for a running `layer dev` (it binds every declared secret and
 *   reloads the store on writes); `layer dev` otherwise.
 * - Undeclared: `not_bound`: no Layeron Worker reads it; a declaration with `secretName`
 *   adopts it.
 */
import { readDeployState } from "../deploy/artifacts.js"
import type { HumanBlock } from "../output/index.js"
import type { SecretTarget } from "./catalog.js"
import type { SecretSession } from "./session.js"

export type NextStatus = "live" | "after_deploy" | "not_bound"

export interface NextStep {
  status: NextStatus
  /** The command that makes the value visible, when one is needed. */
  command: string | null
}

const BOUND_STATUSES = new Set(["ready", "created"])

export interface NextSteps {
  of(target: SecretTarget): NextStep
  /** Lines for the human output, for the targets written. */
  describe(targets: readonly SecretTarget[]): HumanBlock[]
}

export async function nextSteps(session: SecretSession, warn: (message: string) => void): Promise<NextSteps> {
  const environment = session.environment
  const local = session.project.environment.config.provider === "local"
  const state = local ? undefined : await readDeployState(session.project.root, environment, warn)
  const productDeployed = Object.values(state?.workers ?? {}).some((worker) => worker.role === "product")
  const bound = new Set(productDeployed ? (state?.secrets ?? []).filter((s) => BOUND_STATUSES.has(s.status)).map((s) => s.physicalName) : [])
  const deploy = `layer deploy --env ${environment}`
  const dev = `layer dev --env ${environment}`

  const of = (target: SecretTarget): NextStep => {
    if (target.kind !== "declared") return { status: "not_bound", command: null }
    if (local) return { status: "live", command: dev }
    return bound.has(target.physicalName) ? { status: "live", command: null } : { status: "after_deploy", command: deploy }
  }

  return {
    of,
    describe(targets) {
      const name = (target: SecretTarget) => (target.kind === "declared" ? target.secret.declaration.id : target.physicalName)
      const group = (status: NextStatus) => targets.filter((target) => of(target).status === status).map(name)
      const lines: HumanBlock[] = []
      const live = group("live")
      const later = group("after_deploy")
      const unbound = group("not_bound")
      if (live.length) {
        lines.push({
          type: "line",
          tone: "muted",
          text: local
            ? `next: a running \`${dev}\` loads ${list(live)} now, without a restart; otherwise \`${dev}\` starts the Workers with ${live.length === 1 ? "it" : "them"}`
            : `next: nothing to do: ${list(live)} ${live.length === 1 ? "is" : "are"} bound to the running Workers, which read the new value on their next read`,
        })
      }
      if (later.length) {
        lines.push({ type: "line", tone: "warning", text: `next: ${list(later)} ${later.length === 1 ? "is" : "are"} not bound to the running Workers yet; \`${deploy}\` binds ${later.length === 1 ? "it" : "them"}` })
      }
      if (unbound.length) {
        lines.push({
          type: "line",
          tone: "muted",
          text: `note: no declaration reads ${list(unbound)}, so no Layeron Worker binds ${unbound.length === 1 ? "it" : "them"}; adopt one with secret.static({ name, secretName: "${unbound[0]}" }), or bind it in your own wrangler config`,
        })
      }
      return lines
    },
  }
}

function list(names: readonly string[]): string {
  if (names.length <= 4) return names.join(", ")
  return `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`
}
