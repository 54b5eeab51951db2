/**
 * What the workerd benchmarks share: loading the modules' TypeScript sources in Node (through
 * tsx, so no build is needed) and bundling a Worker for miniflare.
 */
import { build } from "esbuild"
import { register } from "tsx/esm/api"

/** `packages/modules/src/<path>` as a URL. */
export const modulesSource = (path) => new URL(`../../packages/modules/src/${path}`, import.meta.url).href

/** Imports `packages/modules/src/<path>` for each path, in order. */
export async function loadModuleSources(paths) {
  const unregister = register()
  try {
    return await Promise.all(paths.map((path) => import(modulesSource(path))))
  } finally {
    await unregister()
  }
}

/** One ESM bundle for workerd (`cloudflare:*` left to the runtime). */
export async function bundleForWorkerd(options) {
  const result = await build({ bundle: true, format: "esm", platform: "neutral", target: "es2022", external: ["cloudflare:*"], write: false, logLevel: "silent", ...options })
  return result.outputFiles[0].text
}
