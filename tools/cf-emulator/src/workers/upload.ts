/**
 * Reading and checking a Workers script upload (FACTS.md §3): a multipart/form-data
 * body with a JSON `metadata` part (main_module, compatibility_date, compatibility_flags,
 * bindings) and one part per module, named by its file name.
 */
import { hasPermission, SECRETS_STORE_WRITE } from "../auth/authorize.js"
import type { AccountContext } from "../http/api-route.js"
import { CfErrors } from "../http/cf-errors.js"
import { isPlainObject } from "../secrets-store/validate.js"
import { secretStatus } from "../secrets-store/views.js"
import type { UploadedModule } from "../types.js"

export interface Upload {
  metadata: Record<string, unknown>
  modules: UploadedModule[]
}

const ES_MODULE_TYPES = ["application/javascript+module", "text/javascript+module"]
/** Workers limits: an environment variable (plain_text, json) holds at most 5 KB (FACTS.md). */
export const MAX_VARIABLE_BYTES = 5 * 1024

export async function readUpload(ctx: AccountContext): Promise<Upload> {
  const contentType = ctx.headers["content-type"] ?? ""
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw CfErrors.metadataUnreadable(`the body is ${contentType === "" ? "untyped" : contentType}, not multipart/form-data`)
  }
  const body = await ctx.body()
  let form: FormData
  try {
    form = await new Request("http://emulator.invalid/", { method: "PUT", body, headers: { "content-type": contentType } }).formData()
  } catch {
    throw CfErrors.metadataUnreadable("the multipart body could not be parsed")
  }
  const metadataEntry = form.get("metadata")
  if (metadataEntry === null) throw CfErrors.metadataUnreadable("there is no part named metadata")
  const metadataText = typeof metadataEntry === "string" ? metadataEntry : await metadataEntry.text()
  let metadata: unknown
  try {
    metadata = JSON.parse(metadataText)
  } catch {
    throw CfErrors.metadataUnreadable("the metadata part is not valid JSON")
  }
  if (!isPlainObject(metadata)) throw CfErrors.metadataUnreadable("the metadata part must be a JSON object")
  const modules: UploadedModule[] = []
  for (const [name, entry] of form) {
    if (name === "metadata") continue
    modules.push(
      typeof entry === "string"
        ? { name, contentType: "text/plain", size: Buffer.byteLength(entry) }
        : { name, contentType: entry.type, size: entry.size },
    )
  }
  return { metadata, modules }
}

export function checkUpload(ctx: AccountContext, scriptName: string, upload: Upload): void {
  checkEntryPoint(upload)
  checkCompatibility(ctx, upload.metadata)
  const bindings = upload.metadata.bindings
  if (bindings === undefined) return
  if (!Array.isArray(bindings)) throw CfErrors.scriptValidation("metadata.bindings must be an array")
  for (const [index, binding] of bindings.entries()) checkBinding(ctx, scriptName, binding, index)
  const keep = upload.metadata.keep_bindings
  if (keep !== undefined && (!Array.isArray(keep) || keep.some((type) => typeof type !== "string"))) {
    throw CfErrors.scriptValidation("keep_bindings must be an array of binding types")
  }
}

/**
 * The previous upload's bindings that survive: those whose type `keep_bindings` lists and whose
 * name the new upload does not bind again (a binding sent wins over a kept one).
 */
export function keptBindings(metadata: Record<string, unknown>, previous: readonly Record<string, unknown>[], uploaded: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const keep = Array.isArray(metadata.keep_bindings) ? (metadata.keep_bindings as string[]) : []
  const names = new Set(uploaded.map((binding) => binding.name))
  return previous.filter((binding) => keep.includes(binding.type as string) && !names.has(binding.name)).map((binding) => structuredClone(binding))
}

function checkEntryPoint({ metadata, modules }: Upload): void {
  const mainModule = metadata.main_module
  const bodyPart = metadata.body_part
  if (mainModule === undefined && bodyPart === undefined) {
    throw CfErrors.scriptValidation("metadata needs main_module (ES modules) or body_part (service worker)")
  }
  const entryName = mainModule ?? bodyPart
  if (typeof entryName !== "string" || entryName === "") {
    throw CfErrors.scriptValidation("metadata.main_module must name one of the uploaded parts")
  }
  const entry = modules.find((module) => module.name === entryName)
  if (entry === undefined) throw CfErrors.scriptValidation(`Uncaught Error: No such module "${entryName}".`)
  if (mainModule !== undefined && !ES_MODULE_TYPES.includes(entry.contentType)) {
    throw CfErrors.scriptValidation(
      `main module "${entryName}" was uploaded as ${entry.contentType || "untyped"}; ES modules need application/javascript+module`,
    )
  }
}

