/**
 * Which backend is calling, and what it may read. Every app Worker reaches the Secret Product
 * Worker through its own `LAYERON_SECRET` service binding whose `props` name its backend
 * (`{ backend: "api" }`); workerd hands those props to the entrypoint as `ctx.props`, and only
 * the binding's configuration sets them, so an app's code cannot claim to be another backend.
 * The manifest lists, per backend, the secrets it registers; anything else is refused.
 */
import { failures } from "./failure.js"
import type { SecretManifest } from "./manifest.js"
import { CALLER_PROP } from "./protocol.js"

/** The backend named by a service binding's props, or undefined when it names none. */
export function callerOf(props: unknown): string | undefined {
  const backend = typeof props === "object" && props !== null ? (props as Record<string, unknown>)[CALLER_PROP] : undefined
  return typeof backend === "string" && backend !== "" ? backend : undefined
}

/** Throws `secret_not_registered` unless `caller` is a backend of the manifest that registers `secretId`. */
export function checkRegistered(manifest: SecretManifest, caller: string | undefined, secretId: string): void {
  if (caller === undefined) throw failures.callerUnnamed(secretId)
  const allowed = Object.hasOwn(manifest.backends, caller) ? manifest.backends[caller] : undefined
  if (allowed === undefined) throw failures.callerUnknown(secretId, caller)
  if (!allowed.includes(secretId)) throw failures.notRegistered(secretId, caller)
}
