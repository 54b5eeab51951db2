/**
 * `layer dev`: the app Workers and the Secret Product Worker in workerd (through miniflare),
 * against a Secrets Store kept in this process's memory, loaded from the environment's
 * encrypted local store (dev/secrets.ts).
 *
 * Ready means ready: the values are loaded before workerd starts, and workerd listens only
 * once every Worker is built, so the first request that connects is answered with them; the
 * "on http://…" line follows. Nothing outlives the process: no value is written to disk, and
 * workerd dies with the CLI however it ends (dev/signals.ts, dev/watchdog.ts).
 *
 * While it runs:
 * - a write to the local store (`layer secret set`, `layer secret rotate --apply`, a deploy)
 *   is loaded without a restart: `.layeron/local/<env>/` is watched and the changed secrets
 *   are swapped in (one line per reload, naming secrets, never values);
 * - a change under the project (outside node_modules, .layeron, .git, dist) re-imports the
 *   project (new declarations get their bindings), re-bundles, and swaps the Workers in place
 *   with `setOptions`; a build that fails is reported and the previous one keeps serving. A
 *   backend that does not build at start leaves dev serving nothing, watching, until it does.
 *   A backend added to or removed from the config is served or dropped the same way.
 * Changes are handled one at a time, in the order they arrive.
 *
 * The ports users are told about belong to this process (dev/front.ts), not to workerd: the
 * front holds requests through a restart (a rebuild restarts workerd) and answers only local
 * `Host` names. workerd listens on loopback ports of its own and starts with a narrowed
 * environment (dev/environment.ts): no Cloudflare credentials, no `--value-env` variables.
 */
import { rm } from "node:fs/promises"
import { Miniflare } from "miniflare"
import { isLayerError } from "../errors.js"
import { makeDirectory } from "../fs/safe-path.js"
import { layeronHome } from "../paths.js"
import { buildDev } from "./dev/build.js"
import type { DevBuild } from "./dev/build.js"
import { supportedCompatibilityDate } from "./dev/compat-date.js"
import { withWorkerdEnvironment } from "./dev/environment.js"
import { DevFront } from "./dev/front.js"
import { devMiniflareOptions } from "./dev/options.js"
import type { DevSettings } from "./dev/options.js"
import { DEV_HOST } from "./dev/port.js"
import { DevSecrets } from "./dev/secrets.js"
import { keepStopSignals } from "./dev/signals.js"
import { StackMapper } from "./dev/sourcemap.js"
import { isIgnoredSourcePath, pollDirectory, watchDirectory } from "./dev/watch.js"
import type { Watcher } from "./dev/watch.js"
import { guardWorkerd, removeOnExit, SessionRecordFile, sessionTempDir, sweepDeadSessions, withTempDir, workerdChildren } from "./dev/watchdog.js"

export { DEFAULT_DEV_PORT, parsePort } from "./dev/port.js"
export { waitForStopSignal } from "./dev/signals.js"
export type { StopReason } from "./dev/signals.js"

export interface DevRequest {
  cwd: string
  environment: string | undefined
  env: NodeJS.ProcessEnv
  /** The first backend's port, the next ones follow; 0 gives each backend any free port. */
  port: number
  /** Host names served besides localhost, 127.0.0.1 and [::1] (`--allow-host`). */
  allowedHosts?: readonly string[]
  debug: (message: string) => void
  warn: (message: string) => void
  /** Status lines (stderr): the URL, one line per reload. */
  note: (message: string) => void
  /** Output of workerd (the Workers' console) and miniflare's warnings, line by line (stderr). */
  line: (text: string) => void
}

export interface DevUrl {
  backend: string
  worker: string
  url: string
}

export interface DevServer {
  readonly environment: string
  /** Empty while no build has started (a backend that did not build at start). */
  readonly urls: DevUrl[]
  stop(): Promise<void>
}

/** How often the local store's directory is looked at besides its watcher's events. */
const STORE_POLL_MS = 1000

/** Start failures that are a backend's code in progress: dev waits for the fix instead of exiting. */
const WAIT_FOR_FIX = new Set(["bundle_failed", "backend_import_failed", "backend_no_default_export"])

