/**
 * `layer deploy` end to end: the built CLI in a child process against the Cloudflare API
 * emulator (and a local environment), as a user runs it. Each test has its own account, so
 * the request log and the account's secrets and scripts are its own.
 */
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator, RequestLogEntry } from "@layeron/cf-emulator"
import { DEFAULT_API, createProject, jsonOf, listFiles, cloudflareConfig } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { runWrangler } from "../helpers/wrangler.js"
import { addEmulatorAccount } from "../helpers/emulator-project.js"
import { pollUntil } from "../helpers/poll.js"

/** Requests were made, and every one was a read: `.every` alone would pass on no request at all. */
function onlyReads(requests: readonly string[]): boolean {
  return requests.length > 0 && requests.every((line) => line.startsWith("GET "))
}

interface Node {
  kind: string
  id: string
  physicalName?: string
  status: string
  detail?: string
  command?: string
  hint?: string
  url?: string
}
interface DeployDoc {
  environment: string
  provider: string
  dryRun: boolean
  nodes: Node[]
  artifacts: string
}

const STRIPE_VALUE = "sk_live_CANARY_d3pl0y_91f2"

let emulator: Emulator
const cleanups: Array<() => Promise<void>> = []

before(async () => {
  emulator = await startEmulator({ pendingDelayMs: 0 })
})
after(async () => {
  for (const cleanup of cleanups) await cleanup()
  await emulator.close()
})

const config = cloudflareConfig

interface Deployment {
  project: TestProject
  accountId: string
  token: string
  layer(args: readonly string[], options?: { input?: string; env?: Record<string, string | undefined> }): Promise<LayerRun>
  deploy(...extra: string[]): Promise<{ run: LayerRun; doc: DeployDoc }>
  /** The account's API requests since the last reset, as "METHOD path". */
  requests(): string[]
  storeId(): string
  secretModified(): Map<string, string>
}

async function deployment(options: { store?: boolean; files?: Record<string, string | null> } = {}): Promise<Deployment> {
  const { accountId, token } = addEmulatorAccount(emulator, { withStore: options.store ?? true })
  const project = await createProject({ "layeron.config.ts": config(accountId), ...options.files })
  cleanups.push(() => project.cleanup())
  const mine = (entry: RequestLogEntry) => entry.path.includes(accountId)
  let since = emulator.requests.length ? emulator.requests[emulator.requests.length - 1]!.seq : 0
  const layer: Deployment["layer"] = async (args, runOptions = {}) => {
    const run = await project.layer(args, {
      ...(runOptions.input !== undefined ? { input: runOptions.input } : {}),
      env: { CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token, LAYERON_MAX_RETRY_WAIT_MS: "300", ...runOptions.env },
    })
    const shown = run.stdout + run.stderr
    assert.ok(!shown.includes(token), "the token appeared in the output")
    assert.ok(!shown.includes(STRIPE_VALUE), "a value appeared in the output")
    return run
  }
  const account = () => emulator.accounts.find((candidate) => candidate.id === accountId)!
  return {
    project,
    accountId,
    token,
    layer,
    async deploy(...extra) {
      since = emulator.requests.length ? emulator.requests[emulator.requests.length - 1]!.seq : since
      const run = await layer(["deploy", "--env", "production", "--json", "--yes", ...extra])
      return { run, doc: jsonOf<DeployDoc>(run) }
    },
    requests: () => emulator.requests.filter((entry) => entry.seq > since && mine(entry)).map((entry) => `${entry.method} ${entry.path}`),
    storeId: () => account().stores[0]?.id ?? "",
    secretModified: () => new Map(account().stores.flatMap((store) => store.secrets.map((secret) => [secret.name, secret.modified] as const))),
  }
}

