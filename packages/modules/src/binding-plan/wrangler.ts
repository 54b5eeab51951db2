/**
 * The plan as wrangler.jsonc fragments (`secrets_store_secrets`, `services`, `vars`), to
 * merge into each Worker's config. Keys follow wrangler's config schema.
 */
import type { SecretManifest } from "../worker/manifest.js"
import type { BindingPlan } from "./types.js"

export interface WranglerProductConfig {
  name: string
  secrets_store_secrets: { binding: string; store_id: string; secret_name: string }[]
  /** An object var is uploaded as a JSON binding. */
  vars: Record<string, SecretManifest>
}

export interface WranglerAppConfig {
  /** wrangler's `services[].props` ("made available to the service via ctx.props"). */
  services: { binding: string; service: string; entrypoint: string; props: { backend: string } }[]
}

export interface WranglerBindingConfig {
  product: WranglerProductConfig
  /** Keyed by app Worker name. */
  apps: Record<string, WranglerAppConfig>
}

export function toWranglerConfig(plan: BindingPlan): WranglerBindingConfig {
  const apps: Record<string, WranglerAppConfig> = {}
  for (const app of plan.apps) apps[app.workerName] = { services: app.services.map((s) => ({ ...s, props: { ...s.props } })) }
  return {
    product: {
      name: plan.product.workerName,
      secrets_store_secrets: plan.product.secretsStoreSecrets.map((s) => ({ binding: s.binding, store_id: s.storeId, secret_name: s.secretName })),
      vars: { ...plan.product.vars },
    },
    apps,
  }
}