export async function startDev(request: DevRequest): Promise<DevServer> {
  const home = layeronHome({ env: request.env })
  for (const swept of await sweepDeadSessions(home)) request.note(`layer dev: removed ${swept}`)
  const guarded = guardWorkerd()
  request.debug(guarded ? "dev: workerd runs with a parent-death signal (setpriv)" : "dev: no setpriv here: a workerd left by a killed layer dev is stopped by the next start")

  let build: DevBuild | undefined
  let failure: string | undefined
  try {
    build = await buildDev({ cwd: request.cwd, environment: request.environment, env: request.env, home, debug: request.debug })
  } catch (error) {
    // A backend that does not build is the user's work in progress: say why and wait for the fix.
    if (!isLayerError(error) || !WAIT_FOR_FIX.has(error.code)) throw error
    failure = describe(error)
  }
  const session = new DevSession(request, home, await sessionTempDir())
  try {
    // Armed first: a save made while dev starts is rebuilt once the start is done.
    await session.watchSources(build?.project.root ?? request.cwd)
    if (build) await session.hold(session.launch(build))
    else request.warn(`${failure}\nlayer dev: serving nothing until it builds; watching for changes (Ctrl-C stops)`)
  } catch (error) {
    await session.stop()
    throw error
  }
  return session
}

class DevSession implements DevServer {
  readonly #request: DevRequest
  readonly #home: string
  readonly #secrets = new DevSecrets()
  readonly #mapper = new StackMapper()
  readonly #record: SessionRecordFile
  readonly #tempDir: string
  readonly #forgetExitCleanup: () => void
  readonly #front: DevFront
  #mf: Miniflare | undefined
  #build: DevBuild | undefined
  #settings: DevSettings
  #urls: DevUrl[] = []
  #sourceWatcher: Watcher | undefined
  #storeWatcher: Watcher | undefined
  #queue: Promise<void> = Promise.resolve()
  #stopped = false

  constructor(request: DevRequest, home: string, tempDir: string) {
    this.#request = request
    this.#home = home
    this.#tempDir = tempDir
    this.#record = new SessionRecordFile(home)
    this.#forgetExitCleanup = removeOnExit([tempDir, this.#record.path])
    // workerd on any free loopback ports: the ports users are told about are the front's.
    this.#settings = { host: DEV_HOST, port: 0, secrets: this.#secrets, line: (text) => request.line(this.#mapper.map(text)) }
    this.#front = new DevFront({ host: DEV_HOST, allowedHosts: request.allowedHosts ?? [], warn: request.warn })
  }

  get environment(): string {
    return this.#build?.project.environment.name ?? this.#request.environment ?? ""
  }

  get urls(): DevUrl[] {
    return this.#urls
  }