const node = (doc: DeployDoc, id: string): Node => {
  const found = doc.nodes.find((candidate) => candidate.id === id)
  assert.ok(found, `no node ${id} in ${JSON.stringify(doc.nodes.map((n) => n.id))}`)
  return found
}
const statuses = (doc: DeployDoc) => Object.fromEntries(doc.nodes.map((n) => [n.id, n.status]))

describe("layer deploy --dry-run", () => {
  test("prints the graph with a status per node and sends only GETs; nothing is written", async () => {
    const d = await deployment()
    const { run, doc } = await d.deploy("--dry-run")
    assert.equal(run.code, 0, run.stderr)
    assert.equal(doc.dryRun, true)
    assert.deepEqual(statuses(doc), {
      store: "ready",
      "layeron/sealing-key": "create",
      "auth/session-key": "create",
      "auth/signing-key": "external_value_required",
      "default/webhook-key": "external_value_required",
      "payments/stripe": "external_value_required",
      "layeron/secret-product": "create",
      api: "create",
    })
    assert.equal(node(doc, "payments/stripe").physicalName, "STRIPE_SECRET")
    assert.equal(node(doc, "payments/stripe").command, "layer secret set payments/stripe --env production")
    assert.equal(node(doc, "layeron/secret-product").physicalName, "shop-secret-production")
    assert.equal(node(doc, "api").physicalName, "shop-api-production")
    assert.match(node(doc, "auth/session-key").physicalName ?? "", /^lo_[0-9a-f]{24}$/)
    const methods = new Set(d.requests().map((line) => line.split(" ")[0]))
    assert.deepEqual([...methods], ["GET"], `only GETs, got ${d.requests().join(", ")}`)
    assert.deepEqual(await listFiles(join(d.project.root, ".layeron")), [])
  })

  test("an account without a store: the store is planned, and still only GETs are sent", async () => {
    const d = await deployment({ store: false })
    const { run, doc } = await d.deploy("--dry-run")
    assert.equal(run.code, 0, run.stderr)
    assert.equal(node(doc, "store").status, "create")
    assert.equal(node(doc, "store").physicalName, "default_secrets_store")
    assert.ok(onlyReads(d.requests()), d.requests().join(", "))
    assert.equal(emulator.accounts.find((a) => a.id === d.accountId)?.stores.length, 0)
  })

  test("the human rendering is a table plus the commands that write missing values", async () => {
    const d = await deployment()
    const run = await d.layer(["deploy", "--env", "production", "--dry-run"])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^deploy plan for production \(cloudflare\)/)
    assert.match(run.stdout, /KIND +ID +NAME +STATUS +URL +DETAIL/)
    assert.match(run.stdout, /\n {2}layer secret set auth\/signing-key --env production\n/)
    assert.match(run.stdout, /dry run: nothing was written; `layer deploy --env production` applies 4 changes/)
  })
})

