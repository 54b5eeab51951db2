/**
 * `layer secret list`: every declared secret of the environment with its status, then the
 * secrets in the store that no declaration claims. Metadata only: nothing is decrypted.
 */
import { sealingKeyDeclaration } from "@layeron/modules/naming"
import type { SecretDeclaration, SecretKind } from "@layeron/modules/declare"
import type { CommandResult } from "../output/index.js"
import { unreadableRecordFile } from "../providers/local/unreadable.js"
import type { SecretMetadata } from "../providers/provider.js"
import { nextSteps } from "../secrets/next-step.js"
import { openSecretSession } from "../secrets/session.js"
import type { CommandContext } from "./types.js"

/** `unreadable`: a local record that does not decrypt (local_record_unreadable); it is in the store but serves nothing. */
export type ListStatus = "present" | "missing" | "external_value_required" | "unreadable"

export interface SecretListRow {
  namespace: string | null
  name: string
  physicalName: string
  status: ListStatus
  /** The declaration's kind; "sealing_key" for Layeron's own key; null for undeclared secrets. */
  kind: SecretKind | "sealing_key" | null
  rotation: SecretDeclaration["rotation"] | null
  /** The provider's last write, or null when the secret is not in the store. */
  modified: string | null
  declared: boolean
  /** The backend whose app registered the declaration. */
  backend: string | null
}

export interface SecretListDocument {
  environment: string
  secrets: SecretListRow[]
}

export async function run(context: CommandContext): Promise<CommandResult<SecretListDocument>> {
  const session = await openSecretSession(context)
  const provider = await session.provider()
  const stored = new Map((await provider.listAll()).map((metadata) => [metadata.name, metadata]))
  const claimed = new Set<string>()
  const rows: SecretListRow[] = []

  for (const { declaration, backend, physicalName } of session.catalog.declared) {
    const metadata = stored.get(physicalName)
    claimed.add(physicalName)
    rows.push({
      namespace: declaration.namespace,
      name: declaration.name,
      physicalName,
      status: metadata ? storedStatus(metadata) : declaration.kind === "random" ? "missing" : "external_value_required",
      kind: declaration.kind,
      rotation: declaration.rotation ?? null,
      modified: metadata?.modified ?? null,
      declared: true,
      backend,
    })
  }
  for (const metadata of stored.values()) {
    if (claimed.has(metadata.name)) continue
    const sealing = metadata.name === session.catalog.sealingKeyName
    rows.push({
      namespace: sealing ? sealingKeyDeclaration.namespace : null,
      name: sealing ? sealingKeyDeclaration.name : metadata.name,
      physicalName: metadata.name,
      status: storedStatus(metadata),
      kind: sealing ? "sealing_key" : null,
      rotation: null,
      modified: metadata.modified,
      declared: false,
      backend: null,
    })
  }

  const next = await nextSteps(session, (message) => context.output.warn(message))
  const unbound = session.catalog.declared.filter((secret) => stored.has(secret.physicalName) && next.of({ kind: "declared", physicalName: secret.physicalName, secret }).status === "after_deploy")
  return { json: { environment: session.environment, secrets: rows }, human: humanList(session.environment, rows, unbound.map((secret) => secret.declaration.id)) }
}

function humanList(environment: string, rows: readonly SecretListRow[], unbound: readonly string[]): CommandResult["human"] {
  if (rows.length === 0) {
    return [{ type: "line", text: `no secrets declared or stored in ${environment}`, tone: "muted" }]
  }
  const table = rows.map((row) => [
    row.declared ? `${row.namespace}/${row.name}` : row.kind === "sealing_key" ? `${row.namespace}/${row.name} (layeron)` : "(undeclared)",
    row.physicalName,
    row.kind ?? "-",
    row.status,
    describeRotation(row.rotation),
    row.modified ?? "-",
  ])
  const blocks: CommandResult["human"] = [
    { type: "line", text: `secrets in ${environment}`, tone: "strong" },
    { type: "table", columns: ["secret", "physical name", "kind", "status", "rotation", "modified"], rows: table },
  ]
  const id = (row: SecretListRow) => `${row.namespace}/${row.name}`
  const missing = rows.filter((row) => row.status === "missing").map(id)
  const external = rows.filter((row) => row.status === "external_value_required").map(id)
  if (missing.length) blocks.push({ type: "line", text: `${missing.length} missing (${missing.join(", ")}): \`layer deploy --env ${environment}\` creates ${missing.length === 1 ? "it" : "them"}`, tone: "warning" })
  if (external.length) {
    blocks.push({ type: "line", text: `${external.length} need${external.length === 1 ? "s" : ""} a value; write ${external.length === 1 ? "it" : "them"} with:`, tone: "warning" })
    for (const name of external) blocks.push({ type: "line", text: `  layer secret set ${name} --env ${environment}` })
  }
  const unreadable = rows.filter((row) => row.status === "unreadable")
  if (unreadable.length) {
    const names = unreadable.map((row) => (row.declared ? id(row) : row.physicalName))
    blocks.push({ type: "line", text: `${unreadable.length} local record${unreadable.length === 1 ? " does" : "s do"} not decrypt (${names.join(", ")}; the warnings above name the files): restore from a backup, or \`layer secret set NAME --env ${environment} --replace-all\``, tone: "warning" })
  }
  if (unbound.length) blocks.push({ type: "line", text: `${unbound.length} present but not bound to the running Workers yet (${unbound.join(", ")}): \`layer deploy --env ${environment}\` binds ${unbound.length === 1 ? "it" : "them"}`, tone: "warning" })
  return blocks
}

function storedStatus(metadata: SecretMetadata): ListStatus {
  return unreadableRecordFile(metadata.comment) === undefined ? "present" : "unreadable"
}

function describeRotation(rotation: SecretListRow["rotation"]): string {
  if (!rotation) return "-"
  const retain = rotation.retain
  const kept = retain.mode === "retain_for" ? `, keep ${retain.days}d` : retain.mode === "retain_forever" ? ", keep all" : ""
  return `every ${rotation.everyDays}d${kept}`
}
