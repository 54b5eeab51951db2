/**
 * The binding plan in a neutral form: which Secrets Store secrets the Secret Product Worker
 * binds, its manifest, and the service binding each app Worker gets. Renderers turn it into
 * miniflare options or wrangler config.
 */
import type { SecretDeclaration } from "../declare/types.js"
import type { SecretManifest } from "../worker/manifest.js"

export interface BindingPlanInput {
  declarations: SecretDeclaration[]
  /** Physical (Cloudflare) secret name per `namespace/name`: `lo_…` or an adopted name. */
  physicalNames: Record<string, string>
  /** The physical name of `layeron/sealing-key` in this environment. */
  sealingKeyPhysicalName: string
  storeId: string
  productWorkerName: string
  /** Every backend of the project, with what it registers: the product serves each only its own. */
  backends: BackendRegistration[]
  /**
   * A packed environment's packs (docs/design.md#packing): which declarations live in which
   * pack. The product Worker gets one Secrets Store binding per pack, not per member, and each
   * member's manifest entry points at its pack. Declarations in no pack keep their own
   * secret. Absent or empty: nothing is packed.
   */
  packs?: readonly PackPlacement[]
}

/** One pack: its physical name (`packPhysicalName`) and the declaration ids it holds. */
export interface PackPlacement {
  physicalName: string
  /** Declaration ids (`namespace/name`); each declared, none adopted (`secretName`), none in two packs. */
  members: readonly string[]
}

/** One backend of the project, as the Secret Product Worker's allow-list sees it. */
export interface BackendRegistration {
  /** The backend id: its key in layeron.config.ts `backends`. */
  id: string
  /** Its app Worker, when layer deploys it; absent for a Worker another tool deploys (`--product-only`). */
  workerName?: string
  /** The secret ids (`namespace/name`) it registers with `app.use()` or its `layeron` export. */
  secrets: readonly string[]
}

export interface SecretsStoreBinding {
  binding: string
  storeId: string
  secretName: string
}

export interface ServiceBinding {
  binding: string
  service: string
  entrypoint: string
  /** Handed to the product as `ctx.props`: which backend this binding belongs to. */
  props: { backend: string }
}

export interface BindingPlan {
  product: {
    workerName: string
    /** Sorted by binding name: one per unpacked declared secret, one per pack, plus the sealing key. */
    secretsStoreSecrets: SecretsStoreBinding[]
    manifest: SecretManifest
    /** Plain vars of the product Worker; the manifest travels as a JSON var. */
    vars: Record<string, SecretManifest>
  }
  apps: { workerName: string; services: ServiceBinding[] }[]
}