describe("layer deploy (apply)", () => {
  test("creates random secrets once, uploads the product Worker with its bindings and the app Worker with its service binding", async () => {
    const d = await deployment()
    const { run, doc } = await d.deploy()
    assert.equal(run.code, 0, run.stderr)
    assert.equal(doc.dryRun, false)
    assert.deepEqual(statuses(doc), {
      store: "ready",
      "layeron/sealing-key": "created",
      "auth/session-key": "created",
      "auth/signing-key": "external_value_required",
      "default/webhook-key": "external_value_required",
      "payments/stripe": "external_value_required",
      "layeron/secret-product": "created",
      api: "created",
    })
    const sessionName = node(doc, "auth/session-key").physicalName!
    const sealingName = node(doc, "layeron/sealing-key").physicalName!

    // The random value is an envelope with v1 and its createdAt; its sealed copy is recorded.
    const stored = JSON.parse(emulator.getSecretValue(d.accountId, d.storeId(), sessionName) ?? "{}") as { current: string; versions: Record<string, { value: string; createdAt: string }> }
    assert.equal(stored.current, "v1")
    assert.match(stored.versions.v1?.value ?? "", /^[A-Za-z0-9_-]{43}$/)
    assert.ok(!Number.isNaN(Date.parse(stored.versions.v1?.createdAt ?? "")))
    const state = JSON.parse(await readFile(join(d.project.root, ".layeron", "secret-rotation", "production", `${sessionName}.json`), "utf8")) as { versions: Record<string, { sealed: string }>; log: { action: string }[] }
    assert.match(state.versions.v1?.sealed ?? "", /^ls1\./)
    assert.deepEqual(state.log.map((entry) => entry.action), ["deploy"])
    assert.deepEqual(await d.project.filesContaining(stored.versions.v1!.value), [], "the random value is in no file")

    // Product: one secrets_store_secret binding per secret that exists (session key, sealing key);
    // the manifest of every declaration is in its bundle, not in a var (a var holds 5 KB).
    const product = emulator.scripts.find((script) => script.accountId === d.accountId && script.name === "shop-secret-production")
    assert.ok(product, "the Secret Product Worker was uploaded")
    const bindings = product.metadata.bindings as Array<Record<string, unknown>>
    assert.deepEqual(
      bindings.map((b) => [b.type, b.secret_name, b.store_id]).sort(),
      [["secrets_store_secret", sealingName, d.storeId()], ["secrets_store_secret", sessionName, d.storeId()]].sort(),
    )
    assert.equal(product.metadata.keep_bindings, undefined, "the product Worker keeps no earlier binding")
    const productBundle = await readFile(join(d.project.root, ".layeron", "deploy", "production", "shop-secret-production", "index.js"), "utf8")
    const embedded = /BUNDLED_MANIFEST = (\{.*\});/.exec(productBundle)?.[1]
    assert.ok(embedded, "the bundle carries the manifest")
    assert.deepEqual(Object.keys((JSON.parse(embedded) as { secrets: object }).secrets).sort(), ["auth/session-key", "auth/signing-key", "default/webhook-key", "payments/stripe"])
    assert.equal(product.metadata.main_module, "index.js")
    assert.deepEqual(product.modules.map((m) => [m.name, m.contentType]), [["index.js", "application/javascript+module"]])
    assert.deepEqual(product.subdomain, { enabled: false, previewsEnabled: false }, "the product Worker is never on workers.dev")

    // App: the service binding to the product's SecretProduct entrypoint, naming its backend
    // in props (the product serves it only what it registers), the declared date,
    // keep_bindings for what layer does not manage, and its workers.dev route on, URL shown.
    const app = emulator.scripts.find((script) => script.accountId === d.accountId && script.name === "shop-api-production")
    assert.ok(app, "the app Worker was uploaded")
    assert.deepEqual(app.metadata.bindings, [{ type: "service", name: "LAYERON_SECRET", service: "shop-secret-production", entrypoint: "SecretProduct", props: { backend: "api" } }])
    assert.ok(Array.isArray(app.metadata.keep_bindings) && app.metadata.keep_bindings.includes("kv_namespace") && !app.metadata.keep_bindings.includes("service"))
    assert.equal(app.metadata.compatibility_date, "2026-05-24")
    assert.deepEqual(app.modules.map((m) => [m.name, m.contentType]), [["index.js", "application/javascript+module"]])
    assert.deepEqual(app.subdomain, { enabled: true, previewsEnabled: false })
    assert.equal(node(doc, "api").url, `https://shop-api-production.emulated-${d.accountId.slice(0, 8)}.workers.dev`)
    assert.equal(node(doc, "layeron/secret-product").url, undefined)
    const human = await d.layer(["deploy", "--env", "production", "--dry-run"])
    assert.match(human.stdout, new RegExp(`https://shop-api-production\\.emulated-${d.accountId.slice(0, 8)}\\.workers\\.dev`))

    // A second deploy changes nothing: no write of any kind, every secret's modified unchanged.
    const modified = d.secretModified()
    const again = await d.deploy()
    assert.equal(again.run.code, 0, again.run.stderr)
    assert.ok(onlyReads(d.requests()), `second deploy wrote: ${d.requests().join(", ")}`)
    assert.deepEqual(d.secretModified(), modified)
    for (const id of ["layeron/sealing-key", "auth/session-key", "layeron/secret-product", "api"]) assert.equal(node(again.doc, id).status, "ready", id)
    assert.equal(node(again.doc, "payments/stripe").status, "external_value_required")
  })

  test("an account without a workers.dev subdomain (10007) deploys with a hint; workersDev: false keeps the route off", async () => {
    // An account of its own, without a subdomain (the shared helper's accounts all have one).
    const bareAccount = emulator.addAccount({ withDefaultStore: true, workersSubdomain: null }).id
    const bareToken = emulator.addToken({ kind: "user", accountIds: [bareAccount], permissions: [...PERMISSIONS] })
    const bareProject = await createProject({ "layeron.config.ts": config(bareAccount) })
    cleanups.push(() => bareProject.cleanup())
    const bareEnv = { CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: bareToken, LAYERON_MAX_RETRY_WAIT_MS: "300" }
    const run = await bareProject.layer(["deploy", "--env", "production", "--json", "--yes"], { env: bareEnv })
    assert.equal(run.code, 0, run.stderr)
    const doc = jsonOf<DeployDoc>(run)
    assert.equal(node(doc, "api").status, "created")
    assert.equal(node(doc, "api").url, undefined)
    assert.match(node(doc, "api").hint ?? "", new RegExp(`no workers\\.dev subdomain \\(Cloudflare 10007\\).*https://dash\\.cloudflare\\.com/${bareAccount}/workers/onboarding`))
    const human = await bareProject.layer(["deploy", "--env", "production", "--dry-run"], { env: bareEnv })
    assert.match(human.stdout, /note: api: the account has no workers\.dev subdomain/)

    const optedOut = await deployment()
    await optedOut.project.write("layeron.config.ts", config(optedOut.accountId).replace(`accountId: "${optedOut.accountId}"`, `accountId: "${optedOut.accountId}", workersDev: { api: false }`))
    const opted = await optedOut.deploy()
    assert.equal(opted.run.code, 0, opted.run.stderr)
    assert.equal(node(opted.doc, "api").url, undefined)
    assert.deepEqual(emulator.scripts.find((script) => script.accountId === optedOut.accountId && script.name === "shop-api-production")?.subdomain, { enabled: false, previewsEnabled: false })
    assert.ok(!optedOut.requests().some((line) => line.endsWith("/subdomain") && line.startsWith("POST")), "no workers.dev switch was sent")
  })

  test("a KV binding added in the dashboard survives the next deploy (keep_bindings), and the upload says exactly what it keeps", async () => {
    const d = await deployment()
    assert.equal((await d.deploy()).run.code, 0)
    // The dashboard re-uploads the script with the bindings it shows plus the new one.
    const kv = { type: "kv_namespace", name: "CACHE", namespace_id: "0123456789abcdef0123456789abcdef" }
    const uploaded = emulator.scripts.find((script) => script.accountId === d.accountId && script.name === "shop-api-production")!
    const form = new FormData()
    form.set("metadata", JSON.stringify({ ...uploaded.metadata, bindings: [...(uploaded.metadata.bindings as unknown[]), kv] }))
    form.set("index.js", new Blob(["export default { fetch() { return new Response('dashboard') } }"], { type: "application/javascript+module" }), "index.js")
    const put = await fetch(`${emulator.url}/accounts/${d.accountId}/workers/scripts/shop-api-production`, { method: "PUT", headers: { authorization: `Bearer ${d.token}` }, body: form })
    assert.equal(put.status, 200)

    await d.project.write("src/api.ts", DEFAULT_API.replace('c.text(typeof env)', 'c.text("changed")'))
    const { run, doc } = await d.deploy()
    assert.equal(run.code, 0, run.stderr)
    assert.equal(node(doc, "api").status, "created")
    const app = emulator.scripts.find((script) => script.accountId === d.accountId && script.name === "shop-api-production")!
    assert.deepEqual(app.metadata.keep_bindings, [
      "ai", "analytics_engine", "assets", "browser", "d1", "dispatch_namespace", "durable_object_namespace", "hyperdrive", "images", "json", "kv_namespace",
      "mtls_certificate", "pipelines", "plain_text", "queue", "r2_bucket", "ratelimit", "secret_key", "secret_text", "secrets_store_secret", "send_email",
      "vectorize", "version_metadata", "workflow",
    ])
    assert.deepEqual(app.bindings, [{ type: "service", name: "LAYERON_SECRET", service: "shop-secret-production", entrypoint: "SecretProduct", props: { backend: "api" } }, kv])
  })

  test("a value written later is bound by the next deploy (the product Worker alone is uploaded again)", async () => {
    const d = await deployment()
    assert.equal((await d.deploy()).run.code, 0)
    const set = await d.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "STRIPE", "--env", "production"], { env: { STRIPE: STRIPE_VALUE } })
    assert.equal(set.code, 0, set.stderr)
    const { run, doc } = await d.deploy()
    assert.equal(run.code, 0, run.stderr)
    assert.equal(node(doc, "payments/stripe").status, "ready")
    assert.equal(node(doc, "layeron/secret-product").status, "created")
    assert.equal(node(doc, "api").status, "ready")
    assert.deepEqual(d.requests().filter((line) => !line.startsWith("GET ")), [`PUT /accounts/${d.accountId}/workers/scripts/shop-secret-production`])
    const product = emulator.scripts.find((script) => script.accountId === d.accountId && script.name === "shop-secret-production")!
    assert.ok((product.metadata.bindings as Array<{ secret_name?: string }>).some((b) => b.secret_name === "STRIPE_SECRET"))
  })

  test("an account without a store gets one, then everything else", async () => {
    const d = await deployment({ store: false })
    const { run, doc } = await d.deploy()
    assert.equal(run.code, 0, run.stderr)
    assert.equal(node(doc, "store").status, "created")
    assert.equal(node(doc, "store").physicalName, "default_secrets_store")
    assert.equal(node(doc, "api").status, "created")
  })

  test("writes state.json (no value) and a wrangler.jsonc per Worker that wrangler deploy --dry-run accepts", async () => {
    const d = await deployment()
    assert.equal((await d.deploy()).run.code, 0)
    const dir = join(d.project.root, ".layeron", "deploy", "production")
    const state = JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as { format: string; workers: Record<string, { digest: string; uploadedAt?: string }> }
    assert.equal(state.format, "layeron.deploy/v1")
    assert.deepEqual(Object.keys(state.workers).sort(), ["shop-api-production", "shop-secret-production"])
    assert.ok(state.workers["shop-api-production"]?.uploadedAt)

    for (const worker of ["shop-secret-production", "shop-api-production"]) {
      const result = await wranglerDryRun(join(dir, worker, "wrangler.jsonc"))
      assert.equal(result.code, 0, `wrangler refused ${worker}:\n${result.output}`)
      assert.doesNotMatch(result.output, /warning|Processing .* configuration/i, result.output)
      if (worker === "shop-api-production") assert.match(result.output, /env\.LAYERON_SECRET \(shop-secret-production#SecretProduct\)/)
      else assert.match(result.output, /Secrets Store Secret/)
    }
  })
})

