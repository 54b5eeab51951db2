/**
 * "Your own Worker": a Worker that is not a backend() app and that wrangler deploys, reading
 * Layeron secrets. The backend entry registers its declaration with
 * `export const layeron = { secrets: [...] }`; `layer deploy --product-only` deploys the
 * secrets and the Secret Product Worker to Cloudflare (the emulator) and prints the service
 * binding; the pinned wrangler accepts a wrangler.jsonc holding that binding (`deploy
 * --dry-run`, offline, through a proxy that must see no connection) and bundles the Worker;
 * then that bundle and the product Worker exactly as deployed run side by side in workerd
 * (miniflare) and the Worker reads the secret's value.
 */
import assert from "node:assert/strict"
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import type { AddressInfo, Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { Miniflare } from "miniflare"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { cloudflareConfig, createProject, jsonOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { runWrangler } from "../helpers/wrangler.js"
import type { WranglerRun } from "../helpers/wrangler.js"

const GREETING = "hello-from-layeron-CANARY-7d1e"
const COMPATIBILITY_DATE = "2026-04-01"

const WORKER = `import { secret } from "@layeron/modules"

export const greeting = secret.static({ name: "greeting", namespace: "web" })
// Not a backend() app: the declarations are registered with this export.
export const layeron = { secrets: [greeting] }

export default {
  async fetch(): Promise<Response> {
    return new Response(await greeting.current().text())
  },
}
`

const config = (accountId: string) =>
  cloudflareConfig(accountId).replace('backends: { api: "./src/api.ts" }', 'backends: { web: "./src/worker.ts", api: "./src/api.ts" }')

interface Binding {
  binding: string
  service: string
  entrypoint: string
  props: { backend: string }
}

let emulator: Emulator
let accountId: string
let token: string
let project: TestProject

before(async () => {
  emulator = await startEmulator({ pendingDelayMs: 0 })
  accountId = emulator.addAccount({ name: "Acme", withDefaultStore: true }).id
  token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  // api: a module that declares nothing and is no backend() app (the warning case).
  project = await createProject({ "layeron.config.ts": config(accountId), "src/worker.ts": WORKER, "src/api.ts": "export default { fetch: () => new Response('plain') }\n" })
})
after(async () => {
  await project.cleanup()
  await emulator.close()
})

const env = () => ({ CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token, LAYERON_MAX_RETRY_WAIT_MS: "200" })

describe("a Worker deployed by wrangler reads Layeron secrets", () => {
  let binding: Binding

  test("its `export const layeron` declarations are discovered; a module that declares nothing is named in a warning", async () => {
    const run = await project.layer(["secret", "list", "--env", "production", "--json"], { env: env() })
    assert.equal(run.code, 0, run.stderr)
    const rows = jsonOf<{ secrets: { namespace: string; name: string; backend: string | null }[] }>(run).secrets
    assert.deepEqual(rows.filter((row) => row.backend !== null).map((row) => [`${row.namespace}/${row.name}`, row.backend]), [["web/greeting", "web"]])
    assert.match(run.stderr, /^warning: backend "api" \(src\/api\.ts\) declares no secrets: its default export is not a backend\(\) app and it has no `export const layeron = \{ secrets: \[\.\.\.\] \}`/m)
  })

  test("a malformed `layeron` export is refused, naming the file", async () => {
    await project.write("src/api.ts", "export const layeron = { secrets: [42] }\nexport default { fetch: () => new Response('x') }\n")
    try {
      const run = await project.layer(["secret", "list"], { env: env() })
      assert.equal(run.code, 1)
      assert.match(run.stderr, /^error: backend "api" \(src\/api\.ts\): item 1 of `layeron\.secrets` is not a secret declaration\nhint: write `export const layeron = \{ secrets: \[sessionKey, …\] \}`/m)
    } finally {
      await project.write("src/api.ts", "export default { fetch: () => new Response('plain') }\n")
    }
  })

  test("a plain deploy explains --product-only for a Worker that is not a backend() app", async () => {
    const run = await project.layer(["deploy", "--env", "production", "--dry-run"], { env: env() })
    assert.equal(run.code, 1)
    assert.match(run.stderr, /`layer deploy --product-only` deploys the secrets and the Secret Product Worker/)
  })

  test("`layer deploy --product-only` uploads the Secret Product Worker alone and prints the service binding", async () => {
    const set = await project.layer(["secret", "set", "web/greeting", "--value-env", "V", "--env", "production"], { env: { ...env(), V: GREETING } })
    assert.equal(set.code, 0, set.stderr)
    emulator.resetRequestLog()
    const json = await project.layer(["deploy", "--env", "production", "--product-only", "--yes", "--json"], { env: env() })
    assert.equal(json.code, 0, json.stderr)
    const doc = jsonOf<{ nodes: { kind: string; status: string }[]; serviceBinding?: Binding; serviceBindings: Record<string, Binding> }>(json)
    // One binding per backend, each naming its backend in props: the product serves each only its own secrets.
    binding = doc.serviceBindings.web!
    assert.deepEqual(doc.serviceBindings, {
      web: { binding: "LAYERON_SECRET", service: "shop-secret-production", entrypoint: "SecretProduct", props: { backend: "web" } },
      api: { binding: "LAYERON_SECRET", service: "shop-secret-production", entrypoint: "SecretProduct", props: { backend: "api" } },
    })
    assert.equal(doc.serviceBinding, undefined, "two backends: no single binding to pick")
    assert.deepEqual(doc.nodes.filter((node) => node.kind === "app_worker"), [], "no app Worker in the graph")
    const uploads = emulator.requests.filter((r) => r.method === "PUT").map((r) => r.path.replace(accountId, ":account"))
    assert.deepEqual(uploads, ["/accounts/:account/workers/scripts/shop-secret-production"])

    const human = await project.layer(["deploy", "--env", "production", "--product-only", "--yes"], { env: env() })
    assert.equal(human.code, 0, human.stderr)
    assert.match(
      human.stdout,
      /backend "web" reads its secrets through this service binding .*; add it to its wrangler\.jsonc \(for environment production\):\n {2}"services": \[\n {4}\{\n {6}"binding": "LAYERON_SECRET",\n {6}"service": "shop-secret-production",\n {6}"entrypoint": "SecretProduct",\n {6}"props": \{\n {8}"backend": "web"\n {6}\}\n {4}\}\n {2}\]\n/,
    )
    assert.match(human.stdout, /backend "api" reads its secrets through this service binding/)
    assert.ok(!(json.stdout + json.stderr + human.stdout + human.stderr).includes(GREETING))
  })

  test("wrangler accepts the Worker's config with that binding, offline, and its bundle reads the secret next to the product Worker in workerd", async () => {
    assert.ok(binding, "the previous test printed the binding")
    await writeFile(
      join(project.root, "wrangler.jsonc"),
      `// The user's own Worker, deployed by wrangler.\n${JSON.stringify({ name: "web", main: "src/worker.ts", compatibility_date: COMPATIBILITY_DATE, services: [binding] }, null, 2)}\n`,
    )
    const out = await mkdtemp(join(tmpdir(), "layeron-wrangler-out-"))
    try {
      const dry = await wranglerDryRun(project.root, out)
      assert.equal(dry.code, 0, dry.output)
      // wrangler routes its fetches through the proxy (it says so), and the proxy saw none.
      assert.match(dry.output, /Proxy environment variables detected/)
      assert.equal(dry.proxyConnections, 0, `wrangler tried the network:\n${dry.output}`)
      assert.match(dry.output, /env\.LAYERON_SECRET \(shop-secret-production#SecretProduct\)/)
      const bundle = (await readdir(out)).find((file) => file.endsWith(".js"))
      assert.ok(bundle, `no bundle in ${out}`)

      // The product Worker exactly as deployed: its bundle and wrangler.jsonc from the artifacts.
      const productDir = join(project.root, ".layeron", "deploy", "production", binding.service)
      const productConfig = JSON.parse((await readFile(join(productDir, "wrangler.jsonc"), "utf8")).replace(/^\/\/.*$/gm, "")) as {
        compatibility_date: string
        secrets_store_secrets: { binding: string; store_id: string; secret_name: string }[]
        vars: Record<string, unknown>
      }
      const mf = new Miniflare({
        secretsStorePersist: false,
        workers: [
          { name: "web", modules: true, script: await readFile(join(out, bundle), "utf8"), compatibilityDate: COMPATIBILITY_DATE, serviceBindings: { [binding.binding]: { name: binding.service, entrypoint: binding.entrypoint, props: binding.props } } },
          // The same Worker bound as backend "api", which registers nothing: refused, no value.
          { name: "web-as-api", modules: true, script: await readFile(join(out, bundle), "utf8"), compatibilityDate: COMPATIBILITY_DATE, serviceBindings: { [binding.binding]: { name: binding.service, entrypoint: binding.entrypoint, props: { backend: "api" } } } },
          {
            name: binding.service,
            modules: true,
            script: await readFile(join(productDir, "index.js"), "utf8"),
            compatibilityDate: productConfig.compatibility_date,
            secretsStoreSecrets: Object.fromEntries(productConfig.secrets_store_secrets.map((s) => [s.binding, { store_id: s.store_id, secret_name: s.secret_name }])),
            bindings: productConfig.vars as Record<string, never>,
          },
        ],
      })
      try {
        await mf.ready
        // The store's contents as Cloudflare holds them (the emulator), copied into miniflare's.
        for (const s of productConfig.secrets_store_secrets) {
          const text = emulator.getSecretValue(accountId, s.store_id, s.secret_name)
          assert.ok(text !== undefined, `${s.secret_name} is bound but not in the store`)
          await (await mf.getSecretsStoreSecretAPI(s.binding, binding.service))().create(text)
        }
        const web = (await mf.getWorker("web")) as unknown as { fetch(url: string): Promise<{ status: number; text(): Promise<string> }> }
        const response = await web.fetch("http://web/")
        assert.equal(await response.text(), GREETING)
        assert.equal(response.status, 200)
        const asApi = (await mf.getWorker("web-as-api")) as unknown as { fetch(url: string): Promise<{ status: number; text(): Promise<string> }> }
        // The Worker does not catch the error: miniflare hands the thrown error back to the caller.
        await assert.rejects(asApi.fetch("http://web/"), (error: unknown) => {
          assert.match(String(error), /SecretNotRegisteredError: Backend "api" does not register secret "web\/greeting"/)
          assert.ok(!String(error).includes(GREETING), "a backend that does not register the secret got its value")
          return true
        })
      } finally {
        await mf.dispose()
      }
    } finally {
      await rm(out, { recursive: true, force: true })
    }
  })
})

/**
 * The pinned wrangler, `deploy --dry-run`, with a dummy account id and no token, its proxy
 * pointed at a local listener that counts connections: a pass with zero connections shows
 * that nothing needed the network (and a network failure cannot be why it passed or failed).
 */
async function wranglerDryRun(cwd: string, outdir: string): Promise<WranglerRun & { proxyConnections: number }> {
  const home = await mkdtemp(join(tmpdir(), "layeron-wrangler-"))
  let connections = 0
  const sockets: Socket[] = []
  const proxy = createServer((socket) => {
    connections++
    sockets.push(socket)
    socket.destroy()
  })
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  try {
    const result = await runWrangler(["deploy", "--dry-run", "--config", "wrangler.jsonc", "--outdir", outdir], {
      home,
      cwd,
      env: { CLOUDFLARE_ACCOUNT_ID: "0123456789abcdef0123456789abcdef", HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, https_proxy: proxyUrl, http_proxy: proxyUrl },
    })
    return { ...result, proxyConnections: connections }
  } finally {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => proxy.close(() => resolve()))
    await rm(home, { recursive: true, force: true })
  }
}
