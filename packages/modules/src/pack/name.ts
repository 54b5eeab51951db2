import { canonicalNameInput, hashedName, NamingError } from "../naming/index.js"

/** Domain tag hashed in front of the parts; changing it would rename every pack. */
export const PACK_NAME_DOMAIN = "layeron.pack/v1"
const PART_ORDER = ["workspace", "project", "environment"] as const

/**
 * The exact string a pack's name hashes:
 * `JSON.stringify(["layeron.pack/v1", workspace, project, environment, index])`.
 * The index is a JSON number, so pack 0 and a declaration can never share an input.
 */
export function packPhysicalNameInput(workspace: string, project: string, environment: string, index: number): string {
  if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
    throw new NamingError("index", `must be a non-negative integer (got ${typeof index === "number" ? String(index) : typeof index})`, "Number packs 0, 1, 2…")
  }
  return canonicalNameInput(PACK_NAME_DOMAIN, { workspace, project, environment }, PART_ORDER, [index])
}

/**
 * The Cloudflare secret name of pack number `index` of an environment (docs/design.md#packing):
 * `lo_` + the first 24 lowercase hex digits of SHA-256 over the UTF-8 of
 * `JSON.stringify(["layeron.pack/v1", workspace, project, environment, index])`, hashed like a
 * declaration's name (naming/), so a pack looks like any other Layeron secret in the store.
 * Stable forever: pack/vectors.json pins it.
 */
export async function packPhysicalName(workspace: string, project: string, environment: string, index: number): Promise<string> {
  return hashedName(packPhysicalNameInput(workspace, project, environment, index))
}
