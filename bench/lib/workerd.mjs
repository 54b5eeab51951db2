/**
 * What the workerd benchmarks share: the modules' TypeScript sources loaded in Node through
 * tsx (no build needed), and an app Worker (given as source text) plus the Secret Product
 * Worker bundled for workerd the way the tests bundle them (esm, platform neutral,
 * `cloudflare:*` external).
 */
import { build } from "esbuild"
import { register } from "tsx/esm/api"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))
const src = (path) => new URL(`../../packages/modules/src/${path}`, import.meta.url).href

/** `paths` under packages/modules/src, e.g. `"envelope/index.ts"`: their modules, in order. */
export async function importSources(paths) {
  const unregister = register()
  try {
    return await Promise.all(paths.map((path) => import(src(path))))
  } finally {
    await unregister()
  }
}

async function bundle(options) {
  const result = await build({ bundle: true, format: "esm", platform: "neutral", target: "es2022", external: ["cloudflare:*"], write: false, logLevel: "silent", ...options })
  return result.outputFiles[0].text
}

/** `[appScript, productScript]`; the app's imports resolve from the repository root (`./packages/…`). */
export function bundleAppAndProduct(appSource, sourcefile) {
  return Promise.all([bundle({ stdin: { contents: appSource, resolveDir: root, loader: "js", sourcefile } }), bundle({ entryPoints: [fileURLToPath(src("worker/index.ts"))] })])
}
