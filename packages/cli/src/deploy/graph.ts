/**
 * The deploy graph: the environment's config, declarations and observed state in; one node
 * per thing deploy makes sure of out, each with a status and the step apply would take.
 * Pure (no I/O), so `--dry-run` and apply plan with the same function, and tests can plan
 * any situation.
 *
 * Order is the order apply works in: the store, the sealing key, the secrets (by id), the
 * Secret Product Worker, then the app Workers that bind to it.
 */
import { planBindings } from "@layeron/modules/binding-plan"
import type { BindingPlan } from "@layeron/modules/binding-plan"
import type { LayerError } from "../errors.js"
import type { SecretMetadata, StoreRef } from "../providers/provider.js"
import type { DeclaredSecret } from "../secrets/catalog.js"
import { describeFreshValue } from "../secrets/generated-value.js"
import type { DeployState } from "./artifacts.js"
import { rpcNote } from "./compat.js"
import { exceedsFreePlan, uploadLimitProblem } from "./limits.js"
import type { BackendTarget, DeployNode, DeployStep, PlannedNode } from "./types.js"
import { noSubdomainHint, workersDevUrl } from "./workers-dev.js"
import { planWorkerScripts } from "./workers.js"
import type { WorkerScript } from "./workers.js"

/** The store name the Cloudflare dashboard gives the store it creates (and so does layer). */
export const NEW_STORE_NAME = "default_secrets_store"
/** Local Workers are never uploaded: their artifacts are what deploy keeps current. */
export const LOCAL_UNCHANGED = "artifacts unchanged (local: not uploaded, `layer dev` runs it)"
export const LOCAL_WRITTEN = "artifacts written (local: not uploaded, `layer dev` runs it)"
/** Stands in for the id of a store that apply has yet to create. */
const UNKNOWN_STORE_ID = "store-created-on-apply"

export type BundleOutcome = { ok: true; code: string } | { ok: false; error: LayerError }

export interface GraphInput {
  environment: string
  provider: "local" | "cloudflare"
  accountId?: string
  /** The store; undefined when the Cloudflare account has none yet. */
  store: StoreRef | undefined
  /** A short description of where local values live, for the store node. */
  storeLocation?: string
  secrets: readonly DeclaredSecret[]
  /** Every secret in the store, by name. */
  stored: ReadonlyMap<string, SecretMetadata>
  /**
   * `interrupted`: the public file is still marked pending (a run died while creating the
   * pair); the pair is then created afresh whatever the store holds, as ensureSealingKey does.
   */
  sealingKey: { physicalName: string; publicKeyPath: string; hasPublicKey: boolean; interrupted?: boolean }
  /** Version ids the rotation state records, by physical name. */
  recorded: ReadonlyMap<string, readonly string[]>
  productWorkerName: string
  /** Every backend of the config with the secrets it registers (with --product-only too: the allow-lists). */
  registrations: readonly Registration[]
  product: BundleOutcome
  apps: ReadonlyArray<{ backend: BackendTarget; bundle: BundleOutcome }>
  /** The last deploy's state. */
  deployed: DeployState | undefined
  /** Cloudflare: the account's Worker script names. */
  liveScripts?: ReadonlySet<string>
  /** Cloudflare: the account's workers.dev subdomain; null when it has none (10007). */
  workersSubdomain?: string | null
  /** Cloudflare: whether each of our live scripts has its workers.dev route on. */
  workersDev?: ReadonlyMap<string, boolean>
  /** Cloudflare, read when the plan creates secrets: the account's secret quota and usage. */
  quota?: { quota: number; usage: number }
  /** A packed environment (docs/design.md#packing): which declarations each pack holds. */
  packs?: readonly PackPlacement[]
}

/** A pack and the declaration ids it holds (the binding plan's input). */
export interface PackPlacement {
  physicalName: string
  members: readonly string[]
}

export interface DeployGraph {
  environment: string
  provider: "local" | "cloudflare"
  nodes: PlannedNode[]
  /** The Workers as they would be uploaded once the planned secrets exist. */
  scripts: WorkerScript[]
  plan: BindingPlan
}

export function buildDeployGraph(input: GraphInput): DeployGraph {
  const nodes: PlannedNode[] = [storeNode(input), sealingKeyNode(input), ...input.secrets.slice().sort(byId).map((secret) => secretNode(input, secret))]
  checkQuota(input, nodes)
  const bound = boundSecretNames(nodes, input)
  const plan = bindingPlan(input)
  const scripts = scriptsOf(input, plan, bound)
  nodes.push(workerNode(input, "product_worker", "layeron/secret-product", input.productWorkerName, input.product, scripts))
  for (const { backend, bundle } of input.apps) nodes.push(workerNode(input, "app_worker", backend.id, backend.workerName, bundle, scripts, backend))
  return { environment: input.environment, provider: input.provider, nodes, scripts, plan }
}

