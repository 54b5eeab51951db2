/**
 * The declarations this isolate has built readers for, by `namespace/name`. In production the
 * manifest says how each secret is bound; `@layeron/modules/testing` has no manifest, so it
 * looks here to apply a secret given by name (`"auth/session-key"`) with its declared
 * `consume.expose`, format and adopted name, exactly as the deployed product would.
 */
import type { SecretDeclaration } from "../declare/types.js"

const declarations = new Map<string, SecretDeclaration>()

export function rememberDeclaration(declaration: SecretDeclaration): void {
  declarations.set(declaration.id, declaration)
}

export function declarationFor(secretId: string): SecretDeclaration | undefined {
  return declarations.get(secretId)
}
