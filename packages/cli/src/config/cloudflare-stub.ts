/**
 * Backends import `cloudflare:workers` (for `env`, `WorkerEntrypoint`…), a specifier that
 * exists only inside workerd. To discover declarations the CLI imports them in Node, so a
 * loader hook (node:module `register`) resolves every `cloudflare:*` specifier to this
 * stub. The hook and the stub are data: URLs so that they work from src (tsx) and dist alike
 * and need no file next to the built CLI.
 */

/** Exports a backend may import at module level; all inert in Node. */
const STUB_SOURCE = `
export const env = {};
class Base { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }
export class WorkerEntrypoint extends Base {}
export class DurableObject extends Base {}
export class WorkflowEntrypoint extends Base {}
export class RpcTarget {}
export class RpcStub {}
export class EmailMessage {}
export function connect() { throw new Error("cloudflare:sockets connect() is only available inside workerd"); }
export function waitUntil() {}
export default {};
`

const STUB_URL = `data:text/javascript,${encodeURIComponent(STUB_SOURCE)}`

const HOOKS_SOURCE = `
const STUB_URL = ${JSON.stringify(STUB_URL)};
export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith("cloudflare:")) return { url: STUB_URL, format: "module", shortCircuit: true };
  return nextResolve(specifier, context);
}
`

export const CLOUDFLARE_STUB_HOOKS_URL = `data:text/javascript,${encodeURIComponent(HOOKS_SOURCE)}`
