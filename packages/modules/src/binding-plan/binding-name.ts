/**
 * The Secrets Store binding name for a physical secret name: deterministic, a valid
 * JavaScript identifier, and distinct for distinct names.
 * - Names without `-` (every `lo_…` name, most adopted ones) keep their spelling: `S_<name>`.
 * - Names with `-` cannot be identifiers as they are, so they are escaped one-to-one
 *   (`_` → `__`, `-` → `_h`) behind another prefix: `D_<escaped>`. The prefixes keep the
 *   two families apart, so no two names can share a binding.
 */
export function secretBindingName(physicalName: string): string {
  if (!physicalName.includes("-")) return `S_${physicalName}`
  return `D_${physicalName.replaceAll("_", "__").replaceAll("-", "_h")}`
}
