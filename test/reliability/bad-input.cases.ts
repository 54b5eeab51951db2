/**
 * The bad-input corpus (issue 9, part 2): one row per mistake a user can make, across the
 * config, declarations, names, values, envelopes, flags, environment variables and
 * credentials. Each row says what to run and what the error must say: `message` is matched
 * against "<message>\n<hint>" of the --json error, so it can check that the text names the
 * problem (the option, the value's rule, the flag) and, where there is one, the fix.
 *
 * Rows are data: bad-input.test.ts runs each on a seeded project and checks exit code,
 * message, and that nothing under .layeron or LAYERON_HOME changed (nor the emulator's store).
 */

import { generateKeyPairSync } from "node:crypto"

export type Area = "config" | "declarations" | "names" | "values" | "envelopes" | "flags" | "environment" | "credentials"

export interface BadInputCase {
  id: string
  area: Area
  args: readonly string[]
  /** Files written into the project after seeding (null deletes one). */
  files?: Readonly<Record<string, string | null>>
  /** Files written into LAYERON_HOME after seeding. */
  homeFiles?: Readonly<Record<string, string>>
  env?: Readonly<Record<string, string | undefined>>
  input?: string | Buffer
  /** Run against the Cloudflare emulator (production environment, token in the environment). */
  cloudflare?: boolean
  /** A command that may not exist yet; the row is reported as not run until it does. */
  /** Expected error code. */
  code: string
  /** Must match "<message>\n<hint>". */
  message: RegExp
}

const config = (body: string) => `import { project } from "@layeron/core"\nexport default project(${body})\n`
const VALID = `workspace: "acme", name: "shop", backends: { api: "./src/api.ts" }`
const configWith = (fields: string) => config(`{ ${VALID}, ${fields} }`)
/** A backend declaring one extra secret from `declaration` (an expression). */
const api = (declaration: string) => `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
app.use(${declaration})
export default app
`
const envelope = (value: unknown) => JSON.stringify(value)
const B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
const SET_X = ["secret", "set", "X", "--value-env", "V"]
const V = { V: "value" }
const WEBHOOK = ["secret", "set", "webhook-key", "--value-env", "E"]
const WEAK_RSA_JWK = JSON.stringify({ ...generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "jwk" }), alg: "RS256" })

