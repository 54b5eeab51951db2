/**
 * Per-backend isolation, the same in the three places a project's code runs: one project with
 * two backends, `api` (registers billing/stripe and billing/unset, which has no value) and
 * `other` (registers nothing, yet imports the stripe declaration from a shared module and
 * reads it, through the module API and by a raw call on its LAYERON_SECRET binding), run
 *   1. as `layer deploy` uploads it (to the Cloudflare API emulator), the uploaded bundles
 *      started in workerd with the bindings their upload metadata names (props included);
 *   2. under `layer dev`;
 *   3. under `testSecrets({ app })` in Node.
 * Each answers the same for the same route: `api` reads its secret, `other` is refused with
 * secret_not_registered naming itself and the secret, and the declared secret without a
 * value is secret_not_found. No answer, output or error carries the value.
 */
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { Miniflare } from "miniflare"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { testSecrets } from "@layeron/modules/testing"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { get, startDev, urls } from "./dev-process.js"

const STRIPE = "sk_live_CANARY_isolation_e2e_41a7c2"
const fingerprint = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 12)

const SHARED = `import { secret } from "@layeron/modules"
import type { Hono } from "hono"

export const stripe = secret.static({ name: "stripe", namespace: "billing", secretName: "STRIPE_SECRET" })
export const unset = secret.static({ name: "unset", namespace: "billing" })

const digest = async (text: string) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 12)
const failure = (error: unknown) => ({ ok: false, name: (error as Error).name, code: (error as { code?: string }).code, message: (error as Error).message })

/** The same routes in both backends: the module API, and a raw call on the binding. */
export function routes(app: Hono<{ Bindings: { LAYERON_SECRET: { read(id: string, selector: unknown): Promise<any> } } }>) {
  app.get("/stripe", async (c) => {
    try {
      return c.json({ ok: true, fingerprint: await digest(await stripe.current().text()) })
    } catch (error) {
      return c.json(failure(error))
    }
  })
  app.get("/unset", async (c) => {
    try {
      return c.json({ ok: true, fingerprint: await digest(await unset.current().text()) })
    } catch (error) {
      return c.json(failure(error))
    }
  })
  app.get("/raw", async (c) => {
    const reply = await c.env.LAYERON_SECRET.read("billing/stripe", { kind: "current" })
    return c.json(reply.ok ? { ok: true, fingerprint: await digest(reply.value.value) } : { ok: false, code: reply.error.code, message: reply.error.message })
  })
}
`
const backendFile = (name: string, registers: string) => `import { backend } from "@layeron/core"
import { routes, stripe, unset } from "./shared.js"

const app = backend({ name: "${name}", compatibilityDate: "2026-04-01" })
${registers}
routes(app as never)
export default app
`

const config = (accountId: string) => `import { project } from "@layeron/core"
export default project({
  workspace: "acme",
  name: "shop",
  backends: { api: "./src/api.ts", other: "./src/other.ts" },
  defaultEnvironment: "dev",
  environments: { dev: { provider: "local" }, production: { provider: "cloudflare", accountId: "${accountId}" } },
})
`

type Answer = Record<string, unknown>
type Fetch = (backend: "api" | "other", path: string) => Promise<Answer>

