/**
 * The stand-in Secret Product Worker: the same `read`/`active`/`versions`/`use` code the
 * deployed one runs (worker/read.ts and worker/use.ts: manifest lookup, envelope parse,
 * selection at `now`, `expose` refusals, sealed versions opened with the sealing key, the
 * helpers run on a `use` key in place), over an in-memory store instead of Secrets
 * Store bindings. Only the manifest is built here, from the declarations, as the binding
 * plan builds it for a deploy.
 */
import { manifestEntry, secretBindingName } from "../binding-plan/index.js"
import type { SecretDeclaration } from "../declare/types.js"
import { physicalName } from "../naming/index.js"
import { sealingKeyDeclaration } from "../naming/index.js"
import { ProductFailure } from "../worker/failure.js"
import type { SecretManifest } from "../worker/manifest.js"
import { forgetOpenedVersions } from "../worker/open-version.js"
import type { SecretProductRpc } from "../worker/protocol.js"
import { readActive, readOne, readVersionInfo } from "../worker/read.js"
import { reply } from "../worker/reply.js"
import type { WorkerEnv } from "../worker/stored-envelope.js"
import { useKey } from "../worker/use.js"
import type { TestClock } from "./clock.js"
import type { StoredSecret } from "./values.js"

/** The parts physical names are derived from; sealed copies are bound to those names. */
export interface TestNames {
  workspace: string
  project: string
  environment: string
}

export interface ProductInput {
  store: Map<string, StoredSecret>
  clock: TestClock
  names: TestNames
  /** The sealing private key (JWK as JSON text), if the test gave one. */
  sealingKey: string | undefined
  /** The declarations the app registers with `app.use()`, when the test named the app. */
  registered: ReadonlyMap<string, SecretDeclaration> | undefined
  /** The backend the reads come from: the app's `backend({ name })`, when the test named the app. */
  caller: string | undefined
}

/** Without `{ app }`, reads come from this backend, which registers every secret the test gives. */
const ANY_BACKEND = "(any backend: testSecrets without { app })"

/** The product that read last: each test's product stands for its own isolate (see open-version.ts). */
let lastReader: ProductInput | undefined

/**
 * `reader` is the declaration of the module that reads, when a read comes through `run()`:
 * it decides `expose`, the format and the name of a secret the test gave by name only.
 */
export function createTestProduct(input: ProductInput, reader?: SecretDeclaration): SecretProductRpc {
  /** One call as the deployed product answers it: at the test's `now`, from this backend. */
  const serve = <T>(secretId: string, call: (env: WorkerEnv, manifest: SecretManifest, caller: string, now: Date) => Promise<T>) => {
    const now = input.clock.now()
    return reply(secretId, async () => {
      const [env, manifest] = await snapshot(input, secretId, reader)
      return call(env, manifest, input.caller ?? ANY_BACKEND, now)
    })
  }
  return {
    read: (secretId, selector) => serve(secretId, (env, manifest, caller, now) => readOne(env, manifest, caller, secretId, selector, now)),
    active: (secretId) => serve(secretId, (env, manifest, caller, now) => readActive(env, manifest, caller, secretId, now)),
    versions: (secretId) => serve(secretId, (env, manifest, caller, now) => readVersionInfo(env, manifest, caller, secretId, now)),
    use: (secretId, operation) => serve(secretId, (env, manifest, caller, now) => useKey(env, manifest, caller, secretId, operation, now)),
  }
}

/**
 * The declaration the manifest entry is built from, as a deploy builds it from what the app
 * registers: the app's (when the test named it), else the module the value was keyed by,
 * else the module that reads.
 */
export function declarationOf(input: ProductInput, secretId: string, reader?: SecretDeclaration): SecretDeclaration | undefined {
  return input.registered?.get(secretId) ?? input.store.get(secretId)?.declaration ?? (reader?.id === secretId ? reader : undefined)
}

/** The Cloudflare name a secret would have in the test's environment (what sealed copies are bound to). */
export async function testPhysicalName(names: TestNames, secretId: string, declaration: SecretDeclaration | undefined): Promise<string> {
  if (declaration?.secretName !== undefined) return declaration.secretName
  const [namespace, name] = secretId.split("/") as [string, string]
  return physicalName({ ...names, namespace, name })
}

/** The env and manifest a deployed product would have for this one secret, at this moment. */
async function snapshot(input: ProductInput, secretId: string, reader: SecretDeclaration | undefined): Promise<[WorkerEnv, SecretManifest]> {
  if (lastReader !== input) forgetOpenedVersions()
  lastReader = input
  const sealingName = await physicalName({ ...input.names, namespace: sealingKeyDeclaration.namespace, name: sealingKeyDeclaration.name })
  const sealingKeyBinding = secretBindingName(sealingName)
  const env: WorkerEnv = { [sealingKeyBinding]: storeBinding(sealingName, input.sealingKey ?? null) }
  // As deployed: the product serves the calling backend only what it registers with app.use()
  // (worker/caller.ts decides, in readOne/readActive); without { app }, every given secret.
  const allowed = input.registered === undefined ? [secretId] : [...input.registered.keys()]
  const manifest: SecretManifest = { version: 1, secrets: {}, sealingKeyBinding, backends: { [input.caller ?? ANY_BACKEND]: allowed } }
  const stored = input.store.get(secretId)
  if (stored === undefined) {
    if (!allowed.includes(secretId)) return [env, manifest]
    throw notGiven(secretId)
  }
  const declaration = declarationOf(input, secretId, reader)
  const name = await testPhysicalName(input.names, secretId, declaration)
  // testSecrets stores each secret on its own (never packed), so its entry has a binding.
  const binding = secretBindingName(name)
  const entry = declaration === undefined ? { binding, physicalName: name, format: "text" as const, expose: "versioned" as const } : manifestEntry(declaration, name)
  env[binding] = storeBinding(name, stored.text)
  manifest.secrets[secretId] = entry
  return [env, manifest]
}

/** A Secrets Store binding: `get()` gives the text, or fails as miniflare does for a missing secret. */
function storeBinding(name: string, text: string | null): { get(): Promise<string> } {
  return {
    get: async () => {
      if (text === null) throw new Error(`Secret "${name}" not found`)
      return text
    },
  }
}

/** Production's "not bound to the Secret Product Worker", worded for a test. */
function notGiven(secretId: string): ProductFailure {
  return new ProductFailure(
    "secret_not_found",
    secretId,
    `Secret "${secretId}" is not among the values given to testSecrets(), so it reads as a secret the Secret Product Worker does not bind. Add it: testSecrets({ "${secretId}": … }), or null for a declared secret with no value yet.`,
  )
}