  /** Starts workerd on a build whose values are loaded first; returns once it answers. */
  async launch(build: DevBuild): Promise<void> {
    // The ports listen from the start: a request sent before workerd answers waits for it, as
    // during a restart, instead of being told the backend is not running.
    await this.#front.whileRestarting(async () => {
      await this.#listen(build)
      reportClampedDates(build, this.#request.note)
      this.#secrets.sync(await build.store.decryptAll(), build.bindings.keys())
      this.#mapper.update(build.apps.map((app) => app.code))
      await withWorkerdEnvironment(async () => {
        const mf = keepStopSignals(() => withTempDir(this.#tempDir, () => new Miniflare(devMiniflareOptions(build, this.#settings))))
        this.#mf = mf
        try {
          this.#front.setTargets(await workerdUrls(build, mf))
        } catch (error) {
          this.#mf = undefined
          await mf.dispose().catch(() => {})
          throw error
        }
      })
    })
    this.#build = build
    await this.#recordWorkerd()
    // Before the URL line: a `secret set` right after it must be seen.
    await this.#watchStore()
    const environment = build.project.environment.name
    this.#urls = this.#frontUrls(build)
    for (const { backend, url } of this.#urls) this.#request.note(`layer dev: backend "${backend}" on ${url} (environment ${environment}; Ctrl-C stops)`)
    this.#reportMissing(build)
  }

  /** Watches the project's files; resolves when the watcher is armed. */
  async watchSources(root: string): Promise<void> {
    this.#sourceWatcher = watchDirectory(root, { recursive: true, ignore: isIgnoredSourcePath, debounceMs: 200 }, (paths) => this.#enqueue(`rebuild (${paths.slice(0, 3).join(", ")})`, () => this.#rebuild(paths)))
    await this.#sourceWatcher.ready
  }

  /** Changes wait for `task` (the first start) before they are handled; its failure is the caller's. */
  async hold(task: Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(() => task).catch(() => {})
    await task
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await Promise.all([this.#sourceWatcher?.close(), this.#storeWatcher?.close()])
    await this.#queue
    await this.#front.close()
    await this.#mf?.dispose()
    await Promise.all([this.#record.remove(), rm(this.#tempDir, { recursive: true, force: true })])
    this.#forgetExitCleanup()
  }

  /** The front's sockets for each backend: on --port and the ports after it, or any free ports with --port 0. */
  async #listen(build: DevBuild): Promise<void> {
    for (const index of build.apps.keys()) {
      await this.#front.listen(index, this.#request.port === 0 ? 0 : this.#request.port + index)
    }
    await this.#front.closeFrom(build.apps.length)
  }

  #frontUrls(build: DevBuild): DevUrl[] {
    const urls = this.#front.urls
    return build.apps.map((app, index) => ({ backend: app.backend.id, worker: app.backend.workerName, url: urls[index]!.origin }))
  }

  /**
   * Swaps workerd for one running `build`: requests that arrive meanwhile wait in the front and
   * go to the new Workers once they answer (or to the old ones, if the swap failed).
   */
  async #restart(mf: Miniflare, build: DevBuild): Promise<void> {
    const started = Date.now()
    this.#request.debug(`dev: restarting workerd (${this.#front.inFlight} request(s) in flight, drained first)`)
    await this.#front.whileRestarting(() =>
      withWorkerdEnvironment(async () => {
        this.#request.debug(`dev: drained after ${Date.now() - started} ms; setOptions`)
        await mf.setOptions(devMiniflareOptions(build, this.#settings))
        this.#front.setTargets(await workerdUrls(build, mf))
      }),
    )
    this.#request.debug(`dev: workerd restarted in ${Date.now() - started} ms`)
  }

  async #watchStore(): Promise<void> {
    if (this.#storeWatcher || !this.#build) return
    const { store } = this.#build
    // Watched before anything is written to it: the first `secret set` must be seen too.
    await makeDirectory(store.directory, 0o700)
    const reload = (why: string) => this.#enqueue(`secrets reload (${why})`, () => this.#reloadSecrets())
    const events = watchDirectory(store.directory, { recursive: false, ignore: (path) => !path.endsWith(".json") }, (paths) => reload(paths.slice(0, 3).join(", ")))
    // The safety net for an event the watcher missed; a reload that finds nothing new says nothing.
    const poll = pollDirectory(store.directory, (name) => name.endsWith(".json"), STORE_POLL_MS, () => reload("seen by the poll"))
    this.#storeWatcher = { ready: Promise.all([events.ready, poll.ready]).then(() => {}), close: async () => void (await Promise.all([events.close(), poll.close()])) }
    await this.#storeWatcher.ready
  }

  /** Says once, at start, which declared secrets have no value yet and how to give them one. */
  #reportMissing(build: DevBuild): void {
    void build.store.listAll().then((stored) => {
      const present = new Set(stored.map((secret) => secret.name))
      const missing = build.catalog.declared.filter((secret) => !present.has(secret.physicalName))
      const random = missing.filter((secret) => secret.declaration.kind === "random").map((secret) => secret.declaration.id)
      const external = missing.filter((secret) => secret.declaration.kind !== "random").map((secret) => secret.declaration.id)
      const environment = build.project.environment.name
      if (random.length) this.#request.warn(`no value yet for ${random.join(", ")}: \`layer deploy --env ${environment}\` creates random secrets`)
      for (const id of external) this.#request.warn(`no value yet for ${id}: \`layer secret set ${id} --env ${environment}\``)
    }, () => {})
  }

  async #recordWorkerd(): Promise<void> {
    await this.#record.write(workerdChildren())
  }

  /** `what`: the change, for --debug (queued, started, done: a change that never ends shows). */
  #enqueue(what: string, task: () => Promise<void>): void {
    this.#request.debug(`dev: queued ${what}`)
    this.#queue = this.#queue.then(async () => {
      if (this.#stopped) return
      const started = Date.now()
      this.#request.debug(`dev: started ${what}`)
      try {
        await task()
        this.#request.debug(`dev: done ${what} in ${Date.now() - started} ms`)
      } catch (error) {
        this.#request.warn(isLayerError(error) ? describe(error) : `reload failed: ${error instanceof Error ? error.message : String(error)}`)
      }
    })
  }

