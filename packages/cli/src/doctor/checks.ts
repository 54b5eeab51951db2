/**
 * The checks as pure functions of what doctor observed (observe.ts): each compares the
 * environment with a Cloudflare limit or one of the project's rules and says what to do.
 */
import { Limits } from "@layeron/modules/limits"
import { worst } from "./types.js"
import type { CheckItem, DoctorCheck } from "./types.js"

/** The dashboard's secret editor refuses values over 1,024 characters (still so in May 2026). */
export const DASHBOARD_EDITOR_CHARS = 1_024
/** Warn once fewer than this share of the quota is left. */
const QUOTA_WARN_LEFT = 0.1

/**
 * What packing means for this environment (docs/design.md#packing): the physical secrets it
 * uses now and what it would use packed (or, packed, what it uses unpacked would be).
 */
export interface PackingView {
  packed: boolean
  /** This environment's physical secrets in the store now (sealing key, unpacked members, packs). */
  physical: number
  /** The same, with its declarations packed (first-fit with the rotation reserve). */
  physicalPacked: number
  /** The same, with one secret per declaration. */
  physicalUnpacked: number
}

export function quotaCheck(quota: { quota: number; usage: number } | undefined, environment: string, packing?: PackingView): DoctorCheck {
  if (!quota) return { id: "quota", status: "not_checked", summary: "local store: no quota applies" }
  const left = quota.quota - quota.usage
  const saves = packing && !packing.packed ? packing.physical - packing.physicalPacked : 0
  const figures = {
    quota: quota.quota,
    usage: quota.usage,
    left,
    ...(packing ? { packed: packing.packed ? "yes" : "no", physical: packing.physical, physicalPacked: packing.physicalPacked, physicalUnpacked: packing.physicalUnpacked } : {}),
  }
  const packed = packing?.packed ? `; "${environment}" is packed: ${packing.physical} secret${packing.physical === 1 ? "" : "s"} instead of ${packing.physicalUnpacked}` : ""
  const wouldSave = saves > 0 ? `; packing "${environment}" would use ${packing!.physicalPacked} instead of ${packing!.physical} (${saves} fewer)` : ""
  const summary = `${quota.usage} of ${quota.quota} secrets used (${left} left)${packed}${wouldSave}`
  const packHint = saves > 0 ? `, or pack this environment (\`packing: true\` on environments.${environment}, then \`layer secret pack --env ${environment}\`: ${saves} fewer)` : ""
  if (left <= 0) {
    return { id: "quota", status: "action", summary: `${summary}: the next new secret will be refused (maximum_secrets_exceeded)`, hint: `delete secrets you no longer use (orphaned ones are listed below; \`layer secret delete NAME --env ${environment}\`)${packHint}, or ask Cloudflare for a higher quota`, figures }
  }
  if (left < quota.quota * QUOTA_WARN_LEFT) return { id: "quota", status: "warning", summary: `${summary}: nearly full`, ...(packHint ? { hint: `free some room${packHint}` } : {}), figures }
  return { id: "quota", status: "ok", summary, figures }
}

export interface EnvelopeSize {
  id: string
  physicalName: string
  /** Serialized envelope size (UTF-8 bytes, at least); undefined: layer never wrote it. */
  bytes: number | undefined
}

