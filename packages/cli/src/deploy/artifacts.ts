/**
 * What a deploy leaves in the project, under `.layeron/deploy/<env>/`:
 * - `state.json`: what was deployed (Worker names, digests, upload times, secret statuses);
 *   names and hashes only, no value, so it is safe to commit;
 * - per Worker, `<worker>/index.js` (the bundle) and `<worker>/wrangler.jsonc` pointing at it,
 *   which `wrangler deploy --config` accepts as it is: the same script and bindings.
 * Every file is replaced atomically.
 */
import { join } from "node:path"
import { writeFileAtomic } from "../fs/atomic.js"
import { projectStateDir } from "../paths.js"
import { MAIN_MODULE } from "./bundle.js"
import type { NodeStatus } from "./types.js"
import type { WorkerScript } from "./workers.js"
import { readTextIfExists } from "../fs/read-if-exists.js"
import { makeDirectory } from "../fs/safe-path.js"

export const DEPLOY_STATE_FORMAT = "layeron.deploy/v1"

export interface DeployedWorker {
  role: WorkerScript["role"]
  backend?: string
  /** Digest of the last upload that succeeded (or, locally, of the artifacts last written). */
  digest: string
  compatibilityDate: string
  /** When Cloudflare accepted the upload; absent for local environments. */
  uploadedAt?: string
}

export interface DeployState {
  format: typeof DEPLOY_STATE_FORMAT
  environment: string
  provider: "local" | "cloudflare"
  accountId?: string
  store?: { id: string; name: string }
  deployedAt: string
  secrets: Array<{ id: string; physicalName: string; status: NodeStatus }>
  /** Keyed by Worker script name. */
  workers: Record<string, DeployedWorker>
}

export function deployDir(projectRoot: string, environment: string): string {
  return join(projectStateDir(projectRoot), "deploy", environment)
}

export function deployStatePath(projectRoot: string, environment: string): string {
  return join(deployDir(projectRoot, environment), "state.json")
}

export function workerArtifactDir(projectRoot: string, environment: string, workerName: string): string {
  return join(deployDir(projectRoot, environment), workerName)
}

/**
 * The last deploy's state, or undefined. A damaged file only costs re-uploads (it is what
 * tells an unchanged Worker apart), so it is reported through `warn` and ignored.
 */
export async function readDeployState(projectRoot: string, environment: string, warn: (message: string) => void): Promise<DeployState | undefined> {
  const path = deployStatePath(projectRoot, environment)
  const text = await readTextIfExists(path)
  if (text === undefined) return undefined
  try {
    const state = JSON.parse(text) as Partial<DeployState>
    if (state.format === DEPLOY_STATE_FORMAT && typeof state.workers === "object" && state.workers !== null) return state as DeployState
  } catch {
    // fall through
  }
  warn(`${path} is not a deploy state this layer can read; it is ignored and rewritten (every Worker is uploaded again)`)
  return undefined
}

export async function writeDeployState(projectRoot: string, state: DeployState): Promise<string> {
  const path = deployStatePath(projectRoot, state.environment)
  await makeDirectory(deployDir(projectRoot, state.environment))
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`)
  return path
}

/** Writes `<worker>/index.js` and `<worker>/wrangler.jsonc`; returns the config's path. */
export async function writeWorkerArtifacts(projectRoot: string, environment: string, script: WorkerScript): Promise<string> {
  const dir = workerArtifactDir(projectRoot, environment, script.name)
  await makeDirectory(dir)
  await writeFileAtomic(join(dir, MAIN_MODULE), script.code)
  const config = join(dir, "wrangler.jsonc")
  await writeFileAtomic(config, renderWranglerConfig(script, environment))
  return config
}

export function renderWranglerConfig(script: WorkerScript, environment: string): string {
  const role = script.role === "product" ? "the Secret Product Worker" : `the app Worker of backend "${script.backend}"`
  return [
    `// ${role}, written by \`layer deploy --env ${environment}\`; the next deploy rewrites this file.`,
    "// `wrangler deploy --config <this file>` uploads the same script with the same bindings.",
    JSON.stringify(script.wrangler, null, 2),
    "",
  ].join("\n")
}
