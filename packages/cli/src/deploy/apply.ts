/**
 * Apply a deploy graph, under the environment lock, in the graph's order:
 * 1. the store (Cloudflare, only if the account has none);
 * 2. the sealing key pair, on first deploy (ensureSealingKey);
 * 3. each missing random secret, as `{current:"v1",versions:{v1:{value,createdAt}}}` through
 *    writeRecorded (action "deploy"), so its sealed copy is recorded like any other write;
 * 4. the artifacts of every Worker (bundle and wrangler.jsonc);
 * 5. Cloudflare only: the Secret Product Worker, then the app Workers bound to it.
 * 6. `.layeron/deploy/<env>/state.json`.
 * Before step 1, intents that a killed run left in the rotation state are settled (docs/design.md#rotation):
 * a random secret whose write landed is "ready" in the graph and would otherwise keep its
 * version recorded only as pending.
 *
 * Nothing present is rewritten: ready secrets are not touched and an unchanged Worker is not
 * uploaded again. A failing secret fails only its node; Workers are then not uploaded (they
 * would bind an incomplete set), and a rerun picks up where this run stopped.
 */
import { serializeEnvelope } from "@layeron/modules/envelope"
import type { Envelope } from "@layeron/modules/envelope"
import { isLayerError } from "../errors.js"
import { SecretText } from "../providers/provider.js"
import type { StoreRef } from "../providers/provider.js"
import { describeFreshValue, envelopeAfterWrite, freshValues, freshValuesNeeded } from "../secrets/generated-value.js"
import { ensureSealingKey, readSecretState, settlePending, withEnvironmentLock, writeRecorded } from "../rotation/index.js"
import type { SealingContext } from "../rotation/index.js"
import { rpcNote } from "./compat.js"
import { DEPLOY_STATE_FORMAT, writeDeployState, writeWorkerArtifacts } from "./artifacts.js"
import type { DeployState, DeployedWorker } from "./artifacts.js"
import { LOCAL_UNCHANGED, LOCAL_WRITTEN, bindingPlan, blockingNodes, withPacks } from "./graph.js"
import type { DeployGraph, GraphInput } from "./graph.js"
import type { DeployTarget } from "./target.js"
import type { DeployNode, RandomSecretStep } from "./types.js"
import { planWorkerScripts } from "./workers.js"
import type { WorkerScript } from "./workers.js"

/** Waits between upload attempts while secrets created moments ago are still `pending`. */
const PENDING_SECRET_WAITS_MS = [250, 500, 1000, 2000, 4000] as const

export interface ApplyContext {
  projectRoot: string
  target: DeployTarget
  sealingKeyName: string
  /** The command line, without values, for logs and the lock. */
  command: string
  now: () => Date
  /** One line per change, as it happens (stderr). */
  progress: (message: string) => void
}

export interface DeployOutcome {
  nodes: DeployNode[]
  /** True when apply wrote nothing because the plan held conflicts or errors. */
  blocked: boolean
  /** The deploy state written (absent when blocked). */
  statePath?: string
}

export async function applyDeploy(graph: DeployGraph, input: GraphInput, context: ApplyContext): Promise<DeployOutcome> {
  if (blockingNodes(graph).length) return { nodes: graph.nodes.map(({ node }) => node), blocked: true }
  return withEnvironmentLock(context.projectRoot, graph.environment, context.command, async () => {
    const run = new ApplyRun(graph, input, context)
    await run.settleIntents()
    await run.secrets()
    const scripts = run.scripts()
    for (const script of scripts) await writeWorkerArtifacts(context.projectRoot, graph.environment, script)
    await run.workers(scripts)
    const statePath = await writeDeployState(context.projectRoot, run.state(scripts))
    return { nodes: run.nodes, blocked: false, statePath }
  })
}

class ApplyRun {
  readonly nodes: DeployNode[]
  readonly #graph: DeployGraph
  readonly #input: GraphInput
  readonly #context: ApplyContext
  #store: StoreRef | undefined
  #createdSecrets = 0
  #uploadedAt = new Map<string, string>()

  constructor(graph: DeployGraph, input: GraphInput, context: ApplyContext) {
    this.nodes = graph.nodes.map(({ node }) => ({ ...node }))
    this.#graph = graph
    this.#input = input
    this.#context = context
    this.#store = input.store
  }