/** Apply writes nothing while the plan holds a conflict or an error: a person must look first. */
export function blockingNodes(graph: Pick<DeployGraph, "nodes">): DeployNode[] {
  return graph.nodes.map((planned) => planned.node).filter((node) => node.status === "conflict" || node.status === "error")
}

/**
 * Secrets the plan creates (the sealing key counts as one). Packed (docs/design.md#packing):
 * a new member is a physical secret only when its pack does not exist yet.
 */
export function secretsToCreate(nodes: readonly PlannedNode[], input?: Pick<GraphInput, "packs" | "secrets" | "stored">): number {
  const created = nodes.filter(({ step }) => step?.kind === "create_random" || step?.kind === "create_sealing_key")
  if (!input?.packs) return created.length
  const idOf = new Map(input.secrets.map((secret) => [secret.physicalName, secret.declaration.id]))
  const newMembers = created.flatMap(({ step }) => (step?.kind === "create_random" ? [idOf.get(step.physicalName)] : []))
  const newPacks = input.packs.filter((pack) => pack.members.some((id) => newMembers.includes(id)) && !input.secrets.some((secret) => pack.members.includes(secret.declaration.id) && input.stored.has(secret.physicalName)))
  return created.filter(({ step }) => step?.kind === "create_sealing_key").length + newPacks.length
}

/**
 * Refuse up front, on the store node, a plan that needs more secrets than the account has
 * left: failing halfway would leave some created and the Workers not uploaded. The hint names
 * the way on: delete what is unused, or pack this environment (one physical secret holds
 * many declarations).
 */
function checkQuota(input: GraphInput, nodes: PlannedNode[]): void {
  const needed = secretsToCreate(nodes, input)
  if (!input.quota || needed === 0) return
  const left = Math.max(0, input.quota.quota - input.quota.usage)
  if (needed <= left) return
  const store = nodes[0]!
  const packing = input.packs
    ? ""
    : `; or pack this environment: set \`packing: true\` on environments.${input.environment} in layeron.config.ts, then \`layer secret pack --env ${input.environment}\` (plan, then --apply --yes) keeps its declarations in as few secrets as 64 KiB allows`
  store.node = {
    ...store.node,
    status: "error",
    detail: `the Secrets Store quota: this deploy creates ${needed} secret${needed === 1 ? "" : "s"}, but account ${input.accountId ?? ""} holds ${input.quota.usage} of its ${input.quota.quota} (${left} left); nothing was created`,
    hint: `delete ${needed - left} secret${needed - left === 1 ? "" : "s"} you no longer use (\`layer doctor --env ${input.environment}\` lists orphaned lo_ secrets; \`layer secret delete NAME --env ${input.environment}\`)${packing}, or ask Cloudflare for a higher quota`,
  }
  delete store.step
}

/** A backend and the secret ids it registers (DiscoveredBackend's id and secrets). */
export interface Registration {
  id: string
  secrets: readonly string[]
}

/** The binding plan over every declaration; the product Worker binds those with a value. */
export interface BindingPlanSource {
  secrets: GraphInput["secrets"]
  sealingKey: { physicalName: string }
  store: StoreRef | undefined
  productWorkerName: string
  registrations: readonly Registration[]
  /** The app Workers layer deploys (none with --product-only: those backends get an allow-list only). */
  apps: ReadonlyArray<{ backend: { id: string; workerName: string } }>
  packs?: readonly PackPlacement[]
}

export function bindingPlan(input: BindingPlanSource): BindingPlan {
  return planBindings({
    declarations: input.secrets.map((secret) => secret.declaration),
    physicalNames: Object.fromEntries(input.secrets.map((secret) => [secret.declaration.id, secret.physicalName])),
    sealingKeyPhysicalName: input.sealingKey.physicalName,
    storeId: input.store?.id ?? UNKNOWN_STORE_ID,
    productWorkerName: input.productWorkerName,
    ...(input.packs?.length ? { packs: input.packs } : {}),
    backends: input.registrations.map(({ id, secrets }) => {
      const workerName = input.apps.find((app) => app.backend.id === id)?.backend.workerName
      return { id, secrets, ...(workerName === undefined ? {} : { workerName }) }
    }),
  })
}

