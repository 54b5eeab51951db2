/**
 * `backend()` is a Hono app whose `use()` also accepts Layeron modules: a module is recorded
 * for the CLI (declaration discovery) and never added as middleware; anything else goes to
 * Hono's own `use()`.
 */
import { Hono } from "hono"
import type { Env, MiddlewareHandler, Schema } from "hono"
import { assertSameDeclaration, isSecretModule, REGISTERED_MODULES } from "@layeron/modules"
import type { SecretModule } from "@layeron/modules"

export interface BackendOptions {
  /** The backend's name; also the app Worker's name suffix. */
  name: string
  /** The Workers compatibility date the app is bundled with. */
  compatibilityDate: string
  /** Optional project name (informational; the config's `name` is authoritative). */
  project?: string
  compatibilityFlags?: string[]
}

type HonoUse<E extends Env, S extends Schema, B extends string> = Hono<E, S, B>["use"]

export type LayeronApp<E extends Env = Env, S extends Schema = {}, B extends string = "/"> = Omit<Hono<E, S, B>, "use"> & {
  /** Register a Layeron module, or add Hono middleware. */
  use: ((module: SecretModule) => LayeronApp<E, S, B>) & HonoUse<E, S, B>
  readonly layeron: { readonly options: Readonly<BackendOptions>; readonly modules: readonly SecretModule[] }
  readonly [REGISTERED_MODULES]: readonly SecretModule[]
}

export function backend<E extends Env = Env>(options: BackendOptions): LayeronApp<E> {
  if (!options || typeof options.name !== "string" || options.name === "") {
    throw new TypeError('backend(): option "name" is required, e.g. backend({ name: "api", compatibilityDate: "2026-05-24" })')
  }
  if (typeof options.compatibilityDate !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(options.compatibilityDate)) {
    throw new TypeError(`backend(): option "compatibilityDate" is ${JSON.stringify(options.compatibilityDate)}: must be a date such as "2026-05-24"`)
  }
  const app = new Hono<E>()
  const modules: SecretModule[] = []
  const honoUse = app.use.bind(app) as (...args: unknown[]) => unknown

  const use = (first: unknown, ...rest: unknown[]) => {
    if (isSecretModule(first)) {
      const same = modules.find((m) => m.declaration.id === first.declaration.id)
      if (same) assertSameDeclaration(same.declaration, first.declaration, `backend "${options.name}"`)
      else modules.push(first)
      return app
    }
    honoUse(first, ...rest)
    return app
  }
  Object.defineProperty(app, "use", { value: use, writable: true, configurable: true })
  Object.defineProperty(app, REGISTERED_MODULES, { value: modules, enumerable: false })
  Object.defineProperty(app, "layeron", { value: Object.freeze({ options: Object.freeze({ ...options }), modules }), enumerable: false })
  return app as unknown as LayeronApp<E>
}

export type { MiddlewareHandler }
