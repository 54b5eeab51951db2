/**
 * Starts the app Worker and the Secret Product Worker in workerd through miniflare, wired
 * exactly as `planBindings()` says, with a local Secrets Store seeded through miniflare's
 * admin API. One instance per test file (workerd takes about a second to start).
 */
import { Miniflare } from "miniflare"
import { fileURLToPath } from "node:url"
import type { Readable } from "node:stream"
import { bundleBackend, bundleProductWorker } from "../../packages/cli/src/deploy/bundle.js"
import { physicalName } from "../../packages/modules/src/naming/index.js"
import { generateSealingKeyPair } from "../../packages/modules/src/seal/index.js"
import { planBindings, toMiniflareWorkerOptions } from "../../packages/modules/src/binding-plan/index.js"
import type { BindingPlan } from "../../packages/modules/src/binding-plan/index.js"
import { boundSecretKeys, secrets } from "./fixtures/secrets.js"
import type { SecretKey } from "./fixtures/secrets.js"
import type { ErrorView, ReadRequest } from "./fixtures/app-worker.js"

export const APP = "app"
export const PRODUCT = "secret-product"
/** A product Worker started with a malformed manifest. */
export const BROKEN_PRODUCT = "broken-product"
/** An app Worker without the LAYERON_SECRET service binding. */
export const UNBOUND_APP = "unbound-app"
/** The backend ids: the app's registers every bound secret, the other app's only `greeting`. */
export const APP_BACKEND = "app"
export const OTHER_BACKEND = "other"
/** A second app Worker (backend "other") running the same code. */
export const OTHER_APP = "other-app"
const COMPATIBILITY_DATE = "2026-04-01"
const NAME_PARTS = { workspace: "test", project: "runtime", environment: "workerd" }

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url))

/**
 * Bundles a Worker entry (relative to this file) for workerd through the CLI's own bundler
 * (deploy/bundle.ts), the one `layer dev` and `layer deploy` use: same conditions, fields and
 * externals, so what runs here is what they ship.
 */
export async function bundleWorker(entry: string): Promise<string> {
  const file = fileURLToPath(new URL(entry, import.meta.url))
  return bundleBackend({ id: "test", file, workerName: "test", compatibilityDate: COMPATIBILITY_DATE, compatibilityFlags: [] }, REPO_ROOT)
}

export type ReadAnswer = { ok: true; result: unknown } | { ok: false; error: ErrorView }

export interface RuntimeHarness {
  mf: Miniflare
  physicalNames: Record<SecretKey, string>
  sealingPhysicalName: string
  sealingPublicKey: JsonWebKey
  /** The sealing private key as the CLI stores it: the JWK as JSON text. Stored at start. */
  sealingPrivateKeyText: string
  /** One read through the app Worker's runtime. */
  read(request: ReadRequest, worker?: string): Promise<ReadAnswer>
  /** A raw RPC call on a service binding of the app Worker (or of `worker`). */
  rpc(binding: string, method: "read" | "active", args: unknown[], worker?: string): Promise<{ reply?: unknown; thrown?: string }>
  /** Writes a secret's stored text into the local Secrets Store. */
  store(key: SecretKey, text: string): Promise<void>
  storeSealingKey(text: string): Promise<void>
  deleteSealingKey(): Promise<void>
  /** Everything workerd printed (console output of both Workers). */
  output(): string
  dispose(): Promise<void>
}

