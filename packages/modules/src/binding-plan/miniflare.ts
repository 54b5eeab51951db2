/**
 * The plan as miniflare v4 worker options, to merge into each worker's own options (script,
 * compatibility date…). Shapes are declared here so @layeron/modules needs no miniflare.
 */
import type { SecretManifest } from "../worker/manifest.js"
import type { BindingPlan } from "./types.js"

export interface MiniflareProductOptions {
  name: string
  /** miniflare's option keeps Cloudflare's snake_case keys. */
  secretsStoreSecrets: Record<string, { store_id: string; secret_name: string }>
  /** An object value becomes a JSON binding: the worker sees the manifest already parsed. */
  bindings: Record<string, SecretManifest>
}

export interface MiniflareAppOptions {
  /** `props` reach the product as `ctx.props` (miniflare's serviceBindings option, like wrangler's). */
  serviceBindings: Record<string, { name: string; entrypoint: string; props: { backend: string } }>
}

export interface MiniflareBindingOptions {
  product: MiniflareProductOptions
  /** Keyed by app Worker name. */
  apps: Record<string, MiniflareAppOptions>
}

export function toMiniflareWorkerOptions(plan: BindingPlan): MiniflareBindingOptions {
  const secretsStoreSecrets: MiniflareProductOptions["secretsStoreSecrets"] = {}
  for (const s of plan.product.secretsStoreSecrets) secretsStoreSecrets[s.binding] = { store_id: s.storeId, secret_name: s.secretName }
  const apps: Record<string, MiniflareAppOptions> = {}
  for (const app of plan.apps) {
    const serviceBindings: MiniflareAppOptions["serviceBindings"] = {}
    for (const s of app.services) serviceBindings[s.binding] = { name: s.service, entrypoint: s.entrypoint, props: { ...s.props } }
    apps[app.workerName] = { serviceBindings }
  }
  return { product: { name: plan.product.workerName, secretsStoreSecrets, bindings: { ...plan.product.vars } }, apps }
}
