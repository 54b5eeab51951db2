/**
 * Every way a read can fail inside the Secret Product Worker, each with its message. The
 * factories take ids, times, binding and physical names, never a value, so no message can
 * carry one. `ProductFailure` is thrown inside the worker and leaves it as a
 * `WireSecretError` (see protocol.ts).
 */
import type { ProductErrorCode, WireSecretError } from "./protocol.js"

export class ProductFailure extends Error {
  override readonly name = "ProductFailure"
  readonly wire: WireSecretError

  constructor(code: ProductErrorCode, secretId: string, message: string, versionId?: string) {
    super(message)
    this.wire = versionId === undefined ? { code, secretId, message } : { code, secretId, versionId, message }
  }
}

const REDEPLOY = "Redeploy with `layer deploy` (or restart `layer dev`)"

/** A backend id as it came in a binding's props: bounded, and escaped by JSON.stringify. */
function quoteBackend(backend: string): string {
  return JSON.stringify(backend.length > 64 ? `${backend.slice(0, 64)}…` : backend)
}

export const failures = {
  notDeclared: (secretId: string) =>
    new ProductFailure("secret_not_found", secretId, `Secret "${secretId}" is not bound to the Secret Product Worker. Register it with app.use(...) in a backend and redeploy with \`layer deploy\` (or restart \`layer dev\`).`),

  notRegistered: (secretId: string, backend: string) =>
    new ProductFailure(
      "secret_not_registered",
      secretId,
      `Backend ${quoteBackend(backend)} does not register secret "${secretId}", so the Secret Product Worker does not serve it to that backend. Register it in that backend with app.use(<the secret's module>) (or list it in \`export const layeron = { secrets: [...] }\`), then ${REDEPLOY.charAt(0).toLowerCase()}${REDEPLOY.slice(1)}.`,
    ),

  callerUnnamed: (secretId: string) =>
    new ProductFailure(
      "secret_not_registered",
      secretId,
      `The caller did not say which backend it is (its LAYERON_SECRET service binding has no props.backend), so the Secret Product Worker does not serve secret "${secretId}". Deploy the Worker with \`layer deploy\`; a Worker wrangler deploys takes the binding \`layer deploy --product-only\` prints for its backend.`,
    ),

  callerUnknown: (secretId: string, backend: string) =>
    new ProductFailure(
      "secret_not_registered",
      secretId,
      `Backend ${quoteBackend(backend)} (the caller's props.backend) is not a backend of this Secret Product Worker, so it does not serve secret "${secretId}". List the backend in layeron.config.ts, register the secret there with app.use(...), and ${REDEPLOY.charAt(0).toLowerCase()}${REDEPLOY.slice(1)}.`,
    ),

  /** Deploy binds only secrets that held a value (Cloudflare refuses the others): no binding means no value yet. */
  notBound: (secretId: string, physicalName: string) =>
    new ProductFailure(
      "secret_not_found",
      secretId,
      `Secret "${secretId}" has no value in Secrets Store (secret name ${physicalName}): it had none when the Secret Product Worker was deployed, so it is not bound yet. Write one with \`layer secret set ${secretId}\`, then run \`layer deploy\` to bind it.`,
    ),

  noStoredValue: (secretId: string, physicalName: string) =>
    new ProductFailure("secret_not_found", secretId, `Secret "${secretId}" has no value in Secrets Store (secret name ${physicalName}). Write one with \`layer secret set ${secretId}\`, or run \`layer deploy\` to create random secrets.`),

  /** `source` says what was being read: the secret itself or the sealing key. */
  storeUnreachable: (secretId: string, source: string) =>
    new ProductFailure("product_unavailable", secretId, `Secrets Store did not answer for ${source} while reading secret "${secretId}". Retry the request; if it persists, check the store binding.`),

  manifestInvalid: (secretId: string, problem: string) =>
    new ProductFailure("product_unavailable", secretId, `Cannot read secret "${secretId}": ${problem}`),

  invalidEnvelope: (secretId: string, problem: string) =>
    new ProductFailure("invalid_envelope", secretId, `Secret "${secretId}" holds an invalid envelope: ${problem}. Rewrite it with \`layer secret set ${secretId}\` (or \`--plain\` to store such text literally).`),

  /** A pack's text (or this member's envelope in it) is not in the documented format: edited by hand, copied, truncated. */
  invalidPack: (secretId: string, packName: string, problem: string) =>
    new ProductFailure("invalid_envelope", secretId, `Secret "${secretId}" is packed in ${packName}, which is not a valid pack: ${problem} A pack is written only by layer; write it again from the committed state (\`layer secret pack --env <environment> --apply --yes\`).`),

  /** The pack exists but holds no member for this secret: it has no value yet. */
  notInPack: (secretId: string, packName: string) =>
    new ProductFailure("secret_not_found", secretId, `Secret "${secretId}" has no value in Secrets Store: its pack ${packName} holds no member "${secretId}". Write one with \`layer secret set ${secretId}\`, then run \`layer deploy\`.`),

  unknownVersion: (secretId: string, versionId: string) =>
    new ProductFailure("unknown_version", secretId, `Secret "${secretId}" has no version "${versionId}". Use active() to list the readable versions.`, versionId),

  noVersionAt: (secretId: string, time: string) =>
    new ProductFailure("unknown_version", secretId, `Secret "${secretId}" had no version at ${time}: every version was created later.`),

  versionExpired: (secretId: string, versionId: string, expiresAt: string | undefined) =>
    new ProductFailure("version_expired", secretId, `Version "${versionId}" of secret "${secretId}" expired${expiresAt ? ` at ${expiresAt}` : ""} and can no longer be read.`, versionId),

  exposeRefused: (secretId: string, read: string) =>
    new ProductFailure("expose_refused", secretId, `Secret "${secretId}" is declared with consume.expose "current": ${read} is refused; only current() can be read. Declare expose "versioned" to read other versions.`),

  sealingKeyUnavailable: (secretId: string, versionId: string) =>
    new ProductFailure("product_unavailable", secretId, `Version "${versionId}" of secret "${secretId}" is sealed, but the sealing key (layeron/sealing-key) is missing or malformed. ${REDEPLOY}, which writes the key once per environment.`, versionId),

  unsealFailed: (secretId: string, versionId: string) =>
    new ProductFailure("invalid_envelope", secretId, `Version "${versionId}" of secret "${secretId}" is sealed but does not open with this environment's sealing key and secret name (was it copied from another secret or environment?).`, versionId),

  invalidSelector: (secretId: string) =>
    new ProductFailure("product_unavailable", secretId, `The read request for secret "${secretId}" is malformed: the app and the Secret Product Worker run different Layeron versions. ${REDEPLOY}.`),

  unexpected: (secretId: string) =>
    new ProductFailure("product_unavailable", secretId, `The Secret Product Worker failed unexpectedly while reading secret "${secretId}". Retry; if it persists, report a bug.`),
}