  async #reloadSecrets(): Promise<void> {
    const build = this.#build
    if (!build) return
    let values
    try {
      values = await build.store.decryptAll()
    } catch (error) {
      this.#request.warn(`cannot read the local store, still serving the values loaded before: ${isLayerError(error) ? describe(error) : error instanceof Error ? error.message : String(error)}`)
      return
    }
    const changed = this.#secrets.sync(values, build.bindings.keys())
    if (changed.length) this.#request.note(`reloaded secrets: ${changed.map((name) => label(build, name)).join(", ")}`)
  }

  /** `changed`: the paths that moved, relative to the project root. */
  async #rebuild(changed: string[]): Promise<void> {
    const previous = this.#build
    let next: DevBuild
    try {
      next = await buildDev({ cwd: this.#request.cwd, environment: previous?.project.environment.name ?? this.#request.environment, env: this.#request.env, home: this.#home, debug: this.#request.debug })
    } catch (error) {
      const message = isLayerError(error) ? describe(error) : error instanceof Error ? error.message : String(error)
      this.#request.warn(previous ? `rebuild failed, still serving the previous build: ${message}` : `still serving nothing: ${message}`)
      return
    }
    if (!previous || !this.#mf) {
      await this.#launchLate(next)
      return
    }
    const before = previous.apps.map((app) => app.backend.id)
    const after = next.apps.map((app) => app.backend.id)
    if (after.join(",") !== before.join(",")) {
      await this.#reshape(previous, next, this.#mf)
      return
    }
    if (sameBuild(previous, next)) {
      this.#request.debug(`dev: ${changed.join(", ")} changed, the bundles did not`)
      return
    }
    reportClampedDates(next, this.#request.note, previous)
    this.#secrets.sync(await next.store.decryptAll(), next.bindings.keys())
    this.#mapper.update(next.apps.map((app) => app.code))
    await this.#restart(this.#mf, next)
    this.#build = next
    await this.#recordWorkerd()
    this.#request.note(`rebuilt ${after.join(", ")} (${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ", …" : ""} changed)`)
  }

  /**
   * The set of backends changed in layeron.config.ts: the Workers are swapped for the new set,
   * each on its port (the first on --port, the next ones after it, or any free port with
   * --port 0), and one line per backend added, moved or removed says where it is now.
   */
  async #reshape(previous: DevBuild, next: DevBuild, mf: Miniflare): Promise<void> {
    await this.#listen(next)
    reportClampedDates(next, this.#request.note, previous)
    this.#secrets.sync(await next.store.decryptAll(), next.bindings.keys())
    this.#mapper.update(next.apps.map((app) => app.code))
    await this.#restart(mf, next)
    this.#build = next
    await this.#recordWorkerd()
    const before = new Map(this.#urls.map((entry) => [entry.backend, entry.url]))
    this.#urls = this.#frontUrls(next)
    const environment = next.project.environment.name
    for (const { backend, url } of this.#urls) {
      const was = before.get(backend)
      if (was === url) continue
      this.#request.note(`layer dev: backend "${backend}" on ${url} (${was ? `moved from ${was}` : "added"}; environment ${environment})`)
    }
    for (const backend of before.keys()) {
      if (!this.#urls.some((entry) => entry.backend === backend)) this.#request.note(`layer dev: backend "${backend}" removed from layeron.config.ts, no longer served`)
    }
    this.#reportMissing(next)
  }

  /** The first good build after a start that did not build. */
  async #launchLate(build: DevBuild): Promise<void> {
    await this.launch(build)
    if (build.project.root !== this.#request.cwd) {
      // The watcher was on the directory dev started in; the project may be above it.
      await this.#sourceWatcher?.close()
      await this.watchSources(build.project.root)
    }
  }
}

/** Where workerd answers each backend: the first on miniflare's entry socket, the others on their own sockets. */
async function workerdUrls(build: DevBuild, mf: Miniflare): Promise<URL[]> {
  const entry = await mf.ready
  return await Promise.all(build.apps.map(async (app, index) => (index === 0 ? entry : await mf.unsafeGetDirectURL(app.backend.workerName))))
}

function describe(error: { message: string; hint?: string }): string {
  return `${error.message}${error.hint ? ` (hint: ${error.hint})` : ""}`
}

function label(build: DevBuild, physicalName: string): string {
  const id = build.labels.get(physicalName)
  return id ? `${id} (${physicalName})` : physicalName
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