describe("layer deploy: bad input and failures (clear error, exit 1, a rerun completes)", () => {
  test("a backend entry that does not bundle: the error names the file and esbuild's message; nothing is written", async () => {
    const broken = DEFAULT_API.replace('import { env } from "cloudflare:workers"', 'import { env } from "cloudflare:workers"\nimport { readFileSync } from "node:fs"\nexport const probe = typeof readFileSync')
    const d = await deployment({ files: { "src/api.ts": broken } })
    const { run, doc } = await d.deploy()
    assert.equal(run.code, 1)
    const api = node(doc, "api")
    assert.equal(api.status, "error")
    assert.match(api.detail ?? "", /cannot bundle backend "api" \(src\/api\.ts\) for workerd: src\/api\.ts:\d+:\d+: Could not resolve "node:fs"/)
    assert.match(api.hint ?? "", /nodejs_compat/)
    assert.ok(onlyReads(d.requests()), "nothing was written to Cloudflare")
    assert.deepEqual(await listFiles(join(d.project.root, ".layeron")), [])
    const human = await d.layer(["deploy", "--env", "production", "--yes"])
    assert.equal(human.code, 1)
    assert.match(human.stdout, /nothing was written: resolve the problems above/)

    await d.project.write("src/api.ts", DEFAULT_API)
    const rerun = await d.deploy()
    assert.equal(rerun.run.code, 0, rerun.run.stderr)
    assert.equal(node(rerun.doc, "api").status, "created")
  })

  test("an upload Cloudflare rejects (10021: a bound secret without the workers scope) names the Worker and the fix", async () => {
    const d = await deployment()
    const store = d.storeId()
    const created = await fetch(`${emulator.url}/accounts/${d.accountId}/secrets_store/stores/${store}/secrets`, {
      method: "POST",
      headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
      body: JSON.stringify([{ name: "STRIPE_SECRET", value: STRIPE_VALUE, scopes: ["ai_gateway"] }]),
    })
    assert.equal(created.status, 200)
    const { run, doc } = await d.deploy()
    assert.equal(run.code, 1)
    const product = node(doc, "layeron/secret-product")
    assert.equal(product.status, "error")
    assert.match(product.detail ?? "", /Cloudflare refused to bind Secrets Store secrets to shop-secret-production .*10021/)
    assert.match(product.hint ?? "", /"workers" scope/)
    assert.equal(node(doc, "api").status, "create")
    assert.match(node(doc, "api").detail ?? "", /not uploaded: the Secret Product Worker it binds to failed/)

    // Writing the value through layer adds the workers scope; the rerun completes.
    const set = await d.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "STRIPE", "--env", "production"], { env: { STRIPE: STRIPE_VALUE } })
    assert.equal(set.code, 0, set.stderr)
    const rerun = await d.deploy()
    assert.equal(rerun.run.code, 0, rerun.run.stderr)
    assert.deepEqual([node(rerun.doc, "layeron/secret-product").status, node(rerun.doc, "api").status], ["created", "created"])
    assert.ok(!rerun.doc.nodes.some((n) => n.status === "create"))
  })

  test("an upload Cloudflare rejects by validation (10021: a compatibility date in the future) fails that Worker only", async () => {
    const future = DEFAULT_API.replace('compatibilityDate: "2026-05-24"', 'compatibilityDate: "2099-01-01"')
    const d = await deployment({ files: { "src/api.ts": future } })
    const { run, doc } = await d.deploy()
    assert.equal(run.code, 1)
    assert.equal(node(doc, "layeron/secret-product").status, "created")
    const api = node(doc, "api")
    assert.equal(api.status, "error")
    assert.match(api.detail ?? "", /Cloudflare rejected the upload of Worker shop-api-production .*compatibility date in the future.*10021/)
    assert.match(api.hint ?? "", /wrangler deploy --dry-run --config \.layeron\/deploy\/production\/shop-api-production\/wrangler\.jsonc/)

    await d.project.write("src/api.ts", DEFAULT_API)
    const rerun = await d.deploy()
    assert.equal(rerun.run.code, 0, rerun.run.stderr)
    assert.deepEqual([node(rerun.doc, "layeron/secret-product").status, node(rerun.doc, "api").status], ["ready", "created"])
  })

  test("a secret deleted between plan and apply: 10182 names the secret; the rerun creates it again", async () => {
    const d = await deployment()
    assert.equal((await d.deploy()).run.code, 0)
    // A new value makes the product Worker change, so the next deploy uploads it.
    assert.equal((await d.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "STRIPE", "--env", "production"], { env: { STRIPE: STRIPE_VALUE } })).code, 0)
    const sessionName = [...d.secretModified().keys()].find((name) => name.startsWith("lo_") && name !== sealingKeyOf(d))!
    const fault = emulator.setFault({ kind: "latency", ms: 1500, method: "PUT", path: `/accounts/${d.accountId}/workers/scripts/*`, next: 1 })
    try {
      const deploying = d.deploy()
      await until(() => emulator.requests.some((entry) => entry.method === "PUT" && entry.path.includes(d.accountId) && entry.status === null))
      const secretId = emulator.accounts.find((a) => a.id === d.accountId)!.stores[0]!.secrets.find((s) => s.name === sessionName)!.id
      const deleted = await fetch(`${emulator.url}/accounts/${d.accountId}/secrets_store/stores/${d.storeId()}/secrets/${secretId}`, { method: "DELETE", headers: { authorization: `Bearer ${d.token}` } })
      assert.equal(deleted.status, 202, "the emulator answers a DELETE as the published schema does")
      const { run, doc } = await deploying
      assert.equal(run.code, 1)
      const product = node(doc, "layeron/secret-product")
      assert.equal(product.status, "error")
      assert.match(product.detail ?? "", new RegExp(`names secret ${sessionName} \\(auth/session-key\\) in store [0-9a-f]{32}, which Cloudflare cannot find .*10182`))
      assert.match(product.hint ?? "", /run `layer deploy --env production` again/)
    } finally {
      if (emulator.faults.some((entry) => entry.id === fault)) emulator.clearFault(fault)
    }
    const rerun = await d.deploy()
    assert.equal(rerun.run.code, 0, rerun.run.stderr)
    assert.equal(node(rerun.doc, "auth/session-key").status, "created")
    assert.match(node(rerun.doc, "auth/session-key").detail ?? "", /v1 created/)
    assert.equal(node(rerun.doc, "layeron/secret-product").status, "created")
  })

  test("a plan that needs more secrets than the account's quota has left is refused up front: the numbers, nothing written; the rerun completes", async () => {
    const extra = DEFAULT_API.replace("app.use(sessionKey)", 'app.use(sessionKey)\napp.use(secret.random({ name: "csrf-key", namespace: "auth" }))')
    const d = await deployment({ files: { "src/api.ts": extra } })
    const account = emulator.accounts.find((a) => a.id === d.accountId)!
    const usage = account.stores.reduce((sum, store) => sum + store.secrets.length, 0)
    emulator.setQuota(usage + 2, d.accountId) // the plan creates 3: the sealing key and two random secrets
    const { run, doc } = await d.deploy()
    assert.equal(run.code, 1)
    assert.equal(node(doc, "store").status, "error")
    assert.match(node(doc, "store").detail ?? "", new RegExp(`this deploy creates 3 secrets, but account ${d.accountId} holds ${usage} of its ${usage + 2} \\(2 left\\)`))
    assert.match(node(doc, "store").hint ?? "", /delete 1 secret you no longer use .*layer doctor --env production/)
    // The way on past the quota: packing (docs/design.md#packing).
    assert.match(node(doc, "store").hint ?? "", /`packing: true` on environments\.production in layeron\.config\.ts, then `layer secret pack --env production`/)
    assert.deepEqual(d.requests().filter((line) => !line.startsWith("GET ")), [], "nothing was written")
    assert.ok(d.requests().includes(`GET /accounts/${d.accountId}/secrets_store/quota`))
    assert.deepEqual(await listFiles(join(d.project.root, ".layeron")), [])

    emulator.setQuota(100, d.accountId)
    const rerun = await d.deploy()
    assert.equal(rerun.run.code, 0, rerun.run.stderr)
    assert.deepEqual([node(rerun.doc, "auth/csrf-key").status, node(rerun.doc, "auth/session-key").status, node(rerun.doc, "api").status], ["created", "created", "created"])
  })
})