export const CASES: readonly BadInputCase[] = [
  // ---- config (layeron.config.ts) ----
  { id: "config-missing", area: "config", files: { "layeron.config.ts": null }, args: SET_X, env: V, code: "config_not_found", message: /no layeron\.config\.ts in .+ or any directory above it\n.*run `layer init`/ },
  { id: "config-throws", area: "config", files: { "layeron.config.ts": 'throw new Error("config says no")\n' }, args: SET_X, env: V, code: "config_import_failed", message: /layeron\.config\.ts threw while loading: config says no\nfix the error in layeron\.config\.ts/ },
  { id: "config-syntax-error", area: "config", files: { "layeron.config.ts": "export default project({ workspace: \n" }, args: ["secret", "list"], code: "config_import_failed", message: /layeron\.config\.ts threw while loading: Transform failed[\s\S]*Unexpected end of file\nfix the error in layeron\.config\.ts/ },
  { id: "config-no-default-export", area: "config", files: { "layeron.config.ts": "export const x = 1\n" }, args: ["secret", "list"], code: "config_no_default_export", message: /layeron\.config\.ts has no default export\n.*export default project/ },
  { id: "config-default-is-string", area: "config", files: { "layeron.config.ts": 'export default "shop"\n' }, args: ["secret", "list"], code: "invalid_config", message: /the default export is "shop": export default project\(\{ workspace, name, backends \}\)/ },
  { id: "config-missing-module", area: "config", files: { "layeron.config.ts": 'import "./nowhere.js"\nexport default {}\n' }, args: ["secret", "list"], code: "config_import_failed", message: /layeron\.config\.ts threw while loading: .*nowhere/ },
  { id: "config-workspace-missing", area: "config", files: { "layeron.config.ts": config(`{ name: "shop", backends: { api: "./src/api.ts" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /workspace is missing: required, e\.g\. workspace: "acme"/ },
  { id: "config-workspace-invalid", area: "config", files: { "layeron.config.ts": config(`{ workspace: "Acme Corp", name: "shop", backends: { api: "./src/api.ts" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /workspace is "Acme Corp": must match .*lower-case letters/ },
  { id: "config-name-too-long", area: "config", files: { "layeron.config.ts": config(`{ workspace: "acme", name: "${"s".repeat(64)}", backends: { api: "./src/api.ts" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /name is "s{64}": must match .*at most 63 characters/ },
  { id: "config-name-number", area: "config", files: { "layeron.config.ts": config(`{ workspace: "acme", name: 42, backends: { api: "./src/api.ts" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /name is 42: must match/ },
  { id: "config-unknown-field", area: "config", files: { "layeron.config.ts": configWith(`enviroments: { dev: { provider: "local" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /enviroments is \{"dev":\{"provider":"local"\}\}: unknown field; expected one of .*environments/ },
  { id: "config-backends-missing", area: "config", files: { "layeron.config.ts": config(`{ workspace: "acme", name: "shop" }`) }, args: ["secret", "list"], code: "invalid_config", message: /backends is missing: must be a non-empty object of backend id → entry path/ },
  { id: "config-backends-empty", area: "config", files: { "layeron.config.ts": config(`{ workspace: "acme", name: "shop", backends: {} }`) }, args: ["secret", "list"], code: "invalid_config", message: /backends is \{\}: must be a non-empty object/ },
  { id: "config-backend-absolute", area: "config", files: { "layeron.config.ts": config(`{ workspace: "acme", name: "shop", backends: { api: "/src/api.ts" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /backends\.api is "\/src\/api\.ts": must be relative to layeron\.config\.ts/ },
  { id: "config-backend-no-file", area: "config", files: { "layeron.config.ts": config(`{ workspace: "acme", name: "shop", backends: { api: "./src/apo.ts" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /backends\.api is "\.\/src\/apo\.ts": no such file/ },
  { id: "config-backend-empty-path", area: "config", files: { "layeron.config.ts": config(`{ workspace: "acme", name: "shop", backends: { api: "" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /backends\.api is "": must be a path such as "\.\/src\/api\.ts"/ },
  { id: "config-environments-empty", area: "config", files: { "layeron.config.ts": configWith(`environments: {}`) }, args: ["secret", "list"], code: "invalid_config", message: /environments is \{\}: must be a non-empty object/ },
  { id: "config-environment-name", area: "config", files: { "layeron.config.ts": configWith(`defaultEnvironment: "Prod", environments: { Prod: { provider: "local" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /environments\.Prod: the name "Prod" must match/ },
  { id: "config-environment-provider", area: "config", files: { "layeron.config.ts": configWith(`environments: { dev: { provider: "aws" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /environments\.dev\.provider is "aws": must be "local" or "cloudflare"/ },
  { id: "config-environment-not-object", area: "config", files: { "layeron.config.ts": configWith(`environments: { dev: "local" }`) }, args: ["secret", "list"], code: "invalid_config", message: /environments\.dev is "local": must be an object such as \{ provider: "local" \}/ },
  { id: "config-local-account-id", area: "config", files: { "layeron.config.ts": configWith(`environments: { dev: { provider: "local", accountId: "${"a".repeat(32)}" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /environments\.dev\.accountId is "a{32}": unknown field for provider "local"; expected provider/ },
  { id: "config-account-id-malformed", area: "config", files: { "layeron.config.ts": configWith(`environments: { dev: { provider: "local" }, production: { provider: "cloudflare", accountId: "acme-prod" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /environments\.production\.accountId is "acme-prod": must be your Cloudflare account id: 32 hex digits/ },
  { id: "config-default-environment-unknown", area: "config", files: { "layeron.config.ts": configWith(`defaultEnvironment: "prod", environments: { dev: { provider: "local" } }`) }, args: ["secret", "list"], code: "invalid_config", message: /defaultEnvironment is "prod": must name an environment \(dev\)/ },
  { id: "config-several-problems", area: "config", files: { "layeron.config.ts": config(`{ workspace: "Acme", name: "shop", backends: {}, extra: true }`) }, args: ["secret", "list"], code: "invalid_config", message: /3 problems in layeron\.config\.ts:\n.*extra is true: unknown field[\s\S]*workspace is "Acme"[\s\S]*backends is \{\}/ },

  // ---- declarations (the backend entry) ----
  { id: "decl-bytes-too-small", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", bytes: 8 })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /bytes.*8.*must be an integer from 16 to 1024/ },
  { id: "decl-bytes-too-large", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", bytes: 2048 })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /bytes.*2048.*must be an integer from 16 to 1024/ },
  { id: "decl-bytes-fraction", area: "declarations", files: { "src/api.ts": api(`secret.generated({ name: "k", bytes: 32.5 })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /bytes.*32\.5.*must be an integer/ },
  { id: "decl-every-days-too-small", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", rotation: { everyDays: 3 } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /rotation\.everyDays.*3.*must be an integer of at least 7/ },
  { id: "decl-every-days-string", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", rotation: { everyDays: "30" } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /rotation\.everyDays.*"30".*must be an integer of at least 7/ },
  { id: "decl-static-rotation", area: "declarations", files: { "src/api.ts": api(`secret.static({ name: "k", rotation: { everyDays: 30 } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /rotation.*static secrets cannot rotate/ },
  { id: "decl-retain-for-no-days", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", rotation: { everyDays: 30, retain: { mode: "retain_for" } } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /rotation\.retain\.days.*is required with mode "retain_for"/ },
  { id: "decl-retain-days-zero", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 0 } } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /rotation\.retain\.days.*0.*positive integer/ },
  { id: "decl-retain-mode-unknown", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", rotation: { everyDays: 30, retain: { mode: "keep" } } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /rotation\.retain\.mode.*"keep".*must be "none", "retain_for" or "retain_forever"/ },
  { id: "decl-start-at", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", rotation: { everyDays: 30, startAt: "tomorrow" } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /rotation\.startAt.*"tomorrow".*must be an RFC 3339 time/ },
  { id: "decl-name-invalid", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "Session Key" })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /name.*"Session Key".*must match/ },
  { id: "decl-name-missing", area: "declarations", files: { "src/api.ts": api(`secret.random({ namespace: "auth" })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /option "name" is missing: must match/ },
  { id: "decl-namespace-reserved", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", namespace: "layeron" })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /namespace.*"layeron" is reserved for Layeron's own secrets/ },
  { id: "decl-namespace-invalid", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", namespace: "Auth" })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /namespace.*"Auth".*must match/ },
  { id: "decl-unknown-option", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", rotate: { everyDays: 30 } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /rotate.*unknown option; expected one of/ },
  { id: "decl-expose-invalid", area: "declarations", files: { "src/api.ts": api(`secret.random({ name: "k", consume: { expose: "all" } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /consume\.expose.*"all".*must be "versioned" \(default\) or "current"/ },
  { id: "decl-format-invalid", area: "declarations", files: { "src/api.ts": api(`secret.static({ name: "k", value: { format: "hex" } })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /value\.format.*"hex".*must be "text" or "base64url"/ },
  { id: "decl-secret-name-invalid", area: "declarations", files: { "src/api.ts": api(`secret.static({ name: "k", secretName: "STRIPE SECRET" })`) }, args: ["secret", "list"], code: "backend_import_failed", message: /secretName.*"STRIPE SECRET".*must be a Cloudflare secret name/ },
  { id: "decl-options-not-object", area: "declarations", files: { "src/api.ts": api(`secret.random("session-key")`) }, args: ["secret", "list"], code: "backend_import_failed", message: /options.*pass an object such as \{ name: "session-key" \}/ },
  {
    id: "decl-duplicate-different",
    area: "declarations",
    files: {
      "layeron.config.ts": config(`{ workspace: "acme", name: "shop", backends: { api: "./src/api.ts", admin: "./src/admin.ts" } }`),
      "src/admin.ts": api(`secret.random({ name: "session-key", namespace: "auth", bytes: 64 })`),
    },
    args: ["secret", "list"],
    code: "conflicting_declarations",
    message: /"auth\/session-key" is declared differently by backend "api" \(src\/api\.ts\) and backend "admin" \(src\/admin\.ts\)\ndeclare it once in a shared module/,
  },
  { id: "decl-backend-throws", area: "declarations", files: { "src/api.ts": 'throw new Error("backend says no")\n' }, args: ["secret", "list"], code: "backend_import_failed", message: /^backend "api" \(src\/api\.ts\) threw while loading: backend says no\nfix the error in src\/api\.ts/ },
  { id: "decl-backend-syntax", area: "declarations", files: { "src/api.ts": "export default {\n" }, args: ["secret", "list"], code: "backend_import_failed", message: /^backend "api" \(src\/api\.ts\) threw while loading: / },
  { id: "decl-backend-no-default", area: "declarations", files: { "src/api.ts": "export const app = 1\n" }, args: ["secret", "list"], code: "backend_no_default_export", message: /backend "api" \(src\/api\.ts\) has no default export\nend the entry with `export default app`/ },

  // ---- names (NAME on the command line) ----
  { id: "name-invalid-characters", area: "names", args: ["secret", "set", "bad name!", "--value-env", "V"], env: V, code: "invalid_secret_name", message: /"bad name!" is not a valid secret name: a Cloudflare secret name is 1 to 255 letters, digits, _ and -/ },
  { id: "name-too-long", area: "names", args: ["secret", "set", "N".repeat(256), "--value-env", "V"], env: V, code: "invalid_secret_name", message: /is not a valid secret name: a Cloudflare secret name is 1 to 255/ },
  { id: "name-empty", area: "names", args: ["secret", "set", "", "--value-env", "V"], env: V, code: "invalid_secret_name", message: /"" is not a valid secret name/ },
  { id: "name-unicode", area: "names", args: ["secret", "set", "sécret", "--value-env", "V"], env: V, code: "invalid_secret_name", message: /"sécret" is not a valid secret name/ },
  { id: "name-dot", area: "names", args: ["secret", "set", "api.key", "--value-env", "V"], env: V, code: "invalid_secret_name", message: /"api\.key" is not a valid secret name/ },
  { id: "name-unknown-declaration", area: "names", args: ["secret", "set", "auth/sesion-key", "--value-env", "V"], env: V, code: "unknown_declaration", message: /no declaration "auth\/sesion-key"; declared: auth\/session-key.*\ncheck the spelling/ },
  { id: "name-three-parts", area: "names", args: ["secret", "set", "a/b/c", "--value-env", "V"], env: V, code: "unknown_declaration", message: /no declaration "a\/b\/c"/ },
  { id: "name-sealing-key", area: "names", args: ["secret", "set", "layeron/sealing-key", "--value-env", "V"], env: V, code: "reserved_secret", message: /Layeron's own sealing key; layer creates and writes it/ },
  { id: "name-ambiguous", area: "names", args: ["secret", "set", "signing-key", "--value-env", "V"], env: { V: B64 }, code: "ambiguous_secret_name", message: /"signing-key" is declared as auth\/signing-key, not as a Cloudflare secret name\nwrite auth\/signing-key/ },
  { id: "name-delete-invalid", area: "names", args: ["secret", "delete", "bad name!", "--yes"], code: "invalid_secret_name", message: /"bad name!" is not a valid secret name/ },
  { id: "name-delete-unknown-declaration", area: "names", args: ["secret", "delete", "auth/nope", "--yes"], code: "unknown_declaration", message: /no declaration "auth\/nope"/ },
  { id: "name-delete-declared", area: "names", args: ["secret", "delete", "auth/session-key", "--yes"], code: "declared_secret", message: /refusing to delete .*auth\/session-key.* is declared by backend "api".*\n.*--force/ },
  { id: "name-delete-sealing-key", area: "names", args: ["secret", "delete", "layeron/sealing-key", "--yes"], code: "declared_secret", message: /it is Layeron's sealing key.*\n.*--force/ },
  { id: "name-delete-missing", area: "names", args: ["secret", "delete", "NEVER_SET", "--yes"], code: "secret_not_found", message: /no secret NEVER_SET in dev\n`layer secret list --env dev`/ },
  { id: "name-cloudflare-invalid", area: "names", cloudflare: true, args: ["secret", "set", "bad name!", "--value-env", "V", "--env", "production"], env: V, code: "invalid_secret_name", message: /"bad name!" is not a valid secret name/ },
  { id: "name-cloudflare-delete-missing", area: "names", cloudflare: true, args: ["secret", "delete", "NEVER_SET", "--yes", "--env", "production"], code: "secret_not_found", message: /no secret NEVER_SET in production/ },

  // ---- values ----
  { id: "value-empty-flag", area: "values", args: ["secret", "set", "X", "--value", ""], code: "empty_value", message: /--value is empty; nothing was written/ },
  { id: "value-env-unset", area: "values", args: ["secret", "set", "X", "--value-env", "NOT_SET_ANYWHERE"], code: "env_var_unset", message: /environment variable NOT_SET_ANYWHERE \(from --value-env\) is not set\nexport NOT_SET_ANYWHERE=/ },
  { id: "value-env-empty", area: "values", args: ["secret", "set", "X", "--value-env", "EMPTY"], env: { EMPTY: "" }, code: "empty_value", message: /environment variable EMPTY \(from --value-env\) is empty/ },
  { id: "value-env-bad-name", area: "values", args: ["secret", "set", "X", "--value-env", "1ABC"], code: "invalid_env_name", message: /--value-env takes the name of an environment variable.*\n.*not its value/ },
  { id: "value-env-value-given", area: "values", args: ["secret", "set", "X", "--value-env", "sk live 123"], code: "invalid_env_name", message: /--value-env takes the name of an environment variable/ },
  { id: "value-stdin-empty", area: "values", args: ["secret", "set", "X", "--from-stdin"], input: "", code: "empty_value", message: /stdin was empty; nothing was written\n.*printf '%s'/ },
  { id: "value-stdin-invalid-utf8", area: "values", args: ["secret", "set", "X", "--from-stdin"], input: Buffer.from([0x41, 0xff, 0xfe, 0x42]), code: "invalid_utf8", message: /stdin is not valid UTF-8/ },
  { id: "value-too-large", area: "values", args: ["secret", "set", "X", "--from-stdin"], input: "x".repeat(65_537), code: "value_too_large", message: /the value is 65,537 UTF-8 bytes; Cloudflare's limit is 65,536/ },
  { id: "value-too-large-multibyte", area: "values", args: ["secret", "set", "X", "--from-stdin"], input: "€".repeat(21_846), code: "value_too_large", message: /the value is 65,538 UTF-8 bytes; Cloudflare's limit is 65,536/ },
  { id: "value-random-not-base64url", area: "values", args: ["secret", "set", "auth/session-key", "--value-env", "V"], env: { V: "not base64 at all!" }, code: "invalid_encoding", message: /auth\/session-key is a random secret, stored as base64url without padding, but version v1 is not/ },
  // (Padded base64 is the same bytes in standard base64's spelling: converted, not refused.)
  { id: "value-random-trailing-newline", area: "values", args: ["secret", "set", "auth/session-key", "--value-env", "V"], env: { V: `${B64}\n` }, code: "trailing_newline", message: /auth\/session-key is a random secret, stored as base64url, and the value ends with a newline/ },
  { id: "value-generated-base64-alphabet", area: "values", args: ["secret", "set", "auth/signing-key", "--value-env", "V"], env: { V: "AAEC+/8AAQIDBAUGBwgJCg" }, code: "invalid_encoding", message: /auth\/signing-key is a generated secret, stored as base64url/ },
  { id: "value-two-sources", area: "values", args: ["secret", "set", "X", "--value", "v", "--value-env", "V"], env: V, code: "conflicting_value_sources", message: /--value and --value-env were both given/ },
  { id: "value-three-sources", area: "values", args: ["secret", "set", "X", "--value", "v", "--value-env", "V", "--from-stdin"], env: V, input: "x", code: "conflicting_value_sources", message: /--value and --value-env and --from-stdin were both given/ },
  { id: "value-no-source", area: "values", args: ["secret", "set", "X"], code: "no_value_source", message: /no value given and stdin is not a terminal/ },
  { id: "value-cloudflare-too-large", area: "values", cloudflare: true, args: ["secret", "set", "BIG", "--from-stdin", "--env", "production"], input: "x".repeat(65_537), code: "value_too_large", message: /65,537 UTF-8 bytes; Cloudflare's limit is 65,536/ },
  // issue 24: a hand-written RS256 key under 2048 bits (the key is made once per run, never printed)
  { id: "value-rs256-1024-bits", area: "values", files: { "src/api.ts": api(`secret.generated({ name: "token-key", generate: "RS256" })`) }, args: ["secret", "set", "token-key", "--value-env", "K"], env: { K: WEAK_RSA_JWK }, code: "weak_key", message: /version v1 of default\/token-key is an RSA key of 1024 bits; RS256 keys must have at least 2048 bits; nothing was written\n.*2048 bits/ },

  // ---- envelopes ----
  { id: "envelope-current-missing", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v9", versions: { v1: { value: "a" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at current.*\n.*--plain/ },
  { id: "envelope-no-versions", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v1", versions: {} }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at (versions|current)/ },
  { id: "envelope-version-id", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v 1", versions: { "v 1": { value: "a" } } }) }, code: "invalid_envelope", message: /but it is invalid: .*version id/i },
  { id: "envelope-value-and-sealed", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v1", versions: { v1: { value: "a", sealed: "ls1.x" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions\.v1/ },
  { id: "envelope-neither-value-nor-sealed", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v1", versions: { v1: { createdAt: "2026-05-01T00:00:00Z" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions\.v1/ },
  { id: "envelope-value-number", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v1", versions: { v1: { value: 42 } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions\.v1\.value/ },
  { id: "envelope-created-at", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v1", versions: { v1: { value: "a", createdAt: "yesterday" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions\.v1\.createdAt/ },
  { id: "envelope-expires-at", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v2", versions: { v1: { value: "a", expiresAt: "2026-13-01T00:00:00Z" }, v2: { value: "b" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions\.v1\.expiresAt/ },
  { id: "envelope-current-expired", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v1", versions: { v1: { value: "a", expiresAt: "2020-01-01T00:00:00Z" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions\.v1\.expiresAt: the current version "v1" expired at 2020-01-01T00:00:00Z/ },
  { id: "envelope-duplicate-key", area: "envelopes", args: WEBHOOK, env: { E: '{"current":"v1","versions":{"v1":{"value":"a"},"v1":{"value":"b"}}}' }, code: "invalid_envelope", message: /appears twice in the same object/ },
  { id: "envelope-versions-array", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v1", versions: [{ value: "a" }] }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions/ },
  { id: "envelope-current-number", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: 1, versions: { v1: { value: "a" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at current/ },
  { id: "envelope-sealed-malformed", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v2", versions: { v1: { sealed: "not-sealed" }, v2: { value: "b" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions\.v1\.sealed/ },
  { id: "envelope-unknown-key", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v1", versions: { v1: { valeu: "a" } } }) }, code: "invalid_envelope", message: /but it is invalid: Invalid secret envelope at versions\.v1/ },
  { id: "envelope-empty-value", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v2", versions: { v1: { value: "" }, v2: { value: "b" } } }) }, code: "empty_value", message: /version v1 of the envelope has an empty "value"; nothing was written/ },
  { id: "envelope-random-version-encoding", area: "envelopes", args: ["secret", "set", "auth/session-key", "--value-env", "E"], env: { E: envelope({ current: "v2", versions: { v1: { value: B64 }, v2: { value: "not base64!" } } }) }, code: "invalid_encoding", message: /auth\/session-key is a random secret, stored as base64url without padding, but version v2 is not/ },
  { id: "envelope-too-large", area: "envelopes", args: WEBHOOK, env: { E: envelope({ current: "v2", versions: { v1: { value: "a".repeat(40_000) }, v2: { value: "b".repeat(30_000) } } }) }, code: "value_too_large", message: /UTF-8 bytes; Cloudflare's limit is 65,536\n.*drop or expire old versions/ },

  // ---- flags and arguments ----
  { id: "flag-unknown", area: "flags", args: ["secret", "set", "X", "--valu", "v"], code: "unknown_flag", message: /unknown flag --valu; did you mean --value\?\nsee `layer secret set --help`/ },
  { id: "flag-unknown-short", area: "flags", args: ["secret", "list", "-x"], code: "unknown_flag", message: /unknown flag -x\nsee `layer secret list --help`/ },
  { id: "flag-unknown-for-command", area: "flags", args: ["secret", "list", "--yes"], code: "unknown_flag", message: /unknown flag --yes\nsee `layer secret list --help`/ },
  { id: "flag-boolean-with-value", area: "flags", args: ["secret", "set", "X", "--plain=yes", "--value-env", "V"], env: V, code: "invalid_flag", message: /flag --plain takes no value/ },
  { id: "flag-missing-value", area: "flags", args: ["secret", "set", "X", "--value-env"], code: "invalid_flag", message: /flag --value-env needs a value\nwrite --value-env <VAR>/ },
  { id: "flag-value-looks-like-flag", area: "flags", args: ["secret", "set", "X", "--value", "-abc"], code: "invalid_flag", message: /flag --value is followed by something that looks like another flag\n.*--value=<value>/ },
  { id: "flag-env-missing-value", area: "flags", args: ["secret", "list", "--env"], code: "invalid_flag", message: /flag --env needs a value/ },
  { id: "flag-extra-positional", area: "flags", args: ["secret", "set", "X", "Y", "--value-env", "V"], env: V, code: "unexpected_argument", message: /layer secret set: 1 unexpected argument after NAME/ },
  { id: "flag-missing-name", area: "flags", args: ["secret", "set", "--value-env", "V"], env: V, code: "missing_argument", message: /layer secret set: missing NAME\nusage: layer secret set NAME \[flags\]/ },
  { id: "flag-missing-name-delete", area: "flags", args: ["secret", "delete", "--yes"], code: "missing_argument", message: /layer secret delete: missing NAME/ },
  { id: "flag-unknown-command", area: "flags", args: ["secrets", "list"], code: "unknown_command", message: /unknown command "secrets"; did you mean `layer secret`\?\ncommands: login, logout, whoami, secret set/ },
  { id: "flag-unknown-subcommand", area: "flags", args: ["secret", "lst"], code: "unknown_command", message: /unknown command "secret lst"\ncommands: secret set, secret list, secret delete, secret rotate/ },
  { id: "flag-delete-needs-yes", area: "flags", args: ["secret", "delete", "EXISTING"], code: "confirmation_required", message: /deleting EXISTING from dev needs confirmation, and stdin is not a terminal\npass --yes/ },
  { id: "flag-cwd-nowhere", area: "flags", args: ["secret", "list", "--cwd", "/nonexistent/place"], code: "config_not_found", message: /no layeron\.config\.ts in \/nonexistent\/place or any directory above it/ },
  { id: "flag-login-account-id-missing", area: "flags", args: ["login", "--account-id"], code: "invalid_flag", message: /flag --account-id needs a value/ },
  { id: "flag-rotate-at-invalid", area: "flags", args: ["secret", "rotate", "--at", "next tuesday"], code: "invalid_time", message: /--at.*"next tuesday".*RFC 3339/ },
  { id: "flag-rotate-unknown-name", area: "names", args: ["secret", "rotate", "auth/sesion-key", "--now"], code: "unknown_secret", message: /no declared secret "auth\/sesion-key" in dev; did you mean auth\/session-key\?/ },
  { id: "flag-rotate-now-two-environments", area: "flags", args: ["secret", "rotate", "auth/session-key", "--now", "--apply", "--yes", "--env", "dev", "--env", "staging"], code: "flag_repeated", message: /flag --env is given more than once\ngive --env once: one command acts on one name/ },
  { id: "flag-rotate-now-static", area: "names", args: ["secret", "rotate", "payments/stripe", "--now", "--apply", "--yes"], code: "not_rotatable", message: /payments\/stripe .* is a static secret.*nothing was written\n.*layer secret set payments\/stripe/ },
  { id: "flag-revoke-needs-yes", area: "flags", args: ["secret", "revoke", "auth/session-key", "v1"], code: "confirmation_required", message: /`secret revoke` needs confirmation, and stdin is not a terminal; nothing was written\npass --yes/ },
  { id: "flag-revoke-missing-version", area: "flags", args: ["secret", "revoke", "auth/session-key", "--yes"], code: "missing_argument", message: /layer secret revoke: missing VERSION\nusage: layer secret revoke NAME VERSION… \[flags\]/ },
  { id: "flag-rotate-concurrency-zero", area: "flags", args: ["secret", "rotate", "--apply", "--yes", "--concurrency", "0"], code: "invalid_concurrency", message: /--concurrency must be a whole number from 1 to 32; got "0"/ },
  { id: "flag-rotate-concurrency-word", area: "flags", args: ["secret", "rotate", "--apply", "--yes", "--concurrency", "many"], code: "invalid_concurrency", message: /--concurrency must be a whole number from 1 to 32; got "many"/ },
  { id: "flag-rotate-apply-needs-yes", area: "flags", args: ["secret", "rotate", "--apply"], code: "confirmation_required", message: /`secret rotate --apply` needs confirmation, and stdin is not a terminal; nothing was written\npass --yes/ },
  { id: "flag-rotate-apply-with-at", area: "flags", args: ["secret", "rotate", "--apply", "--yes", "--at", "2030-01-01T00:00:00Z"], code: "apply_with_at", message: /--apply always rotates at the current time; nothing was written/ },
  { id: "flag-rotate-unknown-flag", area: "flags", args: ["secret", "rotate", "--force"], code: "unknown_flag", message: /unknown flag --force\nsee `layer secret rotate --help`/ },
  { id: "flag-deploy-unknown-flag", area: "flags", args: ["deploy", "--force"], code: "unknown_flag", message: /unknown flag --force\nsee `layer deploy --help`/ },
  { id: "flag-dev-port-word", area: "flags", args: ["dev", "--port", "abc"], code: "invalid_port", message: /--port must be a port number from 1 to 65535 \(or 0 for any free port\); got "abc"/ },
  { id: "flag-dev-port-range", area: "flags", args: ["dev", "--port", "70000"], code: "invalid_port", message: /--port must be a port number from 1 to 65535 \(or 0 for any free port\); got "70000"/ },
  { id: "flag-deploy-extra-positional", area: "flags", args: ["deploy", "api"], code: "unexpected_argument", message: /layer deploy: 1 unexpected argument/ },

  // ---- environment variables ----
  { id: "env-layeron-env-unknown", area: "environment", args: ["secret", "list"], env: { LAYERON_ENV: "prod" }, code: "unknown_environment", message: /unknown environment "prod" \(LAYERON_ENV names\); known: dev, staging\nuse one of dev, staging/ },
  { id: "env-flag-unknown", area: "environment", args: ["secret", "set", "X", "--value-env", "V", "--env", "staging2"], env: V, code: "unknown_environment", message: /unknown environment "staging2" \(--env names\); known: dev, staging/ },
  { id: "env-base-url-not-url", area: "environment", cloudflare: true, args: ["secret", "list", "--env", "production"], env: { CLOUDFLARE_API_BASE_URL: "not a url" }, code: "invalid_api_base_url", message: /CLOUDFLARE_API_BASE_URL is not a URL \(a text of 9 characters\)/ },
  { id: "env-base-url-ftp", area: "environment", cloudflare: true, args: ["secret", "list", "--env", "production"], env: { CLOUDFLARE_API_BASE_URL: "ftp://example.com/client/v4" }, code: "invalid_api_base_url", message: /CLOUDFLARE_API_BASE_URL must be an http\(s\) URL/ },
  { id: "env-retry-wait-not-number", area: "environment", cloudflare: true, args: ["secret", "list", "--env", "production"], env: { LAYERON_MAX_RETRY_WAIT_MS: "abc" }, code: "invalid_setting", message: /LAYERON_MAX_RETRY_WAIT_MS must be a whole number of milliseconds \(0 or more\); got "abc"/ },
  { id: "env-retry-wait-negative", area: "environment", cloudflare: true, args: ["secret", "set", "X", "--value-env", "V", "--env", "production"], env: { ...V, LAYERON_MAX_RETRY_WAIT_MS: "-5" }, code: "invalid_setting", message: /LAYERON_MAX_RETRY_WAIT_MS must be a whole number of milliseconds/ },
  { id: "env-timeout-fraction", area: "environment", cloudflare: true, args: ["secret", "list", "--env", "production"], env: { LAYERON_REQUEST_TIMEOUT_MS: "1.5" }, code: "invalid_setting", message: /LAYERON_REQUEST_TIMEOUT_MS must be a whole number of milliseconds/ },
  { id: "env-http-timeout-zero", area: "environment", cloudflare: true, args: ["secret", "list", "--env", "production"], env: { LAYERON_HTTP_TIMEOUT_S: "0" }, code: "invalid_setting", message: /LAYERON_HTTP_TIMEOUT_S must be a number of seconds above 0 and at most 3600; got "0"/ },
  { id: "env-http-timeout-and-ms", area: "environment", cloudflare: true, args: ["secret", "list", "--env", "production"], env: { LAYERON_HTTP_TIMEOUT_S: "5", LAYERON_REQUEST_TIMEOUT_MS: "5000" }, code: "invalid_setting", message: /LAYERON_HTTP_TIMEOUT_S and LAYERON_REQUEST_TIMEOUT_MS are both set/ },
  { id: "env-account-id-malformed", area: "environment", args: ["login", "--from-stdin"], input: "x".repeat(40), env: { CLOUDFLARE_ACCOUNT_ID: "acme" }, code: "invalid_account_id", message: /CLOUDFLARE_ACCOUNT_ID "acme" is not a Cloudflare account id \(32 hexadecimal digits\)/ },
  { id: "env-lock-wait-word", area: "environment", args: ["secret", "rotate", "--apply", "--yes"], env: { LAYERON_LOCK_WAIT_MS: "soon" }, code: "invalid_setting", message: /LAYERON_LOCK_WAIT_MS must be a whole number of milliseconds \(0 or more\); got "soon"/ },
  { id: "env-api-rate-limit", area: "environment", cloudflare: true, args: ["secret", "list", "--env", "production"], env: { LAYERON_API_RATE_LIMIT: "fast" }, code: "invalid_setting", message: /LAYERON_API_RATE_LIMIT must be <requests>\/<seconds>/ },
  { id: "env-token-with-space", area: "environment", cloudflare: true, args: ["secret", "list", "--env", "production"], env: { CLOUDFLARE_API_TOKEN: "abc def ghi jkl mno pqr stu vwx yz0 123 456" }, code: "invalid_token", message: /the Cloudflare API token contains spaces, line breaks or non-ASCII characters/ },
  { id: "env-token-not-set", area: "environment", cloudflare: true, args: ["secret", "set", "X", "--value-env", "V", "--env", "production"], env: { ...V, CLOUDFLARE_API_TOKEN: undefined }, code: "not_logged_in", message: /environment "production" uses Cloudflare and no API token is available\nrun `layer login`, or export CLOUDFLARE_API_TOKEN/ },

  // ---- credentials (login, whoami, stored credentials) ----
  { id: "cred-login-unknown-token", area: "credentials", cloudflare: true, args: ["login", "--from-stdin"], input: "W".repeat(40), env: { CLOUDFLARE_API_TOKEN: undefined }, code: "token_invalid", message: /Cloudflare does not recognise this API token .*\n.*Account Secrets Store Edit/ },
  { id: "cred-login-empty-stdin", area: "credentials", cloudflare: true, args: ["login", "--from-stdin"], input: "  \n", env: { CLOUDFLARE_API_TOKEN: undefined }, code: "empty_token", message: /stdin was empty; no API token to log in with\npaste the whole token; nothing was stored/ },
  { id: "cred-login-no-source", area: "credentials", cloudflare: true, args: ["login"], env: { CLOUDFLARE_API_TOKEN: undefined }, code: "no_token_source", message: /no API token given, and stdin is not a terminal/ },
  { id: "cred-login-account-malformed", area: "credentials", cloudflare: true, args: ["login", "--from-stdin", "--account-id", "acme"], input: "W".repeat(40), code: "invalid_account_id", message: /--account-id "acme" is not a Cloudflare account id/ },
  { id: "cred-login-account-unreachable", area: "credentials", cloudflare: true, args: ["login", "--account-id", "f".repeat(32)], code: "account_not_accessible", message: /cannot access account f{32} \(from --account-id\)/ },
  { id: "cred-login-token-with-newline", area: "credentials", cloudflare: true, args: ["login", "--from-stdin"], input: `${"A".repeat(20)}\n${"B".repeat(20)}`, env: { CLOUDFLARE_API_TOKEN: undefined }, code: "invalid_token", message: /contains spaces, line breaks or non-ASCII characters/ },
  { id: "cred-whoami-not-logged-in", area: "credentials", args: ["whoami"], code: "not_logged_in", message: /no Cloudflare API token: CLOUDFLARE_API_TOKEN is unset and nothing is stored\nrun `layer login`/ },
  { id: "cred-whoami-unknown-token", area: "credentials", cloudflare: true, args: ["whoami"], env: { CLOUDFLARE_API_TOKEN: "W".repeat(40) }, code: "token_invalid", message: /Cloudflare does not recognise this API token/ },
  { id: "cred-set-revoked-token", area: "credentials", cloudflare: true, args: ["secret", "set", "X", "--value-env", "V", "--env", "production"], env: { ...V, CLOUDFLARE_API_TOKEN: "R".repeat(40) }, code: "cloudflare_auth_failed", message: /Cloudflare rejected the API token \(HTTP 401 .*\n.*layer whoami.*layer login/ },
  { id: "cred-file-not-json", area: "credentials", cloudflare: true, homeFiles: { "credentials.json": "{ not json" }, args: ["secret", "list", "--env", "production"], env: { CLOUDFLARE_API_TOKEN: undefined }, code: "credentials_corrupt", message: /credentials\.json is not valid JSON\nrun `layer logout`, then `layer login`/ },
  { id: "cred-file-wrong-format", area: "credentials", cloudflare: true, homeFiles: { "credentials.json": JSON.stringify({ format: "other/v9" }) }, args: ["secret", "list", "--env", "production"], env: { CLOUDFLARE_API_TOKEN: undefined }, code: "credentials_corrupt", message: /credentials\.json is not a credentials file layer can use: format is "other\/v9", expected "layeron\.credentials\/v1"/ },
  {
    id: "cred-file-keychain-gone",
    area: "credentials",
    cloudflare: true,
    homeFiles: { "credentials.json": JSON.stringify({ format: "layeron.credentials/v1", cloudflare: { storage: "secret-service", accountId: "0".repeat(32), tokenKind: "user", savedAt: "2026-05-01T00:00:00.000Z" } }) },
    args: ["secret", "list", "--env", "production"],
    env: { CLOUDFLARE_API_TOKEN: undefined },
    code: "keychain_unavailable",
    message: /the Cloudflare token was stored in the secret-service keychain, which is not reachable now\n.*layer login/,
  },
  // ---- issue 23: no write drops a readable version; one name resolver ----
  { id: "name-typo-near-declared", area: "names", args: ["secret", "set", "STRIPE_SECRT", "--value-env", "V"], env: V, code: "undeclared_name_near_declared", message: /"STRIPE_SECRT" is not declared, and it is close to payments\/stripe \(STRIPE_SECRET\): did you mean payments\/stripe\?\n.*--undeclared/ },
  { id: "envelope-drops-current", area: "envelopes", args: ["secret", "set", "auth/session-key", "--value-env", "E"], env: { E: envelope({ current: "v2", versions: { v2: { value: B64 } } }) }, code: "versions_would_be_lost", message: /auth\/session-key\) holds version v1 that is still readable, and this write would remove it .*nothing was written\n.*--replace-all/ },
  { id: "envelope-drops-current-cloudflare", area: "envelopes", cloudflare: true, args: ["secret", "set", "auth/session-key", "--value-env", "E", "--env", "production"], env: { E: envelope({ current: "v2", versions: { v2: { value: B64 } } }) }, code: "versions_would_be_lost", message: /holds version v1 that is still readable/ },
  { id: "flag-replace-all-without-yes", area: "flags", args: [...SET_X, "--replace-all"], env: V, code: "confirmation_required", message: /--replace-all \(it may remove versions that are still readable\) needs confirmation, and stdin is not a terminal\npass --yes/ },
]
