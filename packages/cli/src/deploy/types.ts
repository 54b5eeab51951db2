/**
 * The deploy graph's vocabulary. A node is one thing `layer deploy` makes sure of (the
 * store, a secret, the sealing key, a Worker); its status says where it stands, and its
 * step (if any) is what apply will do about it. The `--json` document is the nodes, as is.
 */
import type { SecretDeclaration } from "@layeron/modules/declare"

export type NodeKind = "store" | "secret" | "sealing_key" | "product_worker" | "app_worker"

/**
 * - `ready`: present and as wanted; nothing to do.
 * - `create`: apply will create (or upload) it; after apply: it was not reached.
 * - `created`: apply created (or uploaded) it.
 * - `external_value_required`: an operator's value is missing: `command` says how to write it.
 * - `conflict`: needs a person's decision; apply writes nothing while one exists.
 * - `error`: failed; `detail` and `hint` say why and how to fix it.
 */
export type NodeStatus = "ready" | "create" | "created" | "external_value_required" | "conflict" | "error"

export interface DeployNode {
  kind: NodeKind
  /** `namespace/name` for secrets, the backend id for app Workers. */
  id: string
  /** The name in the provider: secret name, store name or Worker script name. */
  physicalName?: string
  status: NodeStatus
  detail?: string
  /** The command that resolves an external_value_required node. */
  command?: string
  hint?: string
  /** App Workers with workers.dev on: `https://<worker>.<account subdomain>.workers.dev`. */
  url?: string
}

export interface DeployDocument {
  environment: string
  provider: "local" | "cloudflare"
  dryRun: boolean
  nodes: DeployNode[]
  /** Where the artifacts (state.json, per-Worker wrangler.jsonc and bundle) are written. */
  artifacts: string
}

/** A backend ready to be bundled: what the config and its `backend()` app say. */
export interface BackendTarget {
  id: string
  file: string
  workerName: string
  compatibilityDate: string
  /** As declared, plus `rpc` when the date predates RPC (see `rpcFlagAdded`). */
  compatibilityFlags: string[]
  /** Deploy added the `rpc` flag: the date is before 2024-04-03, when RPC became the default. */
  rpcFlagAdded?: true
  /** Turn on the Worker's workers.dev route (the environment's `workersDev`, default on). */
  workersDev: boolean
}

/** A random secret that apply creates. */
export interface RandomSecretStep {
  kind: "create_random"
  declaration: SecretDeclaration
  physicalName: string
}

export type DeployStep =
  | { kind: "create_store" }
  | { kind: "create_sealing_key" }
  | RandomSecretStep
  /**
   * Upload the Worker (Cloudflare), or just write its artifacts (local); `upload: false` when
   * only its workers.dev route changes (absent: upload). `workersDev`: switch the route on or off afterwards.
   */
  | { kind: "deploy_worker"; workerName: string; upload?: boolean; workersDev?: "enable" | "disable" }

/** A node and what apply does about it (nothing for ready, external or conflicting nodes). */
export interface PlannedNode {
  node: DeployNode
  step?: DeployStep
}
