/**
 * Import the user's TypeScript (config and backend entries) at run time, with no build
 * step: tsx's loader in its own namespace, plus the `cloudflare:*` stub hook. Loaded only by
 * commands that need the project, so `layer --version` never pays for tsx or esbuild.
 */
import { register } from "node:module"
import { pathToFileURL } from "node:url"
import { LayerError } from "../errors.js"
import { importEsm } from "../framework/import-esm.js"
import { CLOUDFLARE_STUB_HOOKS_URL } from "./cloudflare-stub.js"
import { createInputRecorder } from "./import-inputs.js"
import type { ImportInputs } from "./import-inputs.js"

export interface ModuleImporter {
  /** The module's namespace object, with a CommonJS-compiled default unwrapped. */
  import(file: string): Promise<Record<string, unknown>>
  /** What every import so far loaded and read (for the project cache). */
  readonly inputs: ImportInputs
}

let stubRegistered = false

export async function createModuleImporter(): Promise<ModuleImporter> {
  // tsx keeps compiled files in os.tmpdir()/tsx-<uid>, a folder anyone on a shared machine
  // can create first and fill with code for layer to run as you. The project cache
  // (config/cache.ts) already spares unchanged projects the import; with tsx's cache off, a
  // changed one took ~0.37 s instead of ~0.33 s here. Set before the first register(): the
  // hooks thread it starts takes its copy of the environment then.
  process.env.TSX_DISABLE_CACHE = "1"
  if (!stubRegistered) {
    register(CLOUDFLARE_STUB_HOOKS_URL)
    stubRegistered = true
  }
  const { register: registerTsx } = await loadTsx()
  const recorder = createInputRecorder()
  const tsx = registerTsx({ namespace: `layeron-${process.pid}-${Date.now()}`, onImport: recorder.onImport })
  return {
    inputs: recorder.inputs,
    async import(file) {
      const namespace = (await recorder.recordEnv(() => tsx.import(pathToFileURL(file).href, import.meta.url))) as Record<string, unknown>
      return unwrapCommonJs(namespace)
    },
  }
}

/**
 * tsx's API. Node reports a package it cannot open as not found, also when the process is out
 * of file descriptors: that is the user's to fix (a reinstall, a higher limit), not a bug in layer.
 */
async function loadTsx(): Promise<typeof import("tsx/esm/api")> {
  try {
    return await importEsm<typeof import("tsx/esm/api")>("tsx/esm/api")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error
    throw new LayerError("tsx_unloadable", `layer could not load tsx, which reads your layeron.config.ts and backend files: ${(error as Error).message}`, {
      hint: "reinstall the project's dependencies (npm install); if tsx is there, the process may be out of file descriptors: raise the limit (ulimit -n) and run the same command again",
    })
  }
}

/**
 * A .ts file in a package without `"type": "module"` is compiled to CommonJS; its ESM view
 * then has the real exports one level down, under `default`.
 */
function unwrapCommonJs(namespace: Record<string, unknown>): Record<string, unknown> {
  const inner = namespace.default
  if (typeof inner === "object" && inner !== null && (inner as { __esModule?: unknown }).__esModule === true) {
    return inner as Record<string, unknown>
  }
  return namespace
}
