/**
 * The JWKS of a key-pair secret: the public half of every version `active()` returns. That
 * includes the *next* key, which each rotation publishes one rotation before it signs (see
 * `rotation.ts`), so a relying party that cached this document never meets an unknown kid.
 */
import { SigningError } from "./errors.js"
import { privateJwkOf, publicJwk } from "./jwk.js"
import type { Jwk } from "./jwk.js"
import type { SigningSecret } from "./source.js"
import { isSecretError } from "../runtime/errors.js"
import type { SecretDeclaration } from "../declare/types.js"

export interface Jwks {
  keys: Jwk[]
}

export interface JwksHandlerOptions {
  /**
   * `Cache-Control: max-age` in seconds (default 300, at most 86,400). Rotations are at least
   * 7 days apart and the next key is published a whole rotation ahead, so any value up to a
   * day keeps cached copies valid.
   */
  maxAgeSeconds?: number
}

export const DEFAULT_JWKS_MAX_AGE = 300
export const MAX_JWKS_MAX_AGE = 86_400

export async function publishedKeys(secret: SigningSecret): Promise<Jwks> {
  refuseSymmetric(secret.declaration, "jwks()")
  const { declaration } = secret
  const alg = declaration.generate!
  const keys: Jwk[] = []
  for (const version of await secret.active()) {
    keys.push(publicJwk(privateJwkOf(declaration.id, alg, version.version, await version.text()), alg, version.version))
  }
  return { keys }
}

/**
 * `app.get("/.well-known/jwks.json", jwt(key).jwksHandler())`, answering what `keys()` gives
 * (read in the app, or by the product for a `use` key). Failures answer 503 with the typed
 * code (never cached): a relying party retries instead of caching an empty key set.
 */
export function jwksHandler(declaration: SecretDeclaration, keys: () => Promise<Jwks>, options: JwksHandlerOptions = {}): (context?: unknown) => Promise<Response> {
  const maxAge = options.maxAgeSeconds ?? DEFAULT_JWKS_MAX_AGE
  if (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > MAX_JWKS_MAX_AGE) {
    throw new TypeError(`jwksHandler(): maxAgeSeconds must be a whole number from 0 to ${MAX_JWKS_MAX_AGE} (a day), got ${String(maxAge)}`)
  }
  // Refuse a symmetric secret when the route is built, not at the first request.
  refuseSymmetric(declaration, "jwksHandler()")
  return async () => {
    try {
      const body = await keys()
      return Response.json(body, { headers: { "cache-control": `public, max-age=${maxAge}` } })
    } catch (error) {
      const code = isSecretError(error) || error instanceof SigningError ? error.code : "internal_error"
      return Response.json({ error: code }, { status: 503, headers: { "cache-control": "no-store" } })
    }
  }
}

export function refuseSymmetric(declaration: SecretDeclaration, what: string): void {
  if (declaration.generate === undefined) {
    throw new SigningError(
      "wrong_key_type",
      declaration.id,
      `${what} needs a key pair, but ${declaration.id} is a ${declaration.kind} secret, whose keys are symmetric and never published; declare secret.generated({ generate: "ES256" }) for tokens that others verify from a JWKS`,
    )
  }
}
