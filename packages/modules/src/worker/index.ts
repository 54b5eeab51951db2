/**
 * The Secret Product Worker (docs/design.md#runtime): app Workers call `read()`, `active()` and
 * `versions()` over the `LAYERON_SECRET` service binding, and `use()` to run an operation on a
 * key that never leaves this Worker (`expose: "use"`); this Worker holds one Secrets Store binding per declared
 * secret plus the sealing key, and a manifest saying which binding is which and which
 * backend registers which secret. Each binding's `props.backend` says who calls
 * (caller.ts); a backend is served only what it registers.
 *
 * "now" is this Worker's clock (`Date.now()`) when a call arrives; see docs/runtime.md.
 */
import { WorkerEntrypoint } from "cloudflare:workers"
import { BUNDLED_MANIFEST } from "./bundled-manifest.js"
import { callerOf } from "./caller.js"
import { ManifestError, parseManifest } from "./manifest.js"
import type { SecretManifest } from "./manifest.js"
import { readActive, readOne, readVersionInfo } from "./read.js"
import { reply } from "./reply.js"
import { SECRET_MANIFEST_VAR } from "./protocol.js"
import type { KeyOperation, KeyOutcome, ProductReply, ReadSelector, SecretProductRpc, WireActive, WireVersion, WireVersionInfo } from "./protocol.js"
import type { WorkerEnv } from "./stored-envelope.js"
import { useKey } from "./use.js"

export class SecretProduct extends WorkerEntrypoint<WorkerEnv> implements SecretProductRpc {
  async read(secretId: string, selector: ReadSelector): Promise<ProductReply<WireVersion>> {
    const now = new Date()
    return reply(secretId, () => readOne(this.env, loadManifest(this.env), callerOf(this.ctx.props), secretId, selector, now))
  }

  async active(secretId: string): Promise<ProductReply<WireActive>> {
    const now = new Date()
    return reply(secretId, () => readActive(this.env, loadManifest(this.env), callerOf(this.ctx.props), secretId, now))
  }

  async versions(secretId: string): Promise<ProductReply<WireVersionInfo[]>> {
    const now = new Date()
    return reply(secretId, () => readVersionInfo(this.env, loadManifest(this.env), callerOf(this.ctx.props), secretId, now))
  }

  async use(secretId: string, operation: KeyOperation): Promise<ProductReply<KeyOutcome>> {
    const now = new Date()
    return reply(secretId, () => useKey(this.env, loadManifest(this.env), callerOf(this.ctx.props), secretId, operation, now))
  }
}

/** Nothing is served over HTTP: values leave this Worker only through RPC. */
export default {
  fetch(): Response {
    return new Response("Not found", { status: 404 })
  },
}

let manifestCache: { raw: unknown; manifest: SecretManifest } | undefined

/**
 * Parsed once per isolate; a redeploy brings a new isolate and a new manifest. The one in the
 * bundle (deploy) wins over the var (`layer dev`, tests).
 */
function loadManifest(env: WorkerEnv): SecretManifest {
  const raw = BUNDLED_MANIFEST ?? env[SECRET_MANIFEST_VAR]
  if (manifestCache !== undefined && manifestCache.raw === raw) return manifestCache.manifest
  if (raw === undefined) throw new ManifestError(SECRET_MANIFEST_VAR, "the var is not set")
  const manifest = parseManifest(raw)
  manifestCache = { raw, manifest }
  return manifest
}

export type { SecretManifest, SecretManifestEntry } from "./manifest.js"
export type * from "./protocol.js"
