/**
 * A target is one environment the CLI writes to, with a way to read back the truth: the
 * local store (`dev`, decrypted with the user's key) or a Cloudflare account in the emulator
 * (`production`, through the emulator's value backdoor). Crash, fault and concurrency
 * matrices run the same scenarios against either.
 */
import { spawnProcess } from "../../helpers/processes.js"
import type { ChildProcess } from "node:child_process"
import { physicalName, sealingKeyDeclaration } from "@layeron/modules/naming"
import { createProject, DEFAULT_FILES, LAYER_BIN } from "../../helpers/project.js"
import type { LayerOptions, LayerRun, TestProject } from "../../helpers/project.js"
import { createCloudflareProject } from "./cloudflare.js"
import type { CloudflareProject, Emulator } from "./cloudflare.js"
import { auditSecrets, localStoreContents, rotationStates } from "./ground-truth.js"
import type { SecretAudit, StoredSecret } from "./ground-truth.js"

/**
 * The backend every matrix uses: three rotating secrets (one per retain mode, two kinds), a
 * random secret without rotation (deploy creates it), and a static one.
 */
export const RELIABILITY_API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
export const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
export const signingKey = secret.generated({ name: "signing-key", namespace: "auth", bytes: 16, rotation: { everyDays: 30, retain: { mode: "retain_forever" } } })
export const apiKey = secret.generated({ name: "api-key", namespace: "partners", rotation: { everyDays: 7, retain: { mode: "none" } } })
export const csrfKey = secret.random({ name: "csrf-key", namespace: "web" })
export const stripe = secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" })
app.use(sessionKey)
app.use(signingKey)
app.use(apiKey)
app.use(csrfKey)
app.use(stripe)
app.get("/", (c) => c.text("ok"))
export default app
`

export type TargetKind = "local" | "cloudflare"

export interface Target {
  kind: TargetKind
  project: TestProject
  environment: string
  /** `--env production` for Cloudflare; nothing for the local default. */
  envArgs: string[]
  /** The environment variables of a run (API base, token, short waits for Cloudflare). */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>
  /** `layer <args> <envArgs>`, waited for. */
  run(args: readonly string[], options?: LayerOptions): Promise<LayerRun>
  /** `layer <args> <envArgs>` as a child process the caller may kill. */
  spawn(args: readonly string[], options?: { env?: Record<string, string | undefined>; input?: string }): SpawnedLayer
  /** Every secret in the environment's store, with its value. */
  store(): Promise<Map<string, StoredSecret>>
  sealingKeyName: string
  cloudflare?: CloudflareProject
  cleanup(): Promise<void>
}

export interface SpawnedLayer {
  child: ChildProcess
  done: Promise<LayerRun>
}

export async function createLocalTarget(files: Readonly<Record<string, string>> = { "src/api.ts": RELIABILITY_API }): Promise<Target> {
  const project = await createProject(files)
  return {
    kind: "local",
    project,
    environment: "dev",
    envArgs: [],
    env: (extra = {}) => ({ ...extra }),
    run: (args, options = {}) => project.layer(args, options),
    spawn: (args, options = {}) => spawnLayer(args, project.root, project.env(options.env), options.input),
    store: () => localStoreContents(project.root, project.home, "dev"),
    sealingKeyName: await sealingKeyNameOf("dev"),
    cleanup: () => project.cleanup(),
  }
}

export async function createCloudflareTarget(emulator: Emulator, options: { maxRetryWaitMs?: number; files?: Readonly<Record<string, string>> } = {}): Promise<Target> {
  const project = await createCloudflareProject(emulator, { files: options.files ?? { "src/api.ts": RELIABILITY_API }, maxRetryWaitMs: options.maxRetryWaitMs ?? 5000 })
  const envArgs = ["--env", "production"]
  return {
    kind: "cloudflare",
    project,
    environment: "production",
    envArgs,
    env: (extra = {}) => project.apiEnv(extra),
    run: (args, runOptions = {}) => project.layer([...args, ...envArgs], { ...runOptions, env: project.apiEnv(runOptions.env) }),
    spawn: (args, spawnOptions = {}) => spawnLayer([...args, ...envArgs], project.root, project.env(project.apiEnv(spawnOptions.env)), spawnOptions.input),
    store: async () => {
      const secrets = new Map<string, StoredSecret>()
      for (const { name, modified } of project.storedSecrets()) secrets.set(name, { name, modified, value: project.valueOf(name) ?? "" })
      return secrets
    },
    sealingKeyName: await sealingKeyNameOf("production"),
    cloudflare: project,
    cleanup: () => project.cleanup(),
  }
}

async function sealingKeyNameOf(environment: string): Promise<string> {
  return physicalName({ workspace: "acme", project: "shop", environment, namespace: sealingKeyDeclaration.namespace, name: sealingKeyDeclaration.name })
}

/** Spawn the built CLI (like runLayer in the e2e helpers, but handing back the child to kill). */
export function spawnLayer(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, input?: string): SpawnedLayer {
  const { child, done } = spawnProcess(process.execPath, [LAYER_BIN, ...args], { cwd, env, ...(input !== undefined ? { input } : {}) })
  return { child, done }
}

/** What a matrix compares between a disturbed run (plus its rerun) and an undisturbed one. */
export interface EndState {
  /** Secret names in the store. */
  secrets: string[]
  /** Per secret with rotation state: the store's version ids and current, and the state's. */
  versions: Record<string, { store: string[]; storeCurrent: string | undefined; state: string[]; stateCurrent: string | undefined }>
}

export interface Observation {
  end: EndState
  audits: SecretAudit[]
}

export async function observeTarget(target: Target): Promise<Observation> {
  const store = await target.store()
  const states = await rotationStates(target.project.root, target.environment)
  const audits = await auditSecrets(store, states, target.sealingKeyName)
  const versions: EndState["versions"] = {}
  for (const audit of audits) {
    const state = states.get(audit.physicalName)
    versions[audit.physicalName] = {
      store: audit.storeVersions,
      storeCurrent: audit.storeCurrent,
      state: Object.keys(state?.versions ?? {}).sort(),
      stateCurrent: state?.current,
    }
  }
  return { end: { secrets: [...store.keys()].sort(), versions }, audits }
}

export { DEFAULT_FILES }