function storeNode(input: GraphInput): PlannedNode {
  if (input.provider === "local") {
    return { node: { kind: "store", id: "store", status: "ready", detail: `local store${input.storeLocation ? ` in ${input.storeLocation}` : ""}` } }
  }
  if (input.store) {
    return { node: { kind: "store", id: "store", physicalName: input.store.name, status: "ready", detail: `Secrets Store ${input.store.id}` } }
  }
  return {
    node: { kind: "store", id: "store", physicalName: NEW_STORE_NAME, status: "create", detail: `${input.accountId ? `account ${input.accountId}` : "the account"} has no Secrets Store yet` },
    step: { kind: "create_store" },
  }
}

function sealingKeyNode(input: GraphInput): PlannedNode {
  const { physicalName, publicKeyPath, hasPublicKey, interrupted } = input.sealingKey
  const base = { kind: "sealing_key" as const, id: "layeron/sealing-key", physicalName }
  const stored = input.stored.has(physicalName)
  if (hasPublicKey && stored && !interrupted) return { node: { ...base, status: "ready" } }
  if (interrupted) {
    // Nothing was ever sealed to a pending pair, so replacing both halves loses nothing.
    return {
      node: { ...base, status: "create", detail: `a new ECDH P-256 pair (an earlier creation was interrupted); its public half goes to ${publicKeyPath}` },
      step: { kind: "create_sealing_key" },
    }
  }
  if (!hasPublicKey && !stored) {
    return {
      node: { ...base, status: "create", detail: `a new ECDH P-256 pair; its public half goes to ${publicKeyPath}` },
      step: { kind: "create_sealing_key" },
    }
  }
  if (hasPublicKey) {
    return {
      node: {
        ...base,
        status: "conflict",
        detail: `${publicKeyPath} holds the public half of the sealing key, but its private half is missing from the store: versions sealed to it can no longer be opened`,
        hint: `restore the secret if you can; otherwise move ${publicKeyPath} aside, keeping it (\`mv ${publicKeyPath} ${publicKeyPath}.lost-private-half\`), and deploy again to create a new pair (older sealed versions stay unreadable: rotate with --discard-history)`,
      },
    }
  }
  return {
    node: {
      ...base,
      status: "conflict",
      detail: `the store holds the sealing key, but ${publicKeyPath} (its public half) is missing`,
      hint: `restore ${publicKeyPath} from version control (\`git checkout -- ${publicKeyPath}\`, or \`git log -- ${publicKeyPath}\` for the commit that removed it); a new pair would make every sealed version unreadable. Only if nothing was ever rotated or set in ${input.environment}: \`layer secret delete layeron/sealing-key --force --yes --env ${input.environment}\` and deploy again`,
    },
  }
}

function secretNode(input: GraphInput, secret: DeclaredSecret): PlannedNode {
  const { declaration, physicalName } = secret
  const base = { kind: "secret" as const, id: declaration.id, physicalName }
  const metadata = input.stored.get(physicalName)
  if (metadata) return { node: { ...base, status: "ready", detail: `modified ${metadata.modified}` } }
  // A key pair needs nothing from the operator either: deploy generates it like random bytes.
  if (declaration.kind === "random" || declaration.generate !== undefined) {
    const recorded = input.recorded.get(physicalName) ?? []
    const detail = recorded.length
      ? `missing from the store although the rotation state records ${recorded.join(", ")}: ${declaration.generate ? `${describeFreshValue(declaration)} becomes` : `${declaration.bytes ?? 32} new random bytes become`} v1 (the recorded versions are not restored)`
      : `${describeFreshValue(declaration)}, as v1`
    return { node: { ...base, status: "create", detail }, step: { kind: "create_random", declaration, physicalName } }
  }
  const byRotation = declaration.kind === "generated" && declaration.rotation ? ` (or \`layer secret rotate --apply\` generates it)` : ""
  // Locally `layer dev` binds every declaration; Cloudflare binds a secret at the next deploy.
  const then = input.provider === "cloudflare" ? ", then deploy again to bind it" : ""
  return {
    node: {
      ...base,
      status: "external_value_required",
      detail: `no value: ${declaration.kind === "static" ? "the operator writes it" : "write one"}${byRotation}${then}`,
      command: `layer secret set ${declaration.id} --env ${input.environment}`,
    },
  }
}

/** Secret names that hold a value once apply has created what it plans. */
function boundSecretNames(nodes: readonly PlannedNode[], input: GraphInput): Set<string> {
  const bound = new Set<string>()
  for (const { node } of nodes) {
    if (node.physicalName === undefined || node.kind === "store") continue
    if (node.status === "ready" || node.status === "create") bound.add(node.physicalName)
  }
  // A sealing key in conflict may still be in the store (public half missing): bind what exists.
  if (input.stored.has(input.sealingKey.physicalName)) bound.add(input.sealingKey.physicalName)
  return withPacks(bound, input.packs, input.secrets)
}

