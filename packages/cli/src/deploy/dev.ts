/**
 * `layer dev`: the app Workers and the Secret Product Worker in workerd (through miniflare),
 * against miniflare's Secrets Store seeded from the environment's encrypted local store.
 *
 * While it runs:
 * - a write to the local store (`layer secret set`, `layer secret rotate --apply`, a deploy)
 *   is loaded into miniflare without a restart: `.layeron/local/<env>/` is watched and the
 *   changed secrets are written again (one line per reload, naming secrets, never values);
 * - a change under a backend's directory re-imports the project (new declarations get their
 *   bindings), re-bundles, and swaps the Workers in place with `setOptions`; a build that
 *   fails is reported and the previous one keeps serving.
 * Changes are handled one at a time, in the order they arrive.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { Miniflare } from "miniflare"
import { isLayerError } from "../errors.js"
import { layeronHome } from "../paths.js"
import { buildDev } from "./dev/build.js"
import type { DevBuild } from "./dev/build.js"
import { supportedCompatibilityDate } from "./dev/compat-date.js"
import { devMiniflareOptions } from "./dev/options.js"
import { DEV_HOST, ensurePortFree, isAddressInUse, portUnavailable } from "./dev/port.js"
import { SecretSeeder } from "./dev/seed.js"
import { keepStopSignals } from "./dev/signals.js"
import { isIgnoredSourcePath, watchDirectory } from "./dev/watch.js"
import type { Watcher } from "./dev/watch.js"

export { DEFAULT_DEV_PORT, parsePort } from "./dev/port.js"
export { waitForStopSignal } from "./dev/signals.js"

export interface DevRequest {
  cwd: string
  environment: string | undefined
  env: NodeJS.ProcessEnv
  port: number
  debug: (message: string) => void
  warn: (message: string) => void
  /** Status lines (stderr): the URL, one line per reload. */
  note: (message: string) => void
  /** Output of workerd (the Workers' console) and miniflare's warnings, line by line (stderr). */
  line: (text: string) => void
}

export interface DevServer {
  environment: string
  urls: Array<{ backend: string; worker: string; url: string }>
  stop(): Promise<void>
}

export async function startDev(request: DevRequest): Promise<DevServer> {
  const home = layeronHome({ env: request.env })
  const build = await buildDev({ cwd: request.cwd, environment: request.environment, env: request.env, home, debug: request.debug })
  const ports = build.apps.map((_, index) => request.port + index)
  for (const port of ports) await ensurePortFree(port)
  reportClampedDates(build, request.note)

  const persistDir = await mkdtemp(join(tmpdir(), "layeron-dev-"))
  const settings = { host: DEV_HOST, port: request.port, persistDir, line: request.line }
  const mf = keepStopSignals(() => new Miniflare(devMiniflareOptions(build, settings)))
  try {
    await mf.ready
  } catch (error) {
    await mf.dispose().catch(() => {})
    await rm(persistDir, { recursive: true, force: true })
    if (isAddressInUse(error)) throw portUnavailable(request.port, DEV_HOST, "EADDRINUSE")
    throw error
  }
  const session = new DevSession(mf, build, request, settings)
  try {
    await session.seed()
  } catch (error) {
    await session.stop()
    throw error
  }
  await session.watch()
  const environment = build.project.environment.name
  const urls = build.apps.map((app, index) => ({ backend: app.backend.id, worker: app.backend.workerName, url: `http://${DEV_HOST}:${ports[index]}` }))
  for (const { backend, url } of urls) request.note(`layer dev: backend "${backend}" on ${url} (environment ${environment}; Ctrl-C stops)`)
  session.reportMissing()
  return { environment, urls, stop: () => session.stop() }
}

class DevSession {
  readonly #mf: Miniflare
  readonly #request: DevRequest
  readonly #settings: Parameters<typeof devMiniflareOptions>[1]
  readonly #seeder: SecretSeeder
  #build: DevBuild
  #watchers: Watcher[] = []
  #queue: Promise<void> = Promise.resolve()
  #stopped = false

  constructor(mf: Miniflare, build: DevBuild, request: DevRequest, settings: Parameters<typeof devMiniflareOptions>[1]) {
    this.#mf = mf
    this.#build = build
    this.#request = request
    this.#settings = settings
    this.#seeder = new SecretSeeder(this.#seedTarget())
  }

  /** The first seeding: every bound secret that has a value. */
  async seed(): Promise<void> {
    await this.#seeder.sync(await this.#build.store.decryptAll())
  }

