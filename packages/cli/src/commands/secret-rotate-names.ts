/**
 * NAME for the commands that act on a declared secret's versions (`secret rotate NAME…`,
 * `secret revoke`, `secret versions`): only a declaration can have versions the CLI
 * recorded, so an undeclared Cloudflare secret name is never guessed at. A NAME is a
 * declared `namespace/name`, a declaration's `secretName`, its physical name (`lo_…`), or a
 * bare name declared in the default namespace (as `secret set` reads it). Anything else is
 * refused with the closest declared name, taken from the declarations, never from the input.
 */
import { DEFAULT_NAMESPACE } from "@layeron/modules/limits"
import { LayerError } from "../errors.js"
import { closest } from "../framework/suggest.js"
import { quoteInput } from "../output/quote.js"
import type { DeclaredSecret, SecretCatalog } from "../secrets/catalog.js"

export function resolveDeclared(name: string, catalog: SecretCatalog): DeclaredSecret {
  const found =
    catalog.declared.find((secret) => secret.declaration.id === name) ??
    catalog.declared.find((secret) => secret.declaration.secretName !== undefined && secret.declaration.secretName === name) ??
    catalog.declared.find((secret) => secret.physicalName === name) ??
    catalog.declared.find((secret) => !name.includes("/") && secret.declaration.namespace === DEFAULT_NAMESPACE && secret.declaration.name === name)
  if (found) return found
  const candidates = catalog.declared.flatMap((secret) => [secret.declaration.id, ...(secret.declaration.secretName ? [secret.declaration.secretName] : [])])
  // Bare names too: `session-key` for `auth/session-key` is a likely slip.
  const byBareName = name.includes("/") ? undefined : catalog.declared.find((secret) => secret.declaration.name === name)?.declaration.id
  const suggestion = byBareName ?? closest(name, candidates)
  const declared = catalog.declared.map((secret) => secret.declaration.id).join(", ") || "none"
  throw new LayerError("unknown_secret", `no declared secret ${quoteInput(name)} in ${catalog.environment}${suggestion ? `; did you mean ${suggestion}?` : ""}`, {
    hint: `name a declared namespace/name or its secretName (declared: ${declared}); only declared secrets have versions the CLI records`,
  })
}

/** Each NAME once, in the order given (a name typed twice, or two names for one secret, count once). */
export function resolveDeclaredNames(names: readonly string[], catalog: SecretCatalog): DeclaredSecret[] {
  const seen = new Map<string, DeclaredSecret>()
  for (const name of names) {
    const secret = resolveDeclared(name, catalog)
    seen.set(secret.physicalName, secret)
  }
  return [...seen.values()]
}
