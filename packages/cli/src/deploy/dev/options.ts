/**
 * A dev build as miniflare options: the app Workers first (the first one answers on the main
 * port, each further one on its own port), then the Secret Product Worker with its Secrets
 * Store bindings and manifest, wired by toMiniflareWorkerOptions() as deploy wires them.
 *
 * The product Worker's Secrets Store bindings are served from memory (secrets.ts), so nothing
 * of a value is written to disk; the bundles carry inline source maps (sourcemap.ts reads them).
 */
import { createInterface } from "node:readline"
import { Log, LogLevel } from "miniflare"
import type { MiniflareOptions, WorkerOptions } from "miniflare"
import type { Readable } from "node:stream"
import { toMiniflareWorkerOptions } from "@layeron/modules/binding-plan"
import { PRODUCT_COMPATIBILITY_DATE } from "../workers.js"
import type { DevBuild } from "./build.js"
import type { DevSecrets } from "./secrets.js"

export interface DevSettings {
  host: string
  /** The first app Worker's port; the next ones follow it (0: each one any free port). */
  port: number
  secrets: DevSecrets
  /** Where miniflare's warnings and workerd's output go, line by line (stderr: stdout is for the result). */
  line: (text: string) => void
}

export function devMiniflareOptions(build: DevBuild, settings: DevSettings): MiniflareOptions {
  const wiring = toMiniflareWorkerOptions(build.plan)
  const apps: WorkerOptions[] = build.apps.map((app, index) => ({
    name: app.backend.workerName,
    modules: true,
    script: app.code,
    compatibilityDate: app.compatibilityDate.date,
    compatibilityFlags: app.backend.compatibilityFlags,
    serviceBindings: wiring.apps[app.backend.workerName]?.serviceBindings ?? {},
    ...(index > 0 ? { unsafeDirectSockets: [{ host: settings.host, port: settings.port === 0 ? 0 : settings.port + index }] } : {}),
  }))
  const product: WorkerOptions = {
    name: wiring.product.name,
    modules: true,
    script: build.productCode,
    compatibilityDate: PRODUCT_COMPATIBILITY_DATE,
    wrappedBindings: settings.secrets.bindings(wiring.product.secretsStoreSecrets),
    bindings: wiring.product.bindings,
  }
  return {
    host: settings.host,
    port: settings.port,
    // No request to workers.cloudflare.com for `request.cf` (and no cache file in node_modules/.mf).
    cf: false,
    log: new LineLog(settings.line),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      for (const stream of [stdout, stderr]) createInterface({ input: stream, crlfDelay: Infinity }).on("line", settings.line)
    },
    workers: [...apps, product, settings.secrets.worker()],
  }
}

/** miniflare's warnings and errors, line by line. */
class LineLog extends Log {
  readonly #line: (text: string) => void
  constructor(line: (text: string) => void) {
    super(LogLevel.WARN, { prefix: "workerd" })
    this.#line = line
  }
  protected override log(message: string): void {
    for (const line of message.split("\n")) this.#line(line)
  }
}