/** A pack is bound once any of its members holds a value (the product Worker binds the pack, not the members). */
export function withPacks(bound: Set<string>, packs: readonly PackPlacement[] | undefined, secrets: GraphInput["secrets"]): Set<string> {
  for (const pack of packs ?? []) {
    if (secrets.some((secret) => pack.members.includes(secret.declaration.id) && bound.has(secret.physicalName))) bound.add(pack.physicalName)
  }
  return bound
}

function scriptsOf(input: GraphInput, plan: BindingPlan, bound: ReadonlySet<string>): WorkerScript[] {
  if (!input.product.ok) return []
  const apps = input.apps.flatMap(({ backend, bundle }) => (bundle.ok ? [{ backend, code: bundle.code }] : []))
  return planWorkerScripts({ plan, bound, productCode: input.product.code, apps, ...(input.accountId ? { accountId: input.accountId } : {}) })
}

function workerNode(input: GraphInput, kind: "product_worker" | "app_worker", id: string, name: string, bundle: BundleOutcome, scripts: readonly WorkerScript[], backend?: BackendTarget): PlannedNode {
  const base = { kind, id, physicalName: name }
  if (!bundle.ok) return { node: { ...base, status: "error", detail: bundle.error.message, ...(bundle.error.hint ? { hint: bundle.error.hint } : {}) } }
  const script = scripts.find((candidate) => candidate.name === name)
  const tooLarge = script && uploadLimitProblem(script)
  if (tooLarge) return { node: { ...base, status: "error", detail: tooLarge.message, ...(tooLarge.hint ? { hint: tooLarge.hint } : {}) } }
  const last = input.deployed?.workers[name]
  if (input.provider === "local") {
    if (script && last?.digest === script.digest) return { node: { ...base, status: "ready", detail: LOCAL_UNCHANGED } }
    return { node: { ...base, status: "create", detail: "write its bundle and wrangler.jsonc (local: not uploaded, `layer dev` runs it)" }, step: { kind: "deploy_worker", workerName: name, upload: true } }
  }
  const live = input.liveScripts?.has(name) ?? false
  const route = workersDevRoute(input, name, backend)
  const notes = [
    ...(backend?.rpcFlagAdded ? [rpcNote(backend.compatibilityDate)] : []),
    ...(script && exceedsFreePlan(script) ? ["over 3 MB compressed: needs the Workers Paid plan"] : []),
    ...(route.note ? [route.note] : []),
  ]
  const shown = (detail: string) => [detail, ...notes].join("; ")
  const extra = { ...(route.url ? { url: route.url } : {}), ...(route.hint ? { hint: route.hint } : {}) }
  if (script && live && last?.digest === script.digest) {
    const unchanged = `unchanged since the upload of ${last.uploadedAt ?? "the last deploy"}`
    if (!route.action) return { node: { ...base, status: "ready", detail: shown(unchanged), ...extra } }
    return { node: { ...base, status: "create", detail: shown(unchanged), ...extra }, step: { kind: "deploy_worker", workerName: name, upload: false, workersDev: route.action } }
  }
  const step: DeployStep = { kind: "deploy_worker", workerName: name, upload: true, ...(route.action ? { workersDev: route.action } : {}) }
  return { node: { ...base, status: "create", detail: shown(live ? "upload (replaces the deployed script)" : "upload (a new script)"), ...extra }, step }
}

/**
 * What deploy does about a Worker's workers.dev route: app Workers get it (unless the config
 * turns it off), the Secret Product Worker never does (a route found on is switched off).
 */
function workersDevRoute(input: GraphInput, name: string, backend: BackendTarget | undefined): { action?: "enable" | "disable"; url?: string; note?: string; hint?: string } {
  const on = input.workersDev?.get(name) ?? false
  const wanted = backend?.workersDev ?? false
  if (!wanted) {
    if (!on) return {}
    return { action: "disable", note: backend ? "workers.dev route switched off (workersDev: false in layeron.config.ts)" : "workers.dev route switched off (the Secret Product Worker is reached only through its service binding)" }
  }
  const subdomain = input.workersSubdomain
  if (subdomain === null || subdomain === undefined) {
    return { hint: noSubdomainHint(input.accountId ?? "<account id>", input.environment) }
  }
  const url = workersDevUrl(name, subdomain)
  return on ? { url } : { action: "enable", url, note: "then workers.dev on" }
}

function byId(a: DeclaredSecret, b: DeclaredSecret): number {
  const x = a.declaration.id
  const y = b.declaration.id
  return x < y ? -1 : x > y ? 1 : 0
}