/** What every place must answer, route by route. */
function assertIsolation(answers: Record<string, Answer>, where: string): void {
  const notRegistered = /^Backend "other" does not register secret "billing\/stripe", so the Secret Product Worker does not serve it to that backend\. Register it in that backend with app\.use\(/
  assert.deepEqual(answers["api /stripe"], { ok: true, fingerprint: fingerprint(STRIPE) }, where)
  assert.deepEqual(answers["api /raw"], { ok: true, fingerprint: fingerprint(STRIPE) }, where)
  const stolen = answers["other /stripe"]!
  assert.deepEqual([stolen.ok, stolen.name, stolen.code], [false, "SecretNotRegisteredError", "secret_not_registered"], where)
  assert.match(String(stolen.message), notRegistered, where)
  const raw = answers["other /raw"]!
  assert.deepEqual([raw.ok, raw.code], [false, "secret_not_registered"], where)
  assert.match(String(raw.message), notRegistered, where)
  const unset = answers["api /unset"]!
  assert.deepEqual([unset.ok, unset.name, unset.code], [false, "SecretNotFoundError", "secret_not_found"], where)
  assert.match(String(unset.message), /^Secret "billing\/unset" has no value in Secrets Store \(secret name lo_[0-9a-f]{24}\).*`layer secret set billing\/unset/, where)
  assert.ok(!JSON.stringify(answers).includes(STRIPE), `${where}: a value in an answer`)
}

async function collect(fetch: Fetch): Promise<Record<string, Answer>> {
  const answers: Record<string, Answer> = {}
  for (const backend of ["api", "other"] as const) {
    for (const path of ["/stripe", "/unset", "/raw"]) answers[`${backend} ${path}`] = await fetch(backend, path)
  }
  return answers
}

let emulator: Emulator
let accountId: string
let token: string
let project: TestProject
const env = () => ({ CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token })

before(async () => {
  emulator = await startEmulator({ pendingDelayMs: 0 })
  accountId = emulator.addAccount({ withDefaultStore: true }).id
  token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  project = await createProject({
    "layeron.config.ts": config(accountId),
    "src/shared.ts": SHARED,
    "src/api.ts": backendFile("api", "app.use(stripe)\napp.use(unset)"),
    // Registers nothing; imports the declarations all the same.
    "src/other.ts": backendFile("other", "void stripe\nvoid unset"),
  })
  for (const environment of ["dev", "production"]) {
    const set = await project.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "V", "--env", environment], { env: { ...env(), V: STRIPE } })
    assert.equal(set.code, 0, set.stderr)
  }
})
after(async () => {
  await project?.cleanup()
  await emulator?.close()
})

describe("the same two-backend project: each backend reads only what it registers, everywhere", () => {
  test("1. as deployed: the uploaded bundles in workerd, wired by their upload metadata", async () => {
    const run = await project.layer(["deploy", "--env", "production", "--yes", "--json"], { env: env() })
    assert.equal(run.code, 0, run.stderr + run.stdout)
    const script = (name: string) => emulator.scripts.find((s) => s.accountId === accountId && s.name === name)!
    const artifact = (name: string) => readFile(join(project.root, ".layeron", "deploy", "production", name, "index.js"), "utf8")
    const product = script("shop-secret-production")
    type Binding = { type: string; name: string; store_id: string; secret_name: string; service: string; entrypoint: string; props?: Record<string, unknown> }
    const secretBindings = (product.metadata.bindings as Binding[]).filter((b) => b.type === "secrets_store_secret")
    // billing/unset has no value: Cloudflare refuses a binding to it, so it is not bound.
    assert.equal(secretBindings.length, 2)
    const app = async (backend: string) => {
      const uploaded = script(`shop-${backend}-production`)
      const service = (uploaded.metadata.bindings as Binding[]).find((b) => b.type === "service")!
      assert.deepEqual(service.props, { backend })
      return {
        name: uploaded.name,
        modules: true,
        script: await artifact(uploaded.name),
        compatibilityDate: uploaded.metadata.compatibility_date as string,
        serviceBindings: { [service.name]: { name: service.service, entrypoint: service.entrypoint, props: service.props } },
      }
    }
    const mf = new Miniflare({
      secretsStorePersist: false,
      workers: [
        await app("api"),
        await app("other"),
        {
          name: product.name,
          modules: true,
          script: await artifact(product.name),
          compatibilityDate: product.metadata.compatibility_date as string,
          secretsStoreSecrets: Object.fromEntries(secretBindings.map((b) => [b.name, { store_id: b.store_id, secret_name: b.secret_name }])),
        },
      ],
    })
    try {
      await mf.ready
      for (const binding of secretBindings) {
        const value = emulator.getSecretValue(accountId, binding.store_id, binding.secret_name)
        assert.ok(value, `the emulator holds ${binding.secret_name}`)
        await (await mf.getSecretsStoreSecretAPI(binding.name, product.name))().create(value)
      }
      const answers = await collect(async (backend, path) => {
        const worker = (await mf.getWorker(`shop-${backend}-production`)) as unknown as { fetch(url: string): Promise<{ json(): Promise<Answer> }> }
        return (await worker.fetch(`http://app${path}`)).json()
      })
      assertIsolation(answers, "deployed")
    } finally {
      await mf.dispose()
    }
  })

  test("2. under `layer dev`", async () => {
    const dev = await startDev(project, 0)
    try {
      const found = await urls(dev, 2)
      const answers = await collect(async (backend, path) => (await get(found.get(backend) ?? "", path)).body)
      assertIsolation(answers, "layer dev")
    } finally {
      dev.child.kill("SIGINT")
      assert.equal(await dev.exited, 0, dev.stderr())
    }
    assert.ok(!dev.stdout().includes(STRIPE) && !dev.stderr().includes(STRIPE))
  })

  test("3. under testSecrets({ app }) in Node", async () => {
    type App = { request(path: string, init: object, env: object): Promise<{ json(): Promise<Answer> }> }
    const apps: Record<string, App> = {
      api: (await import(join(project.root, "src/api.ts"))).default,
      other: (await import(join(project.root, "src/other.ts"))).default,
    }
    const answers = await collect(async (backend, path) => {
      const t = testSecrets({ "billing/stripe": STRIPE, "billing/unset": null }, { app: apps[backend]! })
      return t.run(async () => (await apps[backend]!.request(path, {}, t.env)).json())
    })
    assertIsolation(answers, "testSecrets")
  })
})