  async watch(): Promise<void> {
    const storeDir = this.#build.store.directory
    // Watched before anything is written to it: the first `secret set` must be seen too.
    await mkdir(storeDir, { recursive: true, mode: 0o700 })
    const sources = [...new Set([...this.#build.apps.map((app) => dirname(app.backend.file))])]
    this.#watchers = [
      watchDirectory(storeDir, { recursive: false, ignore: (path) => !path.endsWith(".json") }, () => this.#enqueue(() => this.#reloadSecrets())),
      ...sources.map((dir) =>
        watchDirectory(dir, { recursive: true, ignore: isIgnoredSourcePath, debounceMs: 200 }, (paths) => this.#enqueue(() => this.#rebuild(paths.map((path) => relative(this.#build.project.root, join(dir, path)))))),
      ),
      watchDirectory(dirname(this.#build.project.configFile), { recursive: false, ignore: (path) => path !== relative(dirname(this.#build.project.configFile), this.#build.project.configFile) }, () =>
        this.#enqueue(() => this.#rebuild([relative(this.#build.project.root, this.#build.project.configFile)])),
      ),
    ]
  }

  /** Says once, at start, which declared secrets have no value yet and how to give them one. */
  reportMissing(): void {
    void this.#build.store.listAll().then((stored) => {
      const present = new Set(stored.map((secret) => secret.name))
      const missing = this.#build.catalog.declared.filter((secret) => !present.has(secret.physicalName))
      const random = missing.filter((secret) => secret.declaration.kind === "random").map((secret) => secret.declaration.id)
      const external = missing.filter((secret) => secret.declaration.kind !== "random").map((secret) => secret.declaration.id)
      const environment = this.#build.project.environment.name
      if (random.length) this.#request.warn(`no value yet for ${random.join(", ")}: \`layer deploy --env ${environment}\` creates random secrets`)
      for (const id of external) this.#request.warn(`no value yet for ${id}: \`layer secret set ${id} --env ${environment}\``)
    }, () => {})
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    for (const watcher of this.#watchers) watcher.close()
    await this.#queue
    await this.#mf.dispose()
    await rm(this.#settings.persistDir, { recursive: true, force: true })
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#stopped) return
      try {
        await task()
      } catch (error) {
        this.#request.warn(isLayerError(error) ? `${error.message}${error.hint ? ` (hint: ${error.hint})` : ""}` : `reload failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    })
  }

  async #reloadSecrets(): Promise<void> {
    await mkdir(this.#build.store.directory, { recursive: true, mode: 0o700 })
    const changed = await this.#seeder.sync(await this.#build.store.decryptAll())
    if (changed.length) this.#request.note(`reloaded secrets: ${changed.map((name) => this.#label(name)).join(", ")}`)
  }

  async #rebuild(changed: string[]): Promise<void> {
    let next: DevBuild
    try {
      next = await buildDev({ cwd: this.#request.cwd, environment: this.#build.project.environment.name, env: this.#request.env, home: layeronHome({ env: this.#request.env }), debug: this.#request.debug })
    } catch (error) {
      const message = isLayerError(error) ? `${error.message}${error.hint ? ` (hint: ${error.hint})` : ""}` : error instanceof Error ? error.message : String(error)
      this.#request.warn(`rebuild failed, still serving the previous build: ${message}`)
      return
    }
    const before = this.#build.apps.map((app) => app.backend.id).join(",")
    if (next.apps.map((app) => app.backend.id).join(",") !== before) {
      this.#request.warn("the backends in layeron.config.ts changed: restart `layer dev` to serve the new set")
      return
    }
    if (sameBuild(this.#build, next)) {
      this.#request.debug(`dev: ${changed.join(", ")} changed, the bundles did not`)
      return
    }
    reportClampedDates(next, this.#request.note, this.#build)
    await this.#mf.setOptions(devMiniflareOptions(next, this.#settings))
    this.#build = next
    this.#seeder.retarget(this.#seedTarget())
    await this.#seeder.sync(await next.store.decryptAll())
    this.#request.note(`rebuilt ${next.apps.map((app) => app.backend.id).join(", ")} (${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ", …" : ""} changed)`)
  }

  #seedTarget() {
    return { mf: this.#mf, productWorkerName: this.#build.productWorkerName, bindings: this.#build.bindings }
  }

  #label(physicalName: string): string {
    const id = this.#build.labels.get(physicalName)
    return id ? `${id} (${physicalName})` : physicalName
  }
}

function sameBuild(a: DevBuild, b: DevBuild): boolean {
  return a.productCode === b.productCode && JSON.stringify(a.plan) === JSON.stringify(b.plan) && a.apps.every((app, index) => app.code === b.apps[index]?.code)
}

/** One line per backend whose declared date is newer than the installed workerd knows. */
function reportClampedDates(build: DevBuild, note: (message: string) => void, previous?: DevBuild): void {
  for (const app of build.apps) {
    const declared = app.compatibilityDate.declared
    if (!declared) continue
    if (previous?.apps.some((old) => old.backend.id === app.backend.id && old.compatibilityDate.declared === declared)) continue
    note(
      `backend "${app.backend.id}" declares compatibilityDate ${declared}, newer than the installed workerd supports (${supportedCompatibilityDate}); ` +
        `layer dev runs it with ${app.compatibilityDate.date} (layer deploy keeps ${declared})`,
    )
  }
}
