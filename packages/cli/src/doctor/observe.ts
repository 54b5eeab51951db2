/**
 * What doctor looks at, with reads only: the project's declarations (physical names in every
 * environment of the config), the rotation state's sealed copies (their sizes give each
 * envelope's size without reading a value), the store's secrets with their status, the
 * account's quota, the deployed product Worker's bindings (its wrangler.jsonc artifact) and,
 * on Cloudflare, the token and what it may read.
 */
import { join } from "node:path"
import { serializeEnvelope } from "@layeron/modules/envelope"
import { physicalName, sealingKeyDeclaration } from "@layeron/modules/naming"
import type { LoadedProject } from "../config/index.js"
import { tokenFingerprint } from "../credentials/fingerprint.js"
import { resolveCloudflareCredentials } from "../credentials/resolve.js"
import { permissionReport, probeSecretsStore, probeWorkersScripts, requireActive, verifyToken } from "../credentials/verify.js"
import type { PermissionReport } from "../credentials/verify.js"
import { workerArtifactDir } from "../deploy/artifacts.js"
import { projectWorkers } from "../deploy/backends.js"
import { isLayerError } from "../errors.js"
import { readTextIfExists } from "../fs/read-if-exists.js"
import { CloudflareApi } from "../providers/cloudflare/api.js"
import { getQuota, listAllSecrets, listAllStores } from "../providers/cloudflare/secrets.js"
import { createLocalProvider } from "../providers/local/index.js"
import { readSecretState } from "../rotation/index.js"
import type { SecretCatalog } from "../secrets/catalog.js"
import { emptyPacksFile, isPacked, packingContext, readPacksFile, withAssignment } from "../packing/index.js"
import type { DeployedBinding, EnvelopeSize, PackingView } from "./checks.js"

export interface CredentialsView {
  source: string
  tokenFingerprint: string
  accountId: string
  accountIdSource: string
  /** undefined when the token checks out; else what went wrong, and how to fix it. */
  problem?: { message: string; hint?: string }
  permissions?: PermissionReport
}

export interface Observed {
  credentials?: CredentialsView
  quota?: { quota: number; usage: number }
  /** Secret name → status (`active`, `pending`; undefined for the local store). */
  stored: Map<string, string | undefined>
  sizes: EnvelopeSize[]
  /** Every physical name a declaration of this project has, in any environment (and the sealing keys). */
  named: Set<string>
  deployedBindings?: DeployedBinding[]
  /** Cloudflare: this environment's physical secrets now, packed and unpacked. */
  packing?: PackingView
}

export async function observe(project: LoadedProject, catalog: SecretCatalog, context: { home: string; env: NodeJS.ProcessEnv; warn: (m: string) => void; debug: (m: string) => void }): Promise<Observed> {
  const environment = project.environment.name
  const named = await namedEverywhere(project)
  const sizes = await Promise.all(
    [...catalog.declared.map((secret) => ({ id: secret.declaration.id, physicalName: secret.physicalName })), { id: sealingKeyDeclaration.id, physicalName: catalog.sealingKeyName }].map(async (secret) => ({
      ...secret,
      bytes: await envelopeBytes(project.root, environment, secret.physicalName),
    })),
  )
  const ids = new Map([...catalog.declared.map((secret) => [secret.physicalName, secret.declaration.id] as const), [catalog.sealingKeyName, sealingKeyDeclaration.id]])
  const deployedBindings = await readDeployedBindings(project, ids)
  const config = project.environment.config
  if (config.provider === "local") {
    const provider = createLocalProvider({ projectRoot: project.root, environment, home: context.home, owner: { workspace: project.config.workspace, project: project.config.name } })
    const stored = new Map((await provider.listAll()).map((secret) => [secret.name, undefined] as const))
    return { stored, sizes, named, ...(deployedBindings ? { deployedBindings } : {}) }
  }

  const credentials = await resolveCloudflareCredentials({ name: environment, accountId: config.accountId }, { home: context.home, env: context.env, warn: context.warn })
  const api = new CloudflareApi({ apiToken: credentials.apiToken.reveal(), env: context.env, debug: context.debug })
  const view: CredentialsView = {
    source: credentials.source,
    tokenFingerprint: tokenFingerprint(credentials.apiToken),
    accountId: credentials.accountId,
    accountIdSource: credentials.accountIdSource,
  }
  const base = { stored: new Map<string, string | undefined>(), sizes, named, ...(deployedBindings ? { deployedBindings } : {}) }
  try {
    requireActive(await verifyToken(api, credentials.accountId))
    await probeSecretsStore(api, credentials.accountId)
  } catch (error) {
    if (!isLayerError(error)) throw error
    return { ...base, credentials: { ...view, problem: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) }, permissions: permissionReport(false, undefined) } }
  }
  const workers = await probeWorkersScripts(api, credentials.accountId)
  view.permissions = permissionReport(true, workers)
  if (!workers.access) view.problem = { message: workers.problem, hint: workers.hint }
  const quota = (await getQuota(api, credentials.accountId)).secrets
  const [store] = await listAllStores(api, credentials.accountId)
  const stored = new Map<string, string | undefined>()
  if (store) {
    for (const secret of await listAllSecrets(api, credentials.accountId, store.id)) stored.set(secret.name, secret.status)
  }
  return { ...base, credentials: view, quota, stored, packing: await packingView(project, catalog, stored) }
}