export function envelopeCheck(sizes: readonly EnvelopeSize[]): DoctorCheck {
  const items: CheckItem[] = sizes.map(({ id, physicalName, bytes }) => {
    const subject = `${id} (${physicalName})`
    if (bytes === undefined) return { subject, status: "ok", detail: "size unknown: no value recorded by layer (Cloudflare never returns values)" }
    const shown = `${bytes.toLocaleString("en-US")} of ${Limits.maxValueBytes.toLocaleString("en-US")} bytes`
    if (bytes > Limits.maxValueBytes) return { subject, status: "action", detail: `${shown}: over Cloudflare's limit; the next write is refused` }
    if (bytes > Limits.maxValueBytes * Limits.warnRatio) return { subject, status: "warning", detail: `${shown}: a rotation that adds a version may not fit; shorten retention or the value` }
    if (bytes > DASHBOARD_EDITOR_CHARS) return { subject, status: "ok", detail: `${shown}; over the dashboard editor's ${DASHBOARD_EDITOR_CHARS.toLocaleString("en-US")} characters: edit it with \`layer secret set\`, not the dashboard` }
    return { subject, status: "ok", detail: shown }
  })
  const status = worst(items.map((item) => item.status))
  const measured = sizes.filter((size) => size.bytes !== undefined).length
  const largest = Math.max(0, ...sizes.map((size) => size.bytes ?? 0))
  const largestId = sizes.find((size) => size.bytes !== undefined && size.bytes === largest)?.id
  // Name the ones not measured (a few, then a count), so the reader knows which sizes are unknown.
  const unmeasured = sizes.filter((size) => size.bytes === undefined).map((size) => size.id)
  const named = unmeasured.length > 4 ? `${unmeasured.slice(0, 3).join(", ")} and ${unmeasured.length - 3} more` : unmeasured.join(", ")
  const notMeasured = unmeasured.length > 0 ? ` (not measured, no value recorded by layer: ${named})` : ""
  return {
    id: "envelope_sizes",
    status,
    summary:
      `${measured} of ${sizes.length} envelopes measured${notMeasured}; the largest is ${largest.toLocaleString("en-US")} of ${Limits.maxValueBytes.toLocaleString("en-US")} bytes` +
      (largestId ? ` (${largestId})` : ""),
    items,
    figures: { limitBytes: Limits.maxValueBytes, dashboardEditorChars: DASHBOARD_EDITOR_CHARS, largestBytes: largest },
  }
}

/** `lo_` secrets in the store that no declaration of the project (in any environment) names. */
export function orphanCheck(stored: readonly string[], named: ReadonlySet<string>, environment: string): DoctorCheck {
  const orphans = stored.filter((name) => name.startsWith("lo_") && !named.has(name)).sort()
  if (orphans.length === 0) return { id: "orphaned_secrets", status: "ok", summary: "every lo_ secret in the store is named by a declaration", figures: { orphans: [] } }
  return {
    id: "orphaned_secrets",
    status: "warning",
    summary: `${orphans.length} lo_ secret${orphans.length === 1 ? "" : "s"} no declaration of this project names (a removed declaration, or another project on the same account)`,
    hint:
      orphans.length === 1
        ? `if no other project uses the account's store, delete it: \`layer secret delete ${orphans[0]} --force --env ${environment}\``
        : `if no other project uses the account's store, delete them: \`layer secret delete ${orphans[0]} --force --env ${environment}\`, and so on for each name below`,
    items: orphans.map((name) => ({ subject: name, status: "warning", detail: "named by no declaration" })),
    figures: { orphans },
  }
}

export interface DeployedBinding {
  binding: string
  secretName: string
  /** `namespace/name` of the declaration it serves, when known. */
  id?: string
}

/** The product Worker's deployed bindings against the store: missing or pending secrets fail the next deploy (10182). */
export function bindingsCheck(deployed: readonly DeployedBinding[] | undefined, status: ReadonlyMap<string, string | undefined>, environment: string): DoctorCheck {
  if (deployed === undefined) return { id: "bindings", status: "not_checked", summary: "not deployed yet: no product Worker artifact", hint: `run \`layer deploy --env ${environment}\`` }
  const items: CheckItem[] = deployed.map(({ binding, secretName, id }) => {
    const subject = `${binding} → ${secretName}${id ? ` (${id})` : ""}`
    if (!status.has(secretName)) return { subject, status: "action", detail: "the secret is missing from the store: the Worker's read fails and the next deploy is refused (10182)" }
    const state = status.get(secretName)
    if (state === "pending") return { subject, status: "warning", detail: "the secret is still pending: Cloudflare refuses a binding to it until it is active" }
    return { subject, status: "ok", detail: state ? state : "present" }
  })
  const bad = items.filter((item) => item.status !== "ok")
  return {
    id: "bindings",
    status: worst(items.map((item) => item.status)),
    summary: bad.length ? `${bad.length} of ${items.length} bindings of the product Worker point at missing or pending secrets` : `all ${items.length} bindings of the product Worker point at secrets in the store`,
    ...(bad.some((item) => item.status === "action") ? { hint: `write the missing values (\`layer secret set <namespace/name> --env ${environment}\`), then \`layer deploy --env ${environment}\`` } : {}),
    items,
  }
}
