/**
 * `layer deploy` as a function: load the project, observe (reads only), plan the graph, and,
 * unless it is a dry run, apply it. commands/deploy.ts parses flags and renders the result.
 *
 * Exit codes, decided here: 0 when every node ends ready, created or external_value_required
 * (a missing operator value is reported with its command, and the rest deploys); 1 when a
 * node is in conflict or failed (the document still lists every node). A dry run exits the
 * same way, so CI can gate on `layer deploy --dry-run`.
 */
import { relative } from "node:path"
import { loadProject } from "../config/index.js"
import { LayerError } from "../errors.js"
import { layeronHome } from "../paths.js"
import { checkCheckoutState } from "../rotation/checkout.js"
import { currentPacks, isPacked, packingContext, packPlacements, providerForLayout } from "../packing/index.js"
import { buildCatalog } from "../secrets/catalog.js"
import { applyDeploy } from "./apply.js"
import { deployDir } from "./artifacts.js"
import { productOnlyWorkers, projectWorkers } from "./backends.js"
import { buildDeployGraph } from "./graph.js"
import { observe } from "./observe.js"
import { openDeployTarget } from "./target.js"
import type { DeployDocument, DeployNode } from "./types.js"

export type { DeployDocument, DeployNode, NodeKind, NodeStatus } from "./types.js"
export { buildDeployGraph, blockingNodes } from "./graph.js"
export type { DeployGraph, GraphInput } from "./graph.js"
export { buildUploadForm } from "./upload.js"
export { projectWorkers } from "./backends.js"

export interface DeployRequest {
  /** Where the project search starts (--cwd). */
  cwd: string
  /** --env, if given. */
  environment: string | undefined
  env: NodeJS.ProcessEnv
  dryRun: boolean
  /**
   * Deploy the secrets and the Secret Product Worker only, no app Worker: for backends that
   * another tool (wrangler) deploys with a LAYERON_SECRET service binding of their own.
   */
  productOnly?: boolean
  /** Asked before writing to a Cloudflare environment; undefined: do not ask (--yes, or no terminal). */
  confirm?: (question: string) => Promise<boolean>
  /**
   * Called once the environment is known to be on Cloudflare, before anything is read there:
   * throws when no one can confirm (framework/confirm.ts). A local environment never needs it.
   */
  requireConfirmation?: () => void
  now: () => Date
  debug: (message: string) => void
  warn: (message: string) => void
  /** Progress lines (stderr). */
  note: (message: string) => void
}

export interface DeployReport {
  document: DeployDocument
  exitCode: 0 | 1
  /** Apply refused to write because the plan held conflicts or errors. */
  blocked: boolean
  /** The config's backend ids, in config order (each has its own service binding). */
  backends: string[]
}

export async function deploy(request: DeployRequest): Promise<DeployReport> {
  const project = await loadProject({ cwd: request.cwd, environment: request.environment, env: request.env, debug: request.debug, warn: request.warn })
  const environment = project.environment.name
  if (project.environment.config.provider === "cloudflare") request.requireConfirmation?.()
  const catalog = await buildCatalog(project)
  const workers = request.productOnly ? productOnlyWorkers(project) : projectWorkers(project)
  const home = layeronHome({ env: request.env })
  const owner = { workspace: project.config.workspace, project: project.config.name }
  const opened = await openDeployTarget(project.environment.config, { projectRoot: project.root, environment, home, owner, env: request.env, debug: request.debug, warn: request.warn })
  // A packed environment's secrets are members of packs (docs/design.md#packing): deploy sees them through the packed provider.
  const layout = { projectRoot: project.root, environment, owner, catalog }
  const target = { ...opened, provider: await providerForLayout(project.environment.config, opened.provider, layout) }
  const packs = isPacked(project.environment.config) ? packPlacements(await currentPacks(packingContext(layout), opened.provider)) : undefined
  // Before observe reads the state: a merge conflict or a copy from elsewhere is named as such.
  await checkCheckoutState({
    projectRoot: project.root,
    environment,
    sealingKeyName: catalog.sealingKeyName,
    // Only asked when the state has no public key; a dry run must not create the store to ask.
    sealingKeyStored: async () => (await target.findStore()) !== undefined && (await target.provider.find(catalog.sealingKeyName)) !== undefined,
  })
  const input = await observe({ project, catalog, target, ...workers, warn: request.warn, ...(packs ? { packs } : {}) })
  const graph = buildDeployGraph(input)
  const artifacts = relative(request.cwd, deployDir(project.root, environment)) || "."
  const document = (nodes: DeployNode[], dryRun: boolean): DeployDocument => ({ environment, provider: target.kind, dryRun, nodes, artifacts })
  const planned = graph.nodes.map(({ node }) => node)

  const backends = project.backends.map((backend) => backend.id)
  if (request.dryRun) return { document: document(planned, true), exitCode: exitCodeOf(planned), blocked: false, backends }

  const changes = graph.nodes.filter(({ step }) => step !== undefined).length
  if (changes > 0 && target.kind === "cloudflare" && request.confirm) {
    const where = `"${environment}" (Cloudflare account ${target.accountId})`
    if (!(await request.confirm(`Apply ${changes} change${changes === 1 ? "" : "s"} to ${where}?`))) {
      throw new LayerError("not_confirmed", "nothing was deployed: the deploy was not confirmed", { hint: "answer y to deploy, or pass --yes" })
    }
  }
  const outcome = await applyDeploy(graph, input, {
    projectRoot: project.root,
    target,
    sealingKeyName: catalog.sealingKeyName,
    command: `layer deploy --env ${environment}`,
    now: request.now,
    progress: request.note,
  })
  return { document: document(outcome.nodes, false), exitCode: exitCodeOf(outcome.nodes), blocked: outcome.blocked, backends }
}

function exitCodeOf(nodes: readonly DeployNode[]): 0 | 1 {
  return nodes.some((node) => node.status === "error" || node.status === "conflict") ? 1 : 0
}