/** What packing means here, from the store's names and the rotation states (no value read). */
async function packingView(project: LoadedProject, catalog: SecretCatalog, stored: ReadonlyMap<string, unknown>): Promise<PackingView> {
  const environment = project.environment.name
  const context = packingContext({ projectRoot: project.root, environment, owner: { workspace: project.config.workspace, project: project.config.name }, catalog })
  const file = (await readPacksFile(project.root, environment).catch(() => undefined)) ?? emptyPacksFile(environment)
  const inPack = new Set(file.packs.flatMap((pack) => pack.members.filter((member) => member.anchor !== undefined).map((member) => member.physicalName)))
  const holding = context.members.filter((member) => stored.has(member.physicalName) || inPack.has(member.physicalName))
  const ours = new Set([catalog.sealingKeyName, ...catalog.declared.map((secret) => secret.physicalName), ...file.packs.map((pack) => pack.physicalName)])
  const physical = [...stored.keys()].filter((name) => ours.has(name)).length
  const sealing = stored.has(catalog.sealingKeyName) ? 1 : 0
  const adopted = catalog.declared.filter((secret) => secret.declaration.secretName !== undefined && stored.has(secret.physicalName)).length
  const estimate = await withAssignment({ ...context, members: holding }, emptyPacksFile(environment)).catch(() => undefined)
  const packs = estimate ? estimate.packs.length : holding.length
  return { packed: isPacked(project.environment.config), physical, physicalPacked: sealing + adopted + packs, physicalUnpacked: sealing + adopted + holding.length }
}

/** Physical names of every declaration and sealing key, in every environment of the config. */
async function namedEverywhere(project: LoadedProject): Promise<Set<string>> {
  const named = new Set<string>()
  for (const environment of Object.keys(project.config.environments)) {
    // Packs are named by packs.json (docs/design.md#packing), not by a declaration.
    for (const pack of (await readPacksFile(project.root, environment).catch(() => undefined))?.packs ?? []) named.add(pack.physicalName)
    const parts = { workspace: project.config.workspace, project: project.config.name, environment }
    named.add(await physicalName({ ...parts, namespace: sealingKeyDeclaration.namespace, name: sealingKeyDeclaration.name }))
    for (const { declaration } of project.declarations) named.add(declaration.secretName ?? (await physicalName({ ...parts, namespace: declaration.namespace, name: declaration.name })))
  }
  return named
}

/**
 * The envelope's size as layer last wrote it, from the sealed copies in the rotation state:
 * a sealed copy's ciphertext is the value's UTF-8 bytes plus a 16-byte tag, so the envelope
 * is rebuilt with same-length stand-ins and measured. Exact for random and generated values
 * (base64url); at least that for others (JSON escaping only adds).
 */
async function envelopeBytes(root: string, environment: string, name: string): Promise<number | undefined> {
  const state = await readSecretState(root, environment, name).catch(() => undefined)
  if (!state?.current || Object.keys(state.versions).length === 0) return undefined
  try {
    const versions = Object.fromEntries(
      Object.entries(state.versions).map(([id, version]) => {
        const ciphertext = version.sealed.split(".")[3] ?? ""
        const bytes = Math.max(0, Buffer.from(ciphertext, "base64url").byteLength - 16)
        return [id, { value: "x".repeat(bytes), ...(version.createdAt ? { createdAt: version.createdAt } : {}), ...(version.expiresAt ? { expiresAt: version.expiresAt } : {}) }]
      }),
    )
    return Buffer.byteLength(serializeEnvelope({ current: state.current, versions }))
  } catch {
    return undefined
  }
}

/** The product Worker's Secrets Store bindings as last deployed (its wrangler.jsonc artifact). */
async function readDeployedBindings(project: LoadedProject, ids: ReadonlyMap<string, string>): Promise<DeployedBinding[] | undefined> {
  const { productWorkerName } = projectWorkers(project)
  const path = join(workerArtifactDir(project.root, project.environment.name, productWorkerName), "wrangler.jsonc")
  const text = await readTextIfExists(path).catch((error: unknown) => {
    if (isLayerError(error)) throw error
    return undefined
  })
  if (text === undefined) return undefined
  try {
    const config = JSON.parse(text.split("\n").filter((line) => !line.trimStart().startsWith("//")).join("\n")) as { secrets_store_secrets?: Array<{ binding: string; secret_name: string }> }
    return (config.secrets_store_secrets ?? []).map((s) => ({ binding: s.binding, secretName: s.secret_name, ...(ids.has(s.secret_name) ? { id: ids.get(s.secret_name)! } : {}) }))
  } catch {
    return undefined
  }
}
