/**
 * Bundling for workerd with esbuild: one ES module per Worker, `cloudflare:*` left to the
 * runtime (and `node:*` too when the backend runs with nodejs_compat). The same bundle is
 * uploaded by `layer deploy`, written as the wrangler artifact, and run by `layer dev`.
 *
 * Resolution follows wrangler's: the `workerd`, `worker` and `browser` export conditions,
 * then the `browser`, `module` and `main` fields. Paths in the output are relative to the
 * project root, so a bundle (and its digest) does not depend on where the project sits.
 */
import { isAbsolute, relative } from "node:path"
import { fileURLToPath } from "node:url"
import type { BuildFailure, Message, Plugin } from "esbuild"
import type { SecretManifest } from "@layeron/modules/binding-plan"
import { LayerError } from "../errors.js"
import type { BackendTarget } from "./types.js"

/** The name of the one module part (and artifact file) of every Worker. */
export const MAIN_MODULE = "index.js"

/** Flags under which workerd provides `node:*` modules, so esbuild must not try to bundle them. */
const NODE_COMPAT_FLAGS = ["nodejs_compat", "nodejs_compat_v2", "nodejs_als"]

interface BundleRequest {
  entry: string
  root: string
  compatibilityFlags: readonly string[]
  plugins?: Plugin[]
  /** `layer dev` only: an inline source map, so stack traces can name the source lines. */
  sourceMap?: boolean
}

async function bundle(request: BundleRequest): Promise<string> {
  const nodeCompat = request.compatibilityFlags.some((flag) => NODE_COMPAT_FLAGS.includes(flag))
  // Loaded on first use: commands that never bundle (secret set, list) skip esbuild's ~10 ms load.
  const { build } = await import("esbuild")
  const result = await build({
    entryPoints: [request.entry],
    absWorkingDir: request.root,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: nodeCompat ? ["cloudflare:*", "node:*"] : ["cloudflare:*"],
    outfile: MAIN_MODULE,
    write: false,
    logLevel: "silent",
    ...(request.plugins ? { plugins: request.plugins } : {}),
    ...(request.sourceMap ? { sourcemap: "inline" as const, sourcesContent: false } : {}),
  })
  const output = result.outputFiles.find((file) => file.path.endsWith(".js"))
  if (!output) throw new Error(`esbuild produced no JavaScript for ${request.entry}`)
  return output.text
}

/** The backend's app Worker; a failure names the backend, the file and esbuild's messages. */
export async function bundleBackend(backend: BackendTarget, root: string, options: { sourceMap?: boolean } = {}): Promise<string> {
  try {
    return await bundle({ entry: backend.file, root, compatibilityFlags: backend.compatibilityFlags, sourceMap: options.sourceMap })
  } catch (error) {
    throw bundleError(error, `backend "${backend.id}" (${relative(root, backend.file) || backend.file})`, backend.compatibilityFlags, root)
  }
}

/**
 * The Secret Product Worker, from the `@layeron/modules/worker` entry this CLI was built
 * with: the manifest format it reads is the one this CLI writes. With a manifest (deploy),
 * the manifest is compiled into the bundle (worker/bundled-manifest), so it is not limited by
 * the 5 KB a variable may hold; without one (`layer dev`), the Worker reads its var.
 */
export async function bundleProductWorker(root: string, manifest?: SecretManifest): Promise<string> {
  const entry = fileURLToPath(import.meta.resolve("@layeron/modules/worker"))
  try {
    return await bundle({ entry, root, compatibilityFlags: [], ...(manifest ? { plugins: [embedManifest(manifest)] } : {}) })
  } catch (error) {
    throw bundleError(error, `the Secret Product Worker (${entry})`, [], root)
  }
}

/** Replaces worker/bundled-manifest (its .js in dist, its .ts under the `source` condition). */
function embedManifest(manifest: SecretManifest): Plugin {
  return {
    name: "layeron-bundled-manifest",
    setup(build) {
      build.onLoad({ filter: /[\\/]worker[\\/]bundled-manifest\.(js|ts)$/ }, () => ({
        contents: `export const BUNDLED_MANIFEST = ${JSON.stringify(manifest)};\n`,
        loader: "js",
      }))
    },
  }
}

function bundleError(error: unknown, what: string, flags: readonly string[], root: string): LayerError {
  const messages = isBuildFailure(error) ? error.errors : []
  if (messages.length === 0) {
    return new LayerError("bundle_failed", `cannot bundle ${what} for workerd: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const shown = messages.slice(0, 3).map((message) => describeMessage(message, root))
  const more = messages.length > 3 ? ` (and ${messages.length - 3} more)` : ""
  const nodeImport = messages.some((message) => /Could not resolve "node:|built into node/.test(message.text + message.notes.map((n) => n.text).join(" ")))
  const hint =
    nodeImport && !flags.some((flag) => NODE_COMPAT_FLAGS.includes(flag))
      ? 'Workers have no Node built-ins unless the backend asks for them: add compatibilityFlags: ["nodejs_compat"] to backend({ ... }), or remove the import'
      : "fix the code at the place named above; `layer deploy --dry-run` checks the bundle without writing anything"
  return new LayerError("bundle_failed", `cannot bundle ${what} for workerd: ${shown.join("; ")}${more}`, { hint, cause: error })
}

/** `src/api.ts:3:21: Could not resolve "x"`; the offending line itself is left out (it could hold anything). */
function describeMessage(message: Message, root: string): string {
  const location = message.location
  if (!location) return message.text
  // esbuild already reports paths relative to absWorkingDir (the project root).
  const file = isAbsolute(location.file) ? relative(root, location.file) : location.file
  return `${file}:${location.line}:${location.column}: ${message.text}`
}

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors)
}
