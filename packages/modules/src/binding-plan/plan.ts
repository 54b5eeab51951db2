/**
 * `planBindings()`: a pure function from declarations and physical names to the bindings
 * that let app Workers read them (docs/design.md#runtime). No I/O; the CLI renders and applies it.
 */
import { CLOUDFLARE_SECRET_NAME_PATTERN, RESERVED_NAMESPACE } from "../limits.js"
import { isPhysicalName } from "../naming/index.js"
import type { SecretDeclaration } from "../declare/types.js"
import type { SecretManifest, SecretManifestEntry } from "../worker/manifest.js"
import { CALLER_PROP, SECRET_MANIFEST_VAR, SECRET_PRODUCT_BINDING, SECRET_PRODUCT_ENTRYPOINT } from "../worker/protocol.js"
import { secretBindingName } from "./binding-name.js"
import { BindingPlanError } from "./errors.js"
import type { BackendRegistration, BindingPlan, BindingPlanInput, SecretsStoreBinding, ServiceBinding } from "./types.js"

export function planBindings(input: BindingPlanInput): BindingPlan {
  checkWorkers(input)
  checkName(input.storeId.trim() !== "", `storeId is empty: resolve the account's Secrets Store first`)
  checkPhysicalName(input.sealingKeyPhysicalName, "the sealing key (layeron/sealing-key)")

  const secrets: Record<string, SecretManifestEntry> = {}
  // Physical name → what it is: every name must be distinct, bound or not (a packed member's own
  // name is its sealing context, and no longer a secret in the store).
  const ownerOf = new Map<string, string>([[input.sealingKeyPhysicalName, "layeron/sealing-key"]])
  const bound = [input.sealingKeyPhysicalName]
  const claim = (physicalName: string, owner: string) => {
    const other = ownerOf.get(physicalName)
    if (other !== undefined) throw new BindingPlanError(`${describeOwners(other, owner)} both map to the secret name ${physicalName}; each needs its own Cloudflare secret.`)
    ownerOf.set(physicalName, owner)
  }
  const packOf = packsByMember(input, claim, bound)
  for (const declaration of [...input.declarations].sort((a, b) => compare(a.id, b.id))) {
    if (Object.hasOwn(secrets, declaration.id)) throw new BindingPlanError(`Secret "${declaration.id}" is declared twice; declarations must be deduplicated before planning bindings.`)
    const physicalName = physicalNameOf(declaration, input.physicalNames)
    claim(physicalName, declaration.id)
    const common = { physicalName, format: declaration.format, expose: declaration.expose }
    const pack = packOf.get(declaration.id)
    if (pack !== undefined && declaration.secretName !== undefined) {
      throw new BindingPlanError(`Secret "${declaration.id}" adopts the operator-named secret ${declaration.secretName}, so it cannot be packed into ${pack}: an adopted secret keeps its own name.`)
    }
    if (pack === undefined) bound.push(physicalName)
    secrets[declaration.id] = pack === undefined ? { ...common, binding: secretBindingName(physicalName) } : { ...common, pack: { binding: secretBindingName(pack), name: pack } }
  }
  for (const [member, pack] of packOf) {
    if (!Object.hasOwn(secrets, member)) throw new BindingPlanError(`Pack ${pack} lists "${member}", which is not among the declarations; plan packs with declared ids only.`)
  }

  const manifest: SecretManifest = { version: 1, secrets, sealingKeyBinding: secretBindingName(input.sealingKeyPhysicalName), backends: allowLists(input.backends, secrets) }
  const secretsStoreSecrets: SecretsStoreBinding[] = bound
    .map((secretName) => ({ binding: secretBindingName(secretName), storeId: input.storeId, secretName }))
    .sort((a, b) => compare(a.binding, b.binding))

  return {
    product: { workerName: input.productWorkerName, secretsStoreSecrets, manifest, vars: { [SECRET_MANIFEST_VAR]: manifest } },
    apps: input.backends
      .flatMap((backend) => (backend.workerName === undefined ? [] : [{ workerName: backend.workerName, backend: backend.id }]))
      .sort((a, b) => compare(a.workerName, b.workerName))
      .map(({ workerName, backend }) => ({ workerName, services: [serviceBinding(input.productWorkerName, backend)] })),
  }
}

/**
 * Member id → its pack's physical name, checking each pack: a Layeron name of its own, at
 * least one member, no member twice and never the sealing key (it stays its own secret).
 */
