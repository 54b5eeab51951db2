/**
 * Everything the deploy graph is planned from, gathered with reads only: the store and its
 * secrets' metadata, the sealing key's public half, the versions the rotation state records,
 * the last deploy's state, the account's Worker scripts (with their workers.dev switch) and
 * workers.dev subdomain, the secret quota when the plan may create secrets, and the bundles
 * (built in memory; the product Worker's carries the manifest).
 */
import type { LoadedProject } from "../config/index.js"
import { isLayerError, LayerError } from "../errors.js"
import type { SecretMetadata } from "../providers/provider.js"
import { publicKeyPath, readPublicKey, readSecretState } from "../rotation/index.js"
import type { SecretCatalog } from "../secrets/catalog.js"
import { readDeployState } from "./artifacts.js"
import { bundleBackend, bundleProductWorker } from "./bundle.js"
import { bindingPlan } from "./graph.js"
import type { BundleOutcome, GraphInput, PackPlacement, Registration } from "./graph.js"
import type { DeployTarget } from "./target.js"
import type { BackendTarget } from "./types.js"

export interface ObserveInput {
  project: LoadedProject
  catalog: SecretCatalog
  target: DeployTarget
  backends: readonly BackendTarget[]
  productWorkerName: string
  warn: (message: string) => void
  /** A packed environment's packs, every member placed (packing/currentPacks); absent: unpacked. */
  packs?: readonly PackPlacement[]
}

export async function observe(input: ObserveInput): Promise<GraphInput> {
  const { project, catalog, target } = input
  const root = project.root
  const environment = catalog.environment
  const [product, apps] = await Promise.all([
    outcome(manifestOf(input).then((manifest) => bundleProductWorker(root, manifest))),
    Promise.all(input.backends.map(async (backend) => ({ backend, bundle: await outcome(bundleBackend(backend, root)) }))),
  ])
  const store = await target.findStore()
  const stored = new Map<string, SecretMetadata>(store ? (await target.provider.listAll()).map((metadata) => [metadata.name, metadata]) : [])
  const recorded = new Map<string, string[]>()
  for (const { declaration, physicalName } of catalog.declared) {
    if (declaration.kind !== "random" || stored.has(physicalName)) continue
    const state = await readSecretState(root, environment, physicalName)
    if (state && Object.keys(state.versions).length) recorded.set(physicalName, Object.keys(state.versions))
  }
  const publicKey = await readPublicKey(root, environment)
  const liveScripts = await target.liveScripts()
  const ours = [input.productWorkerName, ...input.backends.map((backend) => backend.workerName)].filter((name) => liveScripts?.has(name))
  const workersDev = await target.workersDevStatus(ours)
  const workersSubdomain = input.backends.some((backend) => backend.workersDev) ? await target.workersSubdomain() : undefined
  // The quota is read only when this deploy may create secrets (random ones, the sealing key).
  const creates = catalog.declared.some(({ declaration, physicalName }) => declaration.kind === "random" && !stored.has(physicalName)) || !stored.has(catalog.sealingKeyName)
  const quota = creates ? await target.quota() : undefined
  return {
    environment,
    provider: target.kind,
    ...(target.accountId ? { accountId: target.accountId } : {}),
    store,
    ...(target.storeLocation ? { storeLocation: target.storeLocation } : {}),
    secrets: catalog.declared,
    stored,
    sealingKey: {
      physicalName: catalog.sealingKeyName,
      publicKeyPath: displayPath(root, publicKeyPath(root, environment)),
      hasPublicKey: publicKey !== undefined,
      ...(publicKey?.pending ? { interrupted: true } : {}),
    },
    recorded,
    productWorkerName: input.productWorkerName,
    registrations: registrationsOf(project),
    product,
    apps,
    deployed: await readDeployState(root, environment, input.warn),
    ...(liveScripts ? { liveScripts } : {}),
    ...(target.kind === "cloudflare" ? { workersDev } : {}),
    ...(workersSubdomain !== undefined ? { workersSubdomain } : {}),
    ...(quota ? { quota } : {}),
    ...(input.packs ? { packs: input.packs } : {}),
  }
}

/** The manifest the product Worker is bundled with: every declaration (the store id is not part of it). */
async function manifestOf(input: ObserveInput) {
  return bindingPlan({
    secrets: input.catalog.declared,
    sealingKey: { physicalName: input.catalog.sealingKeyName },
    store: undefined,
    productWorkerName: input.productWorkerName,
    registrations: registrationsOf(input.project),
    apps: input.backends.map((backend) => ({ backend })),
    ...(input.packs ? { packs: input.packs } : {}),
  }).product.manifest
}

/** Every backend of the config and what it registers: the product Worker's allow-lists. */
function registrationsOf(project: LoadedProject): Registration[] {
  return project.backends.map((backend) => ({ id: backend.id, secrets: backend.secrets }))
}

/** A bundle failure is a node in the graph, not the end of the plan. */
async function outcome(bundle: Promise<string>): Promise<BundleOutcome> {
  try {
    return { ok: true, code: await bundle }
  } catch (error) {
    if (isLayerError(error)) return { ok: false, error }
    return { ok: false, error: new LayerError("bundle_failed", `bundling failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`, { cause: error }) }
  }
}

function displayPath(root: string, path: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path
}