export async function startRuntime(): Promise<RuntimeHarness> {
  const [appScript, productScript, keys] = await Promise.all([bundleWorker("./fixtures/app-worker.ts"), bundleProductWorker(REPO_ROOT), generateSealingKeyPair()])
  const physicalNames = {} as Record<SecretKey, string>
  const byId: Record<string, string> = {}
  for (const key of Object.keys(secrets) as SecretKey[]) {
    const d = secrets[key].declaration
    physicalNames[key] = d.secretName ?? (await physicalName({ ...NAME_PARTS, namespace: d.namespace, name: d.name }))
    byId[d.id] = physicalNames[key]
  }
  const sealingPhysicalName = await physicalName({ ...NAME_PARTS, namespace: "layeron", name: "sealing-key" })
  const plan = planBindings({
    declarations: boundSecretKeys.map((key) => secrets[key].declaration),
    physicalNames: byId,
    sealingKeyPhysicalName: sealingPhysicalName,
    storeId: "local-store",
    productWorkerName: PRODUCT,
    // The app registers every bound secret; "other" (another backend of the project) registers one.
    backends: [
      { id: APP_BACKEND, workerName: APP, secrets: boundSecretKeys.map((key) => secrets[key].declaration.id) },
      { id: OTHER_BACKEND, workerName: OTHER_APP, secrets: [secrets.greeting.declaration.id] },
    ],
  })
  const options = toMiniflareWorkerOptions(plan)
  const bindingOf = (name: string) => plan.product.secretsStoreSecrets.find((s) => s.secretName === name)!.binding

  let output = ""
  const collect = (stream: Readable) => stream.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
  const worker = (name: string, script: string) => ({ name, modules: true, script, compatibilityDate: COMPATIBILITY_DATE })
  const mf = new Miniflare({
    secretsStorePersist: false,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      collect(stdout)
      collect(stderr)
    },
    workers: [
      {
        ...worker(APP, appScript),
        serviceBindings: {
          ...options.apps[APP]!.serviceBindings,
          BROKEN: { name: BROKEN_PRODUCT, entrypoint: "SecretProduct", props: { backend: APP_BACKEND } },
          // A binding as an older layer (or a hand-written wrangler.jsonc) made it: no props.
          NO_PROPS: { name: PRODUCT, entrypoint: "SecretProduct" },
          // props naming a backend the project does not have.
          STRANGER: { name: PRODUCT, entrypoint: "SecretProduct", props: { backend: "stranger" } },
        },
      },
      { ...worker(OTHER_APP, appScript), ...options.apps[OTHER_APP]! },
      { ...worker(PRODUCT, productScript), ...options.product },
      { ...worker(BROKEN_PRODUCT, productScript), bindings: { LAYERON_SECRET_MANIFEST: "{not json" } },
      worker(UNBOUND_APP, appScript),
    ],
  })
  await mf.ready

  const ids = new Map<string, string>()
  const put = async (binding: string, text: string) => {
    const admin = (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))()
    ids.set(binding, await admin.create(text))
  }
  const sealingPrivateKeyText = JSON.stringify(keys.privateKey)
  await put(bindingOf(sealingPhysicalName), sealingPrivateKeyText)
  const post = async (worker: string, path: string, body: unknown) => {
    const response = await fetchWorker(mf, worker, `http://app${path}`, { method: "POST", body: JSON.stringify(body) })
    return response.json()
  }

  return {
    mf,
    physicalNames,
    sealingPhysicalName,
    sealingPublicKey: keys.publicKey,
    sealingPrivateKeyText,
    read: (request, worker = APP) => post(worker, "/", request) as Promise<ReadAnswer>,
    rpc: (binding, method, args, worker = APP) => post(worker, "/rpc", { binding, method, args }) as Promise<{ reply?: unknown; thrown?: string }>,
    store: (key, text) => put(bindingOf(physicalNames[key]), text),
    storeSealingKey: (text) => put(bindingOf(sealingPhysicalName), text),
    deleteSealingKey: async () => {
      const binding = bindingOf(sealingPhysicalName)
      const id = ids.get(binding)
      if (id !== undefined) await (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))().delete(id)
      ids.delete(binding)
    },
    output: () => output,
    dispose: () => mf.dispose(),
  }
}

/** One app Worker and the Secret Product Worker in workerd, wired as `plan` says (the app is `plan.apps[0]`). */
export async function startAppAndProduct(plan: BindingPlan, appScript: string, productScript: string): Promise<Miniflare> {
  const options = toMiniflareWorkerOptions(plan)
  const app = plan.apps[0]!.workerName
  const mf = new Miniflare({
    secretsStorePersist: false,
    workers: [
      { name: app, modules: true, script: appScript, compatibilityDate: COMPATIBILITY_DATE, ...options.apps[app] },
      { modules: true, script: productScript, compatibilityDate: COMPATIBILITY_DATE, ...options.product },
    ],
  })
  await mf.ready
  return mf
}

/** `fetch()` on one Worker of the instance (miniflare types its Fetcher loosely). */
export async function fetchWorker(mf: Miniflare, worker: string, url: string, init?: { method: string; body: string }): Promise<{ status: number; json(): Promise<unknown>; text(): Promise<string> }> {
  const fetcher = (await mf.getWorker(worker)) as unknown as { fetch(url: string, init?: { method: string; body: string }): Promise<{ status: number; json(): Promise<unknown>; text(): Promise<string> }> }
  return fetcher.fetch(url, init)
}
