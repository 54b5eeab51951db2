/**
 * One build of what `layer dev` runs: the project loaded (declarations discovered again on
 * every rebuild, so a newly declared secret gets its binding), each backend bundled with a
 * compatibility date workerd supports, the Secret Product Worker, and the binding plan over
 * every declaration (miniflare does not check that a bound secret exists, and a read of a
 * missing one says which secret to write), with each backend's allow-list as deploy plans it.
 */
import type { BindingPlan } from "@layeron/modules/binding-plan"
import { sealingKeyDeclaration } from "@layeron/modules/naming"
import { loadProject } from "../../config/index.js"
import type { LoadedProject } from "../../config/index.js"
import { LayerError } from "../../errors.js"
import { createLocalProvider } from "../../providers/local/index.js"
import type { LocalSecretProvider } from "../../providers/local/index.js"
import { buildCatalog } from "../../secrets/catalog.js"
import type { SecretCatalog } from "../../secrets/catalog.js"
import { projectWorkers } from "../backends.js"
import { bundleBackend, bundleProductWorker } from "../bundle.js"
import { bindingPlan } from "../graph.js"
import type { BackendTarget } from "../types.js"
import { clampCompatibilityDate } from "./compat-date.js"
import type { ClampedDate } from "./compat-date.js"

export interface DevApp {
  backend: BackendTarget
  code: string
  compatibilityDate: ClampedDate
}

export interface DevBuild {
  project: LoadedProject
  /** The environment's local store: `layer dev` seeds miniflare from it and watches its directory. */
  store: LocalSecretProvider
  catalog: SecretCatalog
  productWorkerName: string
  productCode: string
  apps: DevApp[]
  plan: BindingPlan
  /** Physical secret name → its binding on the product Worker. */
  bindings: Map<string, string>
  /** Physical secret name → `namespace/name`, for reload lines. */
  labels: Map<string, string>
}

export interface DevBuildRequest {
  cwd: string
  environment: string | undefined
  env: NodeJS.ProcessEnv
  /** LAYERON_HOME, where the local store's key is. */
  home: string
  debug: (message: string) => void
}

export async function buildDev(request: DevBuildRequest): Promise<DevBuild> {
  const project = await loadProject({ cwd: request.cwd, environment: request.environment, env: request.env, debug: request.debug })
  const environment = project.environment.name
  if (project.environment.config.provider !== "local") {
    const locals = Object.entries(project.config.environments).filter(([, config]) => config.provider === "local").map(([name]) => name)
    throw new LayerError("dev_needs_local_environment", `layer dev runs against a local store, and environment "${environment}" uses Cloudflare`, {
      hint: locals.length ? `use --env ${locals[0]} (local environments: ${locals.join(", ")})` : 'add a local environment to layeron.config.ts, e.g. dev: { provider: "local" }',
    })
  }
  const store = createLocalProvider({ projectRoot: project.root, environment, home: request.home, owner: { workspace: project.config.workspace, project: project.config.name } })
  const catalog = await buildCatalog(project)
  const { productWorkerName, backends } = projectWorkers(project)
  const [productCode, codes] = await Promise.all([bundleProductWorker(project.root), Promise.all(backends.map((backend) => bundleBackend(backend, project.root, { sourceMap: true })))])
  // The function deploy plans with (graph.ts), so dev wires the same bindings and allow-lists.
  const plan = bindingPlan({
    secrets: catalog.declared,
    sealingKey: { physicalName: catalog.sealingKeyName },
    // The same store id a local deploy writes into wrangler.jsonc; miniflare accepts any string.
    store: await store.resolveStore(),
    productWorkerName,
    registrations: project.backends.map((backend) => ({ id: backend.id, secrets: backend.secrets })),
    apps: backends.map((backend) => ({ backend })),
  })
  const labels = new Map<string, string>([[catalog.sealingKeyName, sealingKeyDeclaration.id]])
  for (const secret of catalog.declared) labels.set(secret.physicalName, secret.declaration.id)
  return {
    project,
    store,
    catalog,
    productWorkerName,
    productCode,
    apps: backends.map((backend, index) => ({ backend, code: codes[index] ?? "", compatibilityDate: clampCompatibilityDate(backend.compatibilityDate) })),
    plan,
    bindings: new Map(plan.product.secretsStoreSecrets.map((secret) => [secret.secretName, secret.binding])),
    labels,
  }
}
