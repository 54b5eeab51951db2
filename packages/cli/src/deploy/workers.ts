/**
 * The Workers a deploy uploads, as data: each one's code, Cloudflare upload metadata and
 * wrangler.jsonc, derived from the binding plan (planBindings). Pure.
 *
 * The Secret Product Worker binds only the secrets that hold a value: Cloudflare refuses an
 * upload whose binding names a missing secret (10182). Its manifest still lists every
 * declaration, so reading one without a value answers `secret_not_found` (as `layer dev` and
 * testSecrets do) naming the secret; the manifest travels in its bundle (bundleProductWorker),
 * not in a var, which holds 5 KB at most. It also holds each backend's allow-list, and each
 * app Worker's service binding carries `props: { backend }`, so a backend reads only what it
 * registers.
 *
 * An upload replaces every binding of the script unless `keep_bindings` names the types to
 * keep from the previous upload. App Workers keep every type layer does not send (a KV
 * namespace or a var added in the dashboard survives a deploy); layer sends their one
 * `service` binding, so service bindings are replaced. The Secret Product Worker is layer's
 * alone: nothing is kept, so a binding to a secret no longer declared goes away.
 */
import { createHash } from "node:crypto"
import { toWranglerConfig } from "@layeron/modules/binding-plan"
import type { BindingPlan } from "@layeron/modules/binding-plan"
import { MAIN_MODULE } from "./bundle.js"
import type { BackendTarget } from "./types.js"

/**
 * The Secret Product Worker's compatibility date: the one its code is tested with (the
 * workerd suite), independent of the backends' dates.
 */
export const PRODUCT_COMPATIBILITY_DATE = "2026-04-01"

export type UploadBinding =
  | { type: "secrets_store_secret"; name: string; store_id: string; secret_name: string }
  /**
   * `props` reach the product Worker as `ctx.props` and say which backend calls (worker/caller.ts).
   * wrangler 4.x sends the same key in its upload metadata (docs/cloudflare.md, "Service binding props").
   */
  | { type: "service"; name: string; service: string; entrypoint: string; props: { backend: string } }

/** The `metadata` part of a script upload (Workers script upload API; wrangler's WorkerMetadataPut). */
export interface UploadMetadata {
  main_module: string
  compatibility_date: string
  compatibility_flags: string[]
  bindings: UploadBinding[]
  /** Binding types kept from the previous upload (absent: every binding is replaced). */
  keep_bindings?: string[]
}

/**
 * Binding types of the Workers upload API (the `cloudflare` SDK's binding union, 7.x) that
 * layer never sends to an app Worker, so an upload keeps them.
 */
export const APP_KEEP_BINDINGS: readonly string[] = [
  "ai",
  "analytics_engine",
  "assets",
  "browser",
  "d1",
  "dispatch_namespace",
  "durable_object_namespace",
  "hyperdrive",
  "images",
  "json",
  "kv_namespace",
  "mtls_certificate",
  "pipelines",
  "plain_text",
  "queue",
  "r2_bucket",
  "ratelimit",
  "secret_key",
  "secret_text",
  "secrets_store_secret",
  "send_email",
  "vectorize",
  "version_metadata",
  "workflow",
]

export interface WorkerScript {
  role: "product" | "app"
  name: string
  /** The backend id, for app Workers. */
  backend?: string
  code: string
  metadata: UploadMetadata
  /** The wrangler.jsonc object for this Worker (`main` points at the bundle beside it). */
  wrangler: Record<string, unknown>
  /** sha256 of metadata and code: equal digests mean an identical upload. */
  digest: string
}

export interface ScriptsInput {
  plan: BindingPlan
  /** Secret names that hold a value (the sealing key included). */
  bound: ReadonlySet<string>
  productCode: string
  apps: ReadonlyArray<{ backend: BackendTarget; code: string }>
  /** Written into wrangler.jsonc for Cloudflare environments. */
  accountId?: string
}

export function planWorkerScripts(input: ScriptsInput): WorkerScript[] {
  const wrangler = toWranglerConfig(input.plan)
  const secrets = wrangler.product.secrets_store_secrets.filter((s) => input.bound.has(s.secret_name))
  const account = input.accountId ? { account_id: input.accountId } : {}

  const productMetadata: UploadMetadata = {
    main_module: MAIN_MODULE,
    compatibility_date: PRODUCT_COMPATIBILITY_DATE,
    compatibility_flags: [],
    bindings: secrets.map((s) => ({ type: "secrets_store_secret" as const, name: s.binding, store_id: s.store_id, secret_name: s.secret_name })),
  }
  const product = script("product", input.plan.product.workerName, undefined, input.productCode, productMetadata, {
    ...account,
    secrets_store_secrets: secrets,
    // The manifest is in the bundle: workers.dev stays off, as deploy keeps it.
    workers_dev: false,
  })

  const apps = input.apps.map(({ backend, code }) => {
    const services = wrangler.apps[backend.workerName]?.services ?? []
    const metadata: UploadMetadata = {
      main_module: MAIN_MODULE,
      compatibility_date: backend.compatibilityDate,
      compatibility_flags: [...backend.compatibilityFlags],
      bindings: services.map((s) => ({ type: "service" as const, name: s.binding, service: s.service, entrypoint: s.entrypoint, props: { ...s.props } })),
      keep_bindings: [...APP_KEEP_BINDINGS],
    }
    return script("app", backend.workerName, backend.id, code, metadata, { ...account, services, workers_dev: backend.workersDev, keep_vars: true })
  })
  return [product, ...apps]
}

function script(role: WorkerScript["role"], name: string, backend: string | undefined, code: string, metadata: UploadMetadata, bindings: Record<string, unknown>): WorkerScript {
  const wrangler = {
    name,
    main: `./${MAIN_MODULE}`,
    // The bundle is final: wrangler uploads it as is, exactly what layer uploads.
    no_bundle: true,
    compatibility_date: metadata.compatibility_date,
    ...(metadata.compatibility_flags.length ? { compatibility_flags: metadata.compatibility_flags } : {}),
    ...bindings,
  }
  const digest = createHash("sha256").update(JSON.stringify(metadata)).update("\0").update(code).digest("hex")
  return { role, name, ...(backend ? { backend } : {}), code, metadata, wrangler, digest }
}
