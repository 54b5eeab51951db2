/**
 * Every Cloudflare error the emulator sends, in one place. Codes and messages come from
 * FACTS.md (each with its public source); where Cloudflare's
 * behaviour is undocumented the choice is marked DECIDED and listed in the README.
 * Messages never contain a secret value or a token.
 */
import { apiError, ApiError } from "./api-error.js"

export const CfErrors = {
  // Request headers and authentication.
  missingCredentials: () => apiError(400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers"),
  malformedAuthorization: () =>
    apiError(400, 6003, "Invalid request headers", [{ code: 6111, message: "Invalid format for Authorization header" }]),
  malformedAuthKey: () =>
    apiError(400, 6003, "Invalid request headers", [{ code: 6103, message: "Invalid format for X-Auth-Key header" }]),
  /** A token that is unknown, expired or disabled, on any endpoint but the verify endpoints. DECIDED: 401. */
  authenticationFailed: () => apiError(401, 10000, "Authentication error"),
  /** A valid token without the permission group an endpoint needs. */
  permissionDenied: () => apiError(403, 10000, "Authentication error"),
  /** The verify endpoints' answer for a token they do not know (including the other kind of token). */
  invalidApiToken: () => apiError(401, 1000, "Invalid API Token"),
  /** DECIDED: an account the token cannot reach, whether it exists or not (Cloudflare does not reveal which). */
  accountNotAccessible: () => apiError(403, 9109, "Unauthorized to access requested resource"),

  // Routing.
  noRoute: () => apiError(400, 7000, "No route for that URI"),
  methodNotAllowed: (method: string) => apiError(405, 7001, `Method ${method} not available for that URI.`),
  invalidAccountId: (path: string) =>
    apiError(400, 7003, `Could not route to ${path}, perhaps your object identifier is invalid?`),
  bodyTooLarge: (limit: number) => apiError(413, 1001, `request_too_large: the body exceeds ${limit} bytes`),

  // Rate limiting (code 971, HTTP 429).
  rateLimited: (retryAfterSeconds?: number) =>
    withHeaders(
      apiError(429, 971, "Please wait and consider throttling your request speed"),
      retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) },
    ),
  globalRateLimited: (requests: number, windowSeconds: number, retryAfterSeconds: number) =>
    withHeaders(apiError(429, 971, `More than ${requests} requests per ${windowSeconds} seconds reached`), {
      "retry-after": String(retryAfterSeconds),
    }),
  internal: () => apiError(500, 10000, "Internal Server Error"),

  // Secrets Store (HTTP 400 for 1001/1003 except not-found, as maximum_stores_exceeded is observed).
  invalidJsonBody: (detail: string) => apiError(400, 1001, `invalid_json_body: ${detail}`),
  invalidQuery: (detail: string) => apiError(400, 1001, `invalid_query_parameter: ${detail}`),
  storeNotFound: () => apiError(404, 1001, "store_not_found"),
  secretNotFound: () => apiError(404, 1001, "secret_not_found"),
  storeNameEmpty: () => apiError(400, 1001, "store_name_empty"),
  maximumStoresExceeded: () => apiError(400, 1003, "maximum_stores_exceeded"),
  /** HTTP 409 per the SDK's doc comment; the body code is DECIDED (1003). */
  storeNotEmpty: () => apiError(409, 1003, "store_not_empty: delete its secrets first or pass force=true"),
  secretNameEmpty: () => apiError(400, 1001, "secret_name_empty"),
  /** DECIDED: the server's name rule is undocumented; see the README. */
  secretNameInvalid: (name: string) =>
    apiError(400, 1001, `secret_name_invalid: ${JSON.stringify(name)} must be 1 to 255 characters of A-Z, a-z, 0-9, _ and -`),
  secretNameAlreadyExists: (name: string) => apiError(400, 1003, `secret_name_already_exists: ${name}`),
  secretNameImmutable: () =>
    apiError(400, 1001, "secret_name_immutable: a secret cannot be renamed; duplicate it under the new name, then delete it"),
  secretValueMissing: (name: string) => apiError(400, 1001, `secret_value_empty: ${name} needs a non-empty string value`),
  /** Cloudflare's token is `secret_value_too_long` (FACTS.md); the detail after it is the emulator's. */
  secretValueTooLarge: (name: string, bytes: number, limit: number) =>
    apiError(400, 1001, `secret_value_too_long: ${name} is ${bytes} bytes; a value may hold at most ${limit} UTF-8 bytes`),
  secretScopesEmpty: () => apiError(400, 1001, "secret_scopes_empty"),
  secretScopeInvalid: (scope: unknown, allowed: readonly string[]) =>
    apiError(400, 1001, `secret_scope_invalid: ${JSON.stringify(scope)} is not one of ${allowed.join(", ")}`),
  secretCommentInvalid: () => apiError(400, 1001, "secret_comment_invalid: comment must be a string"),
  /** Cloudflare's wording (FACTS.md: quota refusal); the HTTP status is DECIDED (400). */
  quotaExceeded: (quota: number) => apiError(400, 1003, `maximum_secrets_exceeded: max ${quota}`),

  // Workers script upload.
  metadataUnreadable: (detail: string) => apiError(400, 10021, `could not read content for part metadata: ${detail}`),
  scriptValidation: (detail: string) => apiError(400, 10021, detail),
  secretsStoreBindingNotFound: (binding: string, storeId: string, secretName: string) =>
    apiError(
      400,
      10182,
      `Secrets Store binding '${binding}' references store '${storeId}' and secret '${secretName}' which were not found.`,
    ),
  secretsStoreBindingUnauthorized: () =>
    apiError(400, 10021, "Secrets store binding authorization failed. Check your permissions and secret scopes."),
  serviceBindingNotFound: (binding: string, service: string) =>
    apiError(
      400,
      10143,
      `Could not resolve service binding '${binding}'. Target script '${service}' not found. Please verify the target script and try again.`,
    ),
  scriptNotFound: () => apiError(404, 10007, "workers.api.error.script_not_found"),
  /** 10007 as wrangler's tests mock it (FACTS.md: account subdomain); the HTTP status is DECIDED. */
  workersSubdomainNotRegistered: () => apiError(404, 10007, "haven't registered workers.dev"),
  /** DECIDED wording: Cloudflare documents the 5 KB limit, not the refusal text. */
  bindingTooLarge: (binding: string, bytes: number, limit: number) =>
    apiError(400, 10021, `binding '${binding}' is ${bytes} bytes; a variable may hold at most ${limit} bytes`),
  /** The older answer to an account-owned token (FACTS.md: GET /accounts with an account token). */
  accountListUnsupported: () => apiError(400, 1001, "List accounts endpoint does not support account owned tokens."),
} satisfies Record<string, (...args: never[]) => ApiError>

function withHeaders(error: ApiError, headers: Record<string, string>): ApiError {
  Object.assign(error.headers, headers)
  return error
}
