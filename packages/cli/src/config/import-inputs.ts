/**
 * What importing the user's modules depended on, recorded while they load, so that the
 * project cache (cache.ts) knows when its copy of the result is stale:
 * - every file the import loaded (tsx's `onImport` reports each one, node_modules included);
 * - every environment variable the modules read while loading, with the value seen.
 *   `process.env` is swapped for a recording Proxy for the duration of each import only.
 *   Code that enumerates the environment (`{ ...process.env }`, `Object.keys`) depends on all
 *   of it: the result is then not cacheable.
 * Reads of other files (`fs.readFileSync` in a config) are not seen; cache.ts says so.
 */
import { fileURLToPath } from "node:url"

export interface ImportInputs {
  /** When the first import started (ms since the epoch). */
  startedAt: number
  /** Absolute paths of the files loaded, in load order, without repeats. */
  files: string[]
  /** Variable name → the value seen (undefined: unset). Kept in memory only. */
  env: Map<string, string | undefined>
  /** True when a module enumerated the whole environment. */
  enumeratedEnv: boolean
}

export interface InputRecorder {
  readonly inputs: ImportInputs
  /** For tsx's `onImport`. */
  onImport(url: string): void
  /** Run one import with `process.env` reads recorded. */
  recordEnv<T>(run: () => Promise<T>): Promise<T>
}

export function createInputRecorder(): InputRecorder {
  const files = new Set<string>()
  const inputs: ImportInputs = { startedAt: Date.now(), files: [], env: new Map(), enumeratedEnv: false }
  return {
    inputs,
    onImport(url) {
      if (!url.startsWith("file:")) return // the cloudflare:* stub is a data: URL
      const path = fileURLToPath(url.replace(/[?#].*$/, ""))
      if (files.has(path)) return
      files.add(path)
      inputs.files.push(path)
    },
    async recordEnv(run) {
      const real = process.env
      let recording = true
      const record = (key: string | symbol) => {
        if (recording && typeof key === "string" && !inputs.env.has(key)) inputs.env.set(key, real[key])
      }
      // A module may keep the Proxy and read it later; only reads during the import count.
      process.env = new Proxy(real, {
        get(target, key) {
          record(key)
          return Reflect.get(target, key)
        },
        has(target, key) {
          record(key)
          return Reflect.has(target, key)
        },
        getOwnPropertyDescriptor(target, key) {
          record(key)
          return Reflect.getOwnPropertyDescriptor(target, key)
        },
        ownKeys(target) {
          if (recording) inputs.enumeratedEnv = true
          return Reflect.ownKeys(target)
        },
      })
      try {
        return await run()
      } finally {
        recording = false
        process.env = real
      }
    },
  }
}
