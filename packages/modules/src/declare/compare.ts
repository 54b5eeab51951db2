import { DeclarationError } from "./errors.js"
import type { SecretDeclaration } from "./types.js"

/** Canonical JSON (sorted keys), so two equal declarations compare equal whatever their key order. */
export function canonicalDeclaration(declaration: SecretDeclaration): string {
  return JSON.stringify(declaration, (_key, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value,
  )
}

/**
 * Two declarations with the same namespace and name must be equal (docs/design.md#declarations): they share one
 * physical secret, so differing options would make one of them lie.
 */
export function assertSameDeclaration(a: SecretDeclaration, b: SecretDeclaration, where = "declarations"): void {
  if (a.id !== b.id) return
  const left = canonicalDeclaration(a)
  const right = canonicalDeclaration(b)
  if (left !== right) {
    throw new DeclarationError(
      "name",
      a.name,
      `"${a.id}" is declared twice with different options (${left} vs ${right}); give one a different name or namespace, or make them equal`,
      where,
    )
  }
}
