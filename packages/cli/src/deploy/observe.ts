/**
 * Everything the deploy graph is planned from, gathered with reads only: the store and its
 * secrets' metadata, the sealing key's public half, the versions the rotation state records,
 * the last deploy's state, the account's Worker scripts, and the bundles (built in memory).
 */
import type { LoadedProject } from "../config/index.js"
import { isLayerError, LayerError } from "../errors.js"
import type { SecretMetadata } from "../providers/provider.js"
import { publicKeyPath, readPublicKey, readSecretState } from "../rotation/index.js"
import type { SecretCatalog } from "../secrets/catalog.js"
import { readDeployState } from "./artifacts.js"
import { bundleBackend, bundleProductWorker } from "./bundle.js"
import type { BundleOutcome, GraphInput } from "./graph.js"
import type { DeployTarget } from "./target.js"
import type { BackendTarget } from "./types.js"

export interface ObserveInput {
  project: LoadedProject
  catalog: SecretCatalog
  target: DeployTarget
  backends: readonly BackendTarget[]
  productWorkerName: string
  warn: (message: string) => void
}

export async function observe(input: ObserveInput): Promise<GraphInput> {
  const { project, catalog, target } = input
  const root = project.root
  const environment = catalog.environment
  const [product, apps] = await Promise.all([
    outcome(bundleProductWorker(root)),
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
    product,
    apps,
    deployed: await readDeployState(root, environment, input.warn),
    ...(liveScripts ? { liveScripts } : {}),
  }
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