function checkCompatibility(ctx: AccountContext, metadata: Record<string, unknown>): void {
  const date = metadata.compatibility_date
  if (date !== undefined) {
    if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
      throw CfErrors.scriptValidation(`compatibility_date must be a YYYY-MM-DD date, got ${JSON.stringify(date)}`)
    }
    const today = new Date(ctx.clock.now()).toISOString().slice(0, 10)
    if (date > today) throw CfErrors.scriptValidation(`Can't set compatibility date in the future: ${date}`)
  }
  const flags = metadata.compatibility_flags
  if (flags !== undefined && (!Array.isArray(flags) || flags.some((flag) => typeof flag !== "string"))) {
    throw CfErrors.scriptValidation("compatibility_flags must be an array of strings")
  }
}

function checkBinding(ctx: AccountContext, scriptName: string, binding: unknown, index: number): void {
  if (!isPlainObject(binding) || typeof binding.type !== "string" || typeof binding.name !== "string" || binding.name === "") {
    throw CfErrors.scriptValidation(`metadata.bindings[${index}] needs a string type and name`)
  }
  if (binding.type === "secrets_store_secret") checkSecretsStoreBinding(ctx, binding, index)
  if (binding.type === "plain_text" || binding.type === "json") checkVariable(binding)
  if (binding.type === "service") checkServiceBinding(ctx, scriptName, binding, index)
}

function checkSecretsStoreBinding(ctx: AccountContext, binding: Record<string, unknown>, index: number): void {
  const name = binding.name as string
  const { store_id: storeId, secret_name: secretName } = binding
  if (typeof storeId !== "string" || typeof secretName !== "string") {
    throw CfErrors.scriptValidation(`metadata.bindings[${index}] (secrets_store_secret) needs store_id and secret_name`)
  }
  // DECIDED, the stricter reading: the docs say read access, users report Edit was needed (FACTS.md).
  if (!hasPermission(ctx.token, SECRETS_STORE_WRITE)) throw CfErrors.secretsStoreBindingUnauthorized()
  const store = ctx.account.stores.get(storeId)
  const secret = store === undefined ? undefined : ctx.state.findSecretByName(store, secretName)
  // A secret still `pending` is not visible to deploy validation yet.
  if (secret === undefined || secretStatus(secret, ctx.clock.now()) !== "active") {
    throw CfErrors.secretsStoreBindingNotFound(name, storeId, secretName)
  }
  if (!secret.scopes.includes("workers")) throw CfErrors.secretsStoreBindingUnauthorized()
}

function checkServiceBinding(ctx: AccountContext, scriptName: string, binding: Record<string, unknown>, index: number): void {
  const service = binding.service
  if (typeof service !== "string" || service === "") {
    throw CfErrors.scriptValidation(`metadata.bindings[${index}] (service) needs the target script in service`)
  }
  if (binding.entrypoint !== undefined && typeof binding.entrypoint !== "string") {
    throw CfErrors.scriptValidation(`metadata.bindings[${index}].entrypoint must be a string`)
  }
  // FACTS 3.10: props reach the target as ctx.props; wrangler sends an object.
  if (binding.props !== undefined && !isPlainObject(binding.props)) {
    throw CfErrors.scriptValidation(`metadata.bindings[${index}].props must be an object`)
  }
  if (service !== scriptName && !ctx.account.scripts.has(service)) {
    throw CfErrors.serviceBindingNotFound(binding.name as string, service)
  }
}

function checkVariable(binding: Record<string, unknown>): void {
  const content = binding.type === "json" ? JSON.stringify(binding.json ?? null) : String(binding.text ?? "")
  const bytes = Buffer.byteLength(content)
  if (bytes > MAX_VARIABLE_BYTES) throw CfErrors.bindingTooLarge(binding.name as string, bytes, MAX_VARIABLE_BYTES)
}
