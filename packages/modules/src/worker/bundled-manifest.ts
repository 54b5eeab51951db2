/**
 * The manifest as `layer deploy` ships it: inside the Secret Product Worker's bundle, not in a
 * var (Cloudflare limits a variable to 5 KB, about 33 declarations). The deploy bundler
 * replaces this module's text with `export const BUNDLED_MANIFEST = {…}`; as published it
 * holds nothing, and the Worker falls back to the `LAYERON_SECRET_MANIFEST` binding, which is
 * how `layer dev` and the workerd tests pass it.
 */
export const BUNDLED_MANIFEST: unknown = undefined