describe("layer deploy: permissions", () => {
  test("a token that may not manage Workers scripts is told which permission to add, before anything is written", async () => {
    const d = await deployment()
    const limited = emulator.addToken({ kind: "user", accountIds: [d.accountId], permissions: ["secrets_store_read", "secrets_store_write"] })
    const run = await d.layer(["deploy", "--env", "production", "--json", "--yes"], { env: { CLOUDFLARE_API_TOKEN: limited } })
    assert.equal(run.code, 1)
    const { error } = jsonOf<{ error: { code: string; message: string; hint: string } }>(run)
    assert.equal(error.code, "cloudflare_permission_denied")
    assert.match(error.message, /may not manage Workers scripts/)
    assert.match(error.hint, /Workers Scripts Edit/)
    assert.ok(onlyReads(d.requests()))
    assert.deepEqual(await listFiles(join(d.project.root, ".layeron")), [])
  })
})

describe("layer deploy on a local environment", () => {
  test("creates random secrets and the sealing key in the local store, writes the artifacts, uploads nothing, points at layer dev", async () => {
    const project = await createProject()
    cleanups.push(() => project.cleanup())
    const run = await project.layer(["deploy", "--json", "--yes"])
    assert.equal(run.code, 0, run.stderr)
    const doc = jsonOf<DeployDoc>(run)
    assert.equal(doc.provider, "local")
    assert.deepEqual([node(doc, "auth/session-key").status, node(doc, "layeron/sealing-key").status, node(doc, "api").status], ["created", "created", "created"])
    const files = (await listFiles(join(project.root, ".layeron"))).map((file) => file.slice(project.root.length + 1))
    assert.ok(files.includes(".layeron/deploy/dev/shop-api-dev/wrangler.jsonc"), files.join("\n"))
    assert.ok(files.includes(".layeron/deploy/dev/shop-secret-dev/index.js"))
    assert.equal(files.filter((file) => /^\.layeron\/local\/dev\/[^./][^/]*\.json$/.test(file)).length, 2, "two records: the random secret and the sealing key")
    // A local environment's rotation state stays with its store, out of the committed tree.
    assert.equal(files.filter((file) => file.startsWith(".layeron/local/dev/rotation/")).length, 2, files.join("\n"))
    assert.ok(!files.some((file) => file.startsWith(".layeron/secret-rotation/")), files.join("\n"))

    const human = await project.layer(["deploy", "--yes"])
    assert.equal(human.code, 0, human.stderr)
    assert.match(human.stdout, /deployed dev: 0 created, 5 unchanged; artifacts in \.layeron\/deploy\/dev; `layer dev --env dev` runs the Workers locally/)
  })
})

function sealingKeyOf(d: Deployment): string {
  return (JSON.parse(readFileSync(join(d.project.root, ".layeron", "secret-rotation", "production", "public-key.json"), "utf8")) as { physicalName: string }).physicalName
}

function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  return pollUntil(condition, { timeoutMs, intervalMs: 20, what: "a condition" })
}

/** The pinned wrangler, offline: `deploy --dry-run --config <file> --outdir <tmp>`. */
async function wranglerDryRun(config: string): Promise<{ code: number | null; output: string }> {
  const home = await mkdtemp(join(tmpdir(), "layeron-wrangler-"))
  try {
    return await runWrangler(["deploy", "--dry-run", "--config", config, "--outdir", join(home, "out")], { home })
  } finally {
    await rm(home, { recursive: true, force: true })
  }
}
