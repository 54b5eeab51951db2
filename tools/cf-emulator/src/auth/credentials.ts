/**
 * Reads the API token from the request headers, with Cloudflare's answers for missing
 * (9106) and malformed (6003 with 6111 in its error_chain) credentials.
 */
import type { IncomingHttpHeaders } from "node:http"
import { CfErrors } from "../http/cf-errors.js"
import { TOKEN_VALUE_PATTERN } from "../state.js"

/** Returns the bearer token, or throws the ApiError Cloudflare would send. */
export function readBearerToken(headers: IncomingHttpHeaders): string {
  const authorization = headers.authorization
  if (authorization === undefined) {
    // The legacy X-Auth-Email + X-Auth-Key pair is not emulated: no global API key is ever valid here.
    if (headers["x-auth-key"] !== undefined) throw CfErrors.malformedAuthKey()
    throw CfErrors.missingCredentials()
  }
  const match = /^Bearer (\S+)$/i.exec(authorization)
  if (match === null) throw CfErrors.malformedAuthorization()
  const token = match[1] as string
  if (!TOKEN_VALUE_PATTERN.test(token)) throw CfErrors.malformedAuthorization()
  return token
}

/**
 * The rate limiter's key for a request: its token when the header carries one, else a shared
 * bucket. Never logged or printed.
 */
export function rateLimitKey(headers: IncomingHttpHeaders): string {
  const authorization = headers.authorization
  return authorization === undefined ? "anonymous" : `token:${authorization}`
}