  /** Complete (write landed) or drop (it did not) every pending intent, by the provider's `modified`. */
  async settleIntents(): Promise<void> {
    for (const { physicalName } of this.#input.secrets) {
      const state = await readSecretState(this.#context.projectRoot, this.#graph.environment, physicalName)
      if (state?.pending) await settlePending(this.#sealing(), physicalName)
    }
  }

  /** Steps 1 to 3: store, sealing key, random secrets. */
  async secrets(): Promise<void> {
    const { provider } = this.#context.target
    for (const [index, planned] of this.#graph.nodes.entries()) {
      const node = this.nodes[index]!
      const step = planned.step
      if (step?.kind === "create_store") {
        this.#store = await provider.resolveStore()
        this.#done(node, { physicalName: this.#store.name, detail: `Secrets Store ${this.#store.id}` }, `created Secrets Store ${this.#store.name}`)
      } else if (step?.kind === "create_sealing_key") {
        await this.#attempt(node, async () => {
          await ensureSealingKey(this.#sealing())
          this.#done(node, { detail: "created; its public half is in the rotation state" }, `created the sealing key ${node.physicalName}`)
        })
      } else if (step?.kind === "create_random") {
        if (this.#failed("sealing_key")) {
          node.detail = "not created: the sealing key failed first"
          continue
        }
        await this.#attempt(node, () => this.#createRandom(node, step))
      }
    }
  }

  /** The Workers as they will be deployed, binding the secrets that now hold a value. */
  scripts(): WorkerScript[] {
    const { product, apps } = this.#input
    if (!product.ok) return []
    const bound = new Set(this.nodes.filter((node) => (node.kind === "secret" || node.kind === "sealing_key") && (node.status === "ready" || node.status === "created")).map((node) => node.physicalName!))
    if (this.#input.stored.has(this.#context.sealingKeyName)) bound.add(this.#context.sealingKeyName)
    withPacks(bound, this.#input.packs, this.#input.secrets)
    return planWorkerScripts({
      plan: bindingPlan({ ...this.#input, store: this.#store }),
      bound,
      productCode: product.code,
      apps: apps.flatMap(({ backend, bundle }) => (bundle.ok ? [{ backend, code: bundle.code }] : [])),
      ...(this.#context.target.accountId ? { accountId: this.#context.target.accountId } : {}),
    })
  }

  /** Step 5: upload (Cloudflare) or just account for (local) each Worker, product first. */
  async workers(scripts: readonly WorkerScript[]): Promise<void> {
    const { target } = this.#context
    const earlierFailure = this.nodes.some((node) => node.status === "error")
    const uploadContext = { environment: this.#graph.environment, secretIds: this.#secretIds() }
    let productFailed = false
    for (const script of scripts) {
      const node = this.nodes.find((candidate) => (candidate.kind === "product_worker" || candidate.kind === "app_worker") && candidate.physicalName === script.name)!
      const last = this.#input.deployed?.workers[script.name]
      if (target.kind === "local") {
        if (last?.digest === script.digest) this.#keep(node, LOCAL_UNCHANGED)
        else this.#done(node, { detail: LOCAL_WRITTEN }, `wrote the artifacts of ${script.name}`)
        continue
      }
      const route = this.#workersDevAction(script.name)
      if (last?.digest === script.digest && this.#input.liveScripts?.has(script.name)) {
        this.#keep(node, `unchanged since the upload of ${last.uploadedAt ?? "the last deploy"}`)
        if (route) await this.#attempt(node, () => this.#switchWorkersDev(node, script.name, route, node.detail!))
        continue
      }
      if (earlierFailure || productFailed) {
        node.status = "create"
        node.detail = earlierFailure ? "not uploaded: an earlier step failed (see above); deploy again once it is fixed" : "not uploaded: the Secret Product Worker it binds to failed"
        continue
      }
      await this.#attempt(node, async () => {
        const waits = this.#createdSecrets > 0 ? PENDING_SECRET_WAITS_MS : []
        await target.upload(script, { context: uploadContext, pendingWaitsMs: waits })
        this.#uploadedAt.set(script.name, this.#context.now().toISOString())
        const backend = this.#input.apps.find((app) => app.backend.workerName === script.name)?.backend
        const uploaded = [`uploaded (${plural(script.metadata.bindings.length, "binding")})`, ...(backend?.rpcFlagAdded ? [rpcNote(backend.compatibilityDate)] : [])].join("; ")
        this.#done(node, { detail: uploaded }, `uploaded Worker ${script.name}`)
        if (route) await this.#switchWorkersDev(node, script.name, route, uploaded)
      })
      if (script.role === "product" && node.status === "error") productFailed = true
    }
  }

  /** Step 6: what was deployed; a Worker that failed keeps the record of its last upload. */
  state(scripts: readonly WorkerScript[]): DeployState {
    const previous = this.#input.deployed?.workers ?? {}
    const workers: Record<string, DeployedWorker> = {}
    for (const [name, worker] of Object.entries(previous)) if (scripts.some((script) => script.name === name)) workers[name] = worker
    for (const script of scripts) {
      const node = this.nodes.find((candidate) => candidate.physicalName === script.name && candidate.kind.endsWith("_worker"))
      if (node?.status !== "created") continue
      const uploadedAt = this.#uploadedAt.get(script.name)
      workers[script.name] = {
        role: script.role,
        ...(script.backend ? { backend: script.backend } : {}),
        digest: script.digest,
        compatibilityDate: script.metadata.compatibility_date,
        ...(uploadedAt ? { uploadedAt } : {}),
      }
    }
    const { target } = this.#context
    return {
      format: DEPLOY_STATE_FORMAT,
      environment: this.#graph.environment,
      provider: target.kind,
      ...(target.accountId ? { accountId: target.accountId } : {}),
      ...(this.#store ? { store: { id: this.#store.id, name: this.#store.name } } : {}),
      deployedAt: this.#context.now().toISOString(),
      secrets: this.nodes
        .filter((node) => node.kind === "secret" || node.kind === "sealing_key")
        .map((node) => ({ id: node.id, physicalName: node.physicalName ?? "", status: node.status })),
      workers,
    }
  }

  /** The workers.dev switch the plan asked for this Worker, if any. */
  #workersDevAction(name: string): "enable" | "disable" | undefined {
    const planned = this.#graph.nodes.find(({ node }) => node.physicalName === name && node.kind.endsWith("_worker"))
    return planned?.step?.kind === "deploy_worker" ? planned.step.workersDev : undefined
  }

  async #switchWorkersDev(node: DeployNode, name: string, action: "enable" | "disable", before: string): Promise<void> {
    await this.#context.target.setWorkersDev(name, action === "enable")
    const done = action === "enable" ? `workers.dev on: ${node.url ?? name}` : "workers.dev route switched off"
    this.#done(node, { detail: `${before}; ${done}` }, `${action === "enable" ? "enabled" : "disabled"} workers.dev for ${name}`)
  }

  async #createRandom(node: DeployNode, step: RandomSecretStep): Promise<void> {
    // The plan was made before the lock was taken: a deploy that held the lock meanwhile may
    // have created this secret. Writing again would replace a value already in use.
    const meanwhile = await this.#context.target.provider.find(step.physicalName)
    if (meanwhile) {
      this.#keep(node, `created meanwhile by another run (modified ${meanwhile.modified})`)
      return
    }
    const at = this.#context.now()
    const stored: Envelope = envelopeAfterWrite(step.declaration, undefined, "v1", at, await freshValues(step.declaration, freshValuesNeeded(step.declaration, undefined)))
    const { metadata } = await writeRecorded({
      context: this.#sealing(),
      declaration: step.declaration,
      physicalName: step.physicalName,
      stored,
      text: new SecretText(serializeEnvelope(stored)),
      action: "deploy",
      command: this.#context.command,
      at,
      before: null,
    })
    this.#createdSecrets++
    this.#done(node, { detail: `v1 created (${describeFreshValue(step.declaration)}), modified ${metadata.modified}` }, `created ${step.declaration.id} (${step.physicalName})`)
  }

  #sealing(): SealingContext {
    return { projectRoot: this.#context.projectRoot, environment: this.#graph.environment, provider: this.#context.target.provider, sealingKeyName: this.#context.sealingKeyName, notify: this.#context.progress }
  }

  #secretIds(): Map<string, string> {
    const ids = new Map<string, string>([[this.#context.sealingKeyName, "layeron/sealing-key"]])
    for (const secret of this.#input.secrets) ids.set(secret.physicalName, secret.declaration.id)
    return ids
  }

  #done(node: DeployNode, fields: Partial<DeployNode>, progress: string): void {
    Object.assign(node, fields, { status: "created" })
    this.#context.progress(progress)
  }

  #keep(node: DeployNode, detail: string): void {
    node.status = "ready"
    node.detail = detail
  }

  #failed(kind: DeployNode["kind"]): boolean {
    return this.nodes.some((node) => node.kind === kind && node.status === "error")
  }

  /** Runs one step; its failure becomes the node's error (message and hint), not the run's. */
  async #attempt(node: DeployNode, step: () => Promise<void>): Promise<void> {
    try {
      await step()
    } catch (error) {
      node.status = "error"
      node.detail = isLayerError(error) ? error.message : `unexpected failure: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
      if (isLayerError(error) && error.hint) node.hint = error.hint
      else delete node.hint
      this.#context.progress(`failed: ${node.id}${node.physicalName ? ` (${node.physicalName})` : ""}`)
    }
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`
}