function packsByMember(input: BindingPlanInput, claim: (physicalName: string, owner: string) => void, bound: string[]): Map<string, string> {
  const packOf = new Map<string, string>()
  for (const pack of input.packs ?? []) {
    checkName(isPhysicalName(pack.physicalName), `The pack name ${JSON.stringify(pack.physicalName)} is not a pack's physical name (lo_ and 24 hex digits, from packPhysicalName()).`)
    claim(pack.physicalName, `${PACK_OWNER}${pack.physicalName}`)
    bound.push(pack.physicalName)
    checkName(pack.members.length > 0, `Pack ${pack.physicalName} has no members; leave an empty pack out of the plan.`)
    for (const member of pack.members) {
      checkName(!member.startsWith(`${RESERVED_NAMESPACE}/`), `Pack ${pack.physicalName} lists "${member}": the "${RESERVED_NAMESPACE}" namespace is never packed.`)
      const other = packOf.get(member)
      checkName(other === undefined, `Secret "${member}" is listed in pack ${other} and pack ${pack.physicalName}; a declaration lives in one pack.`)
      packOf.set(member, pack.physicalName)
    }
  }
  return packOf
}

const PACK_OWNER = "pack "

/** `Secrets "a" and "b"`, or with a pack: `Secret "a" and pack lo_…`. */
function describeOwners(first: string, second: string): string {
  const isPack = (owner: string) => owner.startsWith(PACK_OWNER)
  if (!isPack(first) && !isPack(second)) return `Secrets "${first}" and "${second}"`
  const show = (owner: string) => (isPack(owner) ? owner : `secret "${owner}"`)
  const text = `${show(first)} and ${show(second)}`
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** The binding an app Worker of `backend` reaches the product through (also printed by `deploy --product-only`). */
export function serviceBinding(productWorkerName: string, backend: string): ServiceBinding {
  return { binding: SECRET_PRODUCT_BINDING, service: productWorkerName, entrypoint: SECRET_PRODUCT_ENTRYPOINT, props: { [CALLER_PROP]: backend } as { backend: string } }
}

/** Backend id → the declared secrets it registers, sorted; a registration of an undeclared id is a bug upstream. */
function allowLists(backends: readonly BackendRegistration[], secrets: Record<string, SecretManifestEntry>): Record<string, string[]> {
  const seen = new Set<string>()
  const lists: Array<[string, string[]]> = []
  for (const backend of [...backends].sort((a, b) => compare(a.id, b.id))) {
    checkName(backend.id.trim() !== "", "backends holds an empty backend id")
    if (seen.has(backend.id)) throw new BindingPlanError(`Backend "${backend.id}" is listed twice; each backend needs one entry.`)
    seen.add(backend.id)
    for (const id of backend.secrets) {
      if (!Object.hasOwn(secrets, id)) throw new BindingPlanError(`Backend "${backend.id}" registers "${id}", which is not among the declarations; plan with every declaration the backends register.`)
    }
    lists.push([backend.id, [...new Set(backend.secrets)].sort(compare)])
  }
  // fromEntries defines own properties, so an id such as "__proto__" stays a plain key.
  return Object.fromEntries(lists)
}

/** An adopted declaration (`secretName`) may be absent from `physicalNames`. */
function physicalNameOf(declaration: SecretDeclaration, physicalNames: Record<string, string>): string {
  const name = Object.hasOwn(physicalNames, declaration.id) ? physicalNames[declaration.id] : declaration.secretName
  if (name === undefined) throw new BindingPlanError(`Secret "${declaration.id}" has no physical name: add it to physicalNames (derive it with physicalName() from naming/).`)
  checkPhysicalName(name, `secret "${declaration.id}"`)
  return name
}

function checkPhysicalName(name: string, what: string): void {
  checkName(CLOUDFLARE_SECRET_NAME_PATTERN.test(name), `The secret name ${JSON.stringify(name)} of ${what} is not a Cloudflare secret name (${CLOUDFLARE_SECRET_NAME_PATTERN}).`)
}

function checkWorkers(input: BindingPlanInput): void {
  checkName(input.productWorkerName.trim() !== "", "productWorkerName is empty: name the Secret Product Worker")
  const seen = new Set<string>()
  for (const { workerName: app } of input.backends) {
    if (app === undefined) continue
    checkName(app.trim() !== "", "backends holds an empty app Worker name")
    checkName(app !== input.productWorkerName, `The app Worker "${app}" has the Secret Product Worker's name; give the product Worker its own name.`)
    checkName(!seen.has(app), `Two backends have the app Worker name "${app}"; each backend needs its own Worker.`)
    seen.add(app)
  }
}

function checkName(ok: boolean, message: string): void {
  if (!ok) throw new BindingPlanError(message)
}

/** Code-unit order, not locale order, so the plan is identical on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
