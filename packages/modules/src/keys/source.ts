/**
 * What the signing helpers need from a `secret.*()` module: its declaration and its readers.
 * Structural, so a module from any copy of the package (or a test double of the readers) fits.
 */
import type { SecretDeclaration } from "../declare/types.js"
import { isSecretError } from "../runtime/errors.js"
import type { ActiveVersion, ResolvedVersion, SecretValue } from "../runtime/types.js"

export interface SigningSecret<D extends SecretDeclaration = SecretDeclaration> {
  readonly declaration: D
  current(): SecretValue
  version(id: string): SecretValue
  active(): Promise<ActiveVersion[]>
}

/** Why a version named by a token, signature or ciphertext cannot be read: the input's problem, not the runtime's. */
export type NamedVersionMissing = "unknown_version" | "version_expired"

/**
 * The version a token, signature or ciphertext names, or why it is not readable: an unknown
 * id or an expired version. Any other failure (the product unreachable, `expose: "current"`)
 * is not about the input, so it is thrown as the runtime's own typed error.
 */
export async function readVersionOrMissing(secret: SigningSecret, id: string): Promise<ResolvedVersion | NamedVersionMissing> {
  try {
    return await secret.version(id).resolve()
  } catch (error) {
    if (isSecretError(error) && (error.code === "unknown_version" || error.code === "version_expired")) return error.code
    throw error
  }
}

/** The version a token or signature names, or undefined when it is not readable (see readVersionOrMissing). */
export async function readNamedVersion(secret: SigningSecret, kid: string): Promise<ResolvedVersion | undefined> {
  const version = await readVersionOrMissing(secret, kid)
  return typeof version === "string" ? undefined : version
}
