/**
 * `layer deploy`: plan the environment's deploy graph and apply it (or, with --dry-run, show
 * it and write nothing). The logic lives in deploy/; this file parses, calls and renders.
 */
import { serviceBinding as serviceBindingOf } from "@layeron/modules/binding-plan"
import { deploy } from "../deploy/index.js"
import type { DeployDocument, DeployNode, NodeKind } from "../deploy/index.js"
import type { CommandResult, HumanBlock, Tone } from "../output/index.js"
import { requireConfirmationSource } from "../framework/confirm.js"
import { booleanFlag } from "./types.js"
import type { CommandContext } from "./types.js"

/**
 * The binding a Worker deployed by another tool adds to reach the Secret Product Worker;
 * `props.backend` names its backend, which is served only the secrets it registers.
 */
export interface ServiceBinding {
  binding: string
  service: string
  entrypoint: string
  props: { backend: string }
}

/** `serviceBindings`: one per backend id; `serviceBinding`: the same, when the config has exactly one backend. */
export type DeployCommandDocument = DeployDocument & { serviceBinding?: ServiceBinding; serviceBindings?: Record<string, ServiceBinding> }

export async function run(context: CommandContext): Promise<CommandResult<DeployCommandDocument>> {
  const dryRun = booleanFlag(context.flags, "dry-run")
  const productOnly = booleanFlag(context.flags, "product-only")
  const ask = !dryRun && !booleanFlag(context.flags, "yes") && context.terminal.interactive
  const report = await deploy({
    cwd: context.global.cwd,
    environment: context.global.env,
    env: context.env,
    dryRun,
    productOnly,
    ...(ask ? { confirm: (question: string) => context.terminal.confirm(question) } : {}),
    // Only a Cloudflare deploy needs a confirmation; a local one writes nothing shared (framework/confirm.ts).
    ...(dryRun ? {} : { requireConfirmation: () => requireConfirmationSource(context, "deploying to Cloudflare", "or --dry-run to see the plan and write nothing") }),
    now: context.now,
    debug: (message) => context.output.debug(message),
    warn: (message) => context.output.warn(message),
    note: (message) => context.output.progress(message),
  })
  context.output.progress(undefined)
  const product = productOnly ? report.document.nodes.find((node) => node.kind === "product_worker")?.physicalName : undefined
  if (!product) return { json: report.document, human: render(report.document, report.blocked), exitCode: report.exitCode }
  const serviceBindings = Object.fromEntries(report.backends.map((backend) => [backend, serviceBindingOf(product, backend)]))
  const only = report.backends.length === 1 ? serviceBindings[report.backends[0]!] : undefined
  const json = { ...report.document, ...(only ? { serviceBinding: only } : {}), serviceBindings }
  const human = [...render(report.document, report.blocked), ...Object.values(serviceBindings).flatMap((binding) => renderBinding(binding, report.document.environment))]
  return { json, human, exitCode: report.exitCode }
}

/** What to paste into the wrangler config of a Worker that wrangler deploys itself. */
function renderBinding(binding: ServiceBinding, environment: string): HumanBlock[] {
  const snippet = JSON.stringify({ services: [binding] }, null, 2).split("\n").slice(1, -1)
  return [
    { type: "blank" },
    {
      type: "line",
      text: `backend "${binding.props.backend}" reads its secrets through this service binding (its props name the backend: it is served only what it registers); add it to its wrangler.jsonc (for environment ${environment}):`,
      tone: "strong",
    },
    ...snippet.map((text): HumanBlock => ({ type: "line", text })),
    { type: "line", text: `then \`wrangler deploy\`; in the Worker, import its declarations from @layeron/modules and read them (await key.current().text()). docs/guide.md: "Your own Worker".`, tone: "muted" },
  ]
}

const KIND_LABEL: Record<NodeKind, string> = {
  store: "store",
  sealing_key: "sealing key",
  secret: "secret",
  product_worker: "product Worker",
  app_worker: "app Worker",
}

const STATUS_TONE: Record<DeployNode["status"], Tone> = {
  ready: "plain",
  create: "strong",
  created: "success",
  external_value_required: "warning",
  conflict: "warning",
  error: "warning",
}

function render(document: DeployDocument, blocked: boolean): HumanBlock[] {
  const { environment, provider, dryRun, nodes } = document
  const blocks: HumanBlock[] = [
    { type: "line", text: `${dryRun ? "deploy plan for" : "deploy of"} ${environment} (${provider})`, tone: "strong" },
    table(nodes),
  ]
  const external = nodes.filter((node) => node.status === "external_value_required")
  if (external.length) {
    blocks.push({ type: "blank" }, { type: "line", text: `${external.length} secret${external.length === 1 ? " needs a value" : "s need values"}; write ${external.length === 1 ? "it" : "them"} with:`, tone: "warning" })
    for (const node of external) blocks.push({ type: "line", text: `  ${node.command}` })
  }
  const problems = nodes.filter((node) => node.status === "error" || node.status === "conflict")
  if (problems.length) blocks.push({ type: "blank" })
  for (const node of problems) {
    blocks.push({ type: "line", text: `${node.status}: ${node.id}${node.physicalName && node.physicalName !== node.id ? ` (${node.physicalName})` : ""}: ${node.detail ?? ""}`, tone: STATUS_TONE[node.status] })
    if (node.hint) blocks.push({ type: "line", text: `  hint: ${node.hint}`, tone: "muted" })
  }
  const notices = nodes.filter((node) => node.hint && node.status !== "error" && node.status !== "conflict")
  for (const node of notices) blocks.push({ type: "blank" }, { type: "line", text: `note: ${node.id}: ${node.hint}`, tone: "muted" })
  blocks.push({ type: "blank" }, { type: "line", text: summary(document, blocked), tone: problems.length ? "warning" : "success" })
  return blocks
}

/** The URL column appears once some Worker has a workers.dev address. */
function table(nodes: readonly DeployNode[]): HumanBlock {
  const urls = nodes.some((node) => node.url)
  return {
    type: "table",
    columns: ["kind", "id", "name", "status", ...(urls ? ["url"] : []), "detail"],
    rows: nodes.map((node) => [KIND_LABEL[node.kind], node.id, node.physicalName ?? "-", node.status, ...(urls ? [node.url ?? ""] : []), node.detail ?? ""]),
  }
}

function summary(document: DeployDocument, blocked: boolean): string {
  const { environment, nodes, dryRun, provider, artifacts } = document
  const count = (status: DeployNode["status"]) => nodes.filter((node) => node.status === status).length
  const problems = count("error") + count("conflict")
  if (dryRun) {
    const changes = count("create")
    const verdict = problems ? `${problems} problem${problems === 1 ? "" : "s"} to resolve before deploying` : changes ? `\`layer deploy --env ${environment}\` applies ${changes} change${changes === 1 ? "" : "s"}` : "nothing to change"
    return `dry run: nothing was written; ${verdict}`
  }
  if (blocked) return "nothing was written: resolve the problems above, then deploy again"
  if (problems) return `deploy incomplete: ${problems} problem${problems === 1 ? "" : "s"} (above); what succeeded is kept, and \`layer deploy --env ${environment}\` again continues from there`
  const next = provider === "local" ? `; \`layer dev --env ${environment}\` runs the Workers locally` : ""
  return `deployed ${environment}: ${count("created")} created, ${count("ready")} unchanged; artifacts in ${artifacts}${next}`
}
