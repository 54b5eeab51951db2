import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { describe, it } from "node:test"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { LayerError } from "../errors.js"
import type { SecretMetadata } from "../providers/provider.js"
import type { DeclaredSecret } from "../secrets/catalog.js"
import { blockingNodes, buildDeployGraph } from "./graph.js"
import type { GraphInput } from "./graph.js"

const session: SecretDeclaration = { kind: "random", namespace: "auth", name: "session-key", id: "auth/session-key", bytes: 32, format: "base64url", expose: "versioned" }
const signing: SecretDeclaration = { kind: "generated", namespace: "auth", name: "signing-key", id: "auth/signing-key", bytes: 32, format: "base64url", expose: "versioned", rotation: { everyDays: 7, retain: { mode: "none" } } }
const stripe: SecretDeclaration = { kind: "static", namespace: "billing", name: "stripe", id: "billing/stripe", format: "text", expose: "versioned", secretName: "STRIPE_SECRET" }
const secrets: DeclaredSecret[] = [
  { declaration: stripe, backend: "api", physicalName: "STRIPE_SECRET" },
  { declaration: session, backend: "api", physicalName: "lo_aaaaaaaaaaaaaaaaaaaaaaaa" },
  { declaration: signing, backend: "api", physicalName: "lo_bbbbbbbbbbbbbbbbbbbbbbbb" },
]
const SEALING = "lo_cccccccccccccccccccccccc"
const STORE = { id: "0123456789abcdef0123456789abcdef", name: "default_secrets_store" }
const meta = (name: string): SecretMetadata => ({ name, id: "f".repeat(32), created: "2026-05-01T00:00:00Z", modified: "2026-05-01T00:00:00Z" })
const backend = { id: "api", file: "/p/src/api.ts", workerName: "shop-api-production", compatibilityDate: "2026-05-24", compatibilityFlags: [], workersDev: true }

function input(overrides: Partial<GraphInput> = {}): GraphInput {
  return {
    environment: "production",
    provider: "cloudflare",
    accountId: "a".repeat(32),
    store: STORE,
    secrets,
    stored: new Map(),
    sealingKey: { physicalName: SEALING, publicKeyPath: ".layeron/secret-rotation/production/public-key.json", hasPublicKey: false },
    recorded: new Map(),
    productWorkerName: "shop-secret-production",
    registrations: [
      { id: "api", secrets: ["auth/session-key", "billing/stripe"] },
      { id: "web", secrets: ["auth/signing-key"] },
    ],
    product: { ok: true, code: "export class SecretProduct {}" },
    apps: [{ backend, bundle: { ok: true, code: "export default {}" } }],
    deployed: undefined,
    liveScripts: new Set(),
    ...overrides,
  }
}

const statuses = (graph: ReturnType<typeof buildDeployGraph>) => graph.nodes.map(({ node, step }) => [node.kind, node.id, node.status, step?.kind ?? null])

describe("buildDeployGraph", () => {
  it("plans a first deploy in apply order: store, sealing key, secrets by id, product, apps", () => {
    const graph = buildDeployGraph(input())
    assert.deepEqual(statuses(graph), [
      ["store", "store", "ready", null],
      ["sealing_key", "layeron/sealing-key", "create", "create_sealing_key"],
      ["secret", "auth/session-key", "create", "create_random"],
      ["secret", "auth/signing-key", "external_value_required", null],
      ["secret", "billing/stripe", "external_value_required", null],
      ["product_worker", "layeron/secret-product", "create", "deploy_worker"],
      ["app_worker", "api", "create", "deploy_worker"],
    ])
    const stripeNode = graph.nodes.find(({ node }) => node.id === "billing/stripe")!.node
    assert.equal(stripeNode.command, "layer secret set billing/stripe --env production")
    assert.match(stripeNode.detail ?? "", /then deploy again to bind it/)
    assert.match(graph.nodes.find(({ node }) => node.id === "auth/signing-key")!.node.detail ?? "", /layer secret rotate --apply/)
    assert.deepEqual(blockingNodes(graph), [])
  })

  it("binds only the secrets that will hold a value: ready ones, the random ones it creates, the sealing key", () => {
    const graph = buildDeployGraph(input({ stored: new Map([["STRIPE_SECRET", meta("STRIPE_SECRET")]]) }))
    const product = graph.scripts.find((script) => script.role === "product")!
    const bound = product.metadata.bindings.flatMap((b) => (b.type === "secrets_store_secret" ? [b.secret_name] : []))
    assert.deepEqual(bound.sort(), ["STRIPE_SECRET", "lo_aaaaaaaaaaaaaaaaaaaaaaaa", SEALING].sort())
    // The manifest is compiled into the bundle (observe), not sent as a var.
    assert.deepEqual(product.metadata.bindings.map((b) => b.type), ["secrets_store_secret", "secrets_store_secret", "secrets_store_secret"])
    assert.deepEqual(Object.keys(graph.plan.product.manifest.secrets).sort(), ["auth/session-key", "auth/signing-key", "billing/stripe"])
  })

  it("each backend gets its own allow-list, and each app Worker's service binding names its backend in props", () => {
    const graph = buildDeployGraph(input())
    // "web" has no app Worker here (a Worker another tool deploys): it still gets its allow-list.
    assert.deepEqual(graph.plan.product.manifest.backends, { api: ["auth/session-key", "billing/stripe"], web: ["auth/signing-key"] })
    const app = graph.scripts.find((script) => script.role === "app")!
    const service = { type: "service", name: "LAYERON_SECRET", service: "shop-secret-production", entrypoint: "SecretProduct", props: { backend: "api" } }
    assert.deepEqual(app.metadata.bindings, [service])
    assert.deepEqual(app.wrangler.services, [{ binding: "LAYERON_SECRET", service: "shop-secret-production", entrypoint: "SecretProduct", props: { backend: "api" } }])
  })

  it("an account without a store plans one", () => {
    const graph = buildDeployGraph(input({ store: undefined }))
    assert.deepEqual(graph.nodes[0]?.node, { kind: "store", id: "store", physicalName: "default_secrets_store", status: "create", detail: `account ${"a".repeat(32)} has no Secrets Store yet` })
    assert.deepEqual(graph.nodes[0]?.step, { kind: "create_store" })
  })

  it("everything present and unchanged is ready, with no step", () => {
    const first = buildDeployGraph(input())
    const deployed = { format: "layeron.deploy/v1" as const, environment: "production", provider: "cloudflare" as const, deployedAt: "", secrets: [], workers: Object.fromEntries(first.scripts.map((s) => [s.name, { role: s.role, digest: s.digest, compatibilityDate: "2026-05-24", uploadedAt: "2026-05-02T00:00:00.000Z" }])) }
    // The same secrets exist now that the first deploy created them.
    const stored = new Map([SEALING, "lo_aaaaaaaaaaaaaaaaaaaaaaaa"].map((name) => [name, meta(name)]))
    const graph = buildDeployGraph(input({ stored, sealingKey: { ...input().sealingKey, hasPublicKey: true }, deployed, liveScripts: new Set(first.scripts.map((s) => s.name)) }))
    for (const id of ["layeron/sealing-key", "auth/session-key", "layeron/secret-product", "api"]) {
      const planned = graph.nodes.find(({ node }) => node.id === id)!
      assert.equal(planned.node.status, "ready", id)
      assert.equal(planned.step, undefined, id)
    }
    assert.match(graph.nodes.find(({ node }) => node.id === "api")!.node.detail ?? "", /unchanged since the upload of 2026-05-02/)
  })

  it("a Worker deleted in the dashboard, or whose bindings changed, is uploaded again", () => {
    const first = buildDeployGraph(input())
    const workers = Object.fromEntries(first.scripts.map((s) => [s.name, { role: s.role, digest: s.digest, compatibilityDate: "" }]))
    const deployed = { format: "layeron.deploy/v1" as const, environment: "production", provider: "cloudflare" as const, deployedAt: "", secrets: [], workers }
    const gone = buildDeployGraph(input({ deployed, liveScripts: new Set(["shop-secret-production"]) }))
    assert.equal(gone.nodes.find(({ node }) => node.id === "api")!.node.status, "create")
    assert.equal(gone.nodes.find(({ node }) => node.id === "layeron/secret-product")!.node.status, "ready")
    const withStripe = buildDeployGraph(input({ deployed, liveScripts: new Set(first.scripts.map((s) => s.name)), stored: new Map([["STRIPE_SECRET", meta("STRIPE_SECRET")]]) }))
    assert.equal(withStripe.nodes.find(({ node }) => node.id === "layeron/secret-product")!.node.status, "create")
  })

  it("a random secret missing although the rotation state recorded versions says so", () => {
    const graph = buildDeployGraph(input({ recorded: new Map([["lo_aaaaaaaaaaaaaaaaaaaaaaaa", ["v1", "v2"]]]) }))
    assert.match(graph.nodes.find(({ node }) => node.id === "auth/session-key")!.node.detail ?? "", /rotation state records v1, v2: 32 new random bytes become v1/)
  })

  it("sealing key halves out of step are conflicts that block apply, each with its fix", () => {
    const privateGone = buildDeployGraph(input({ sealingKey: { ...input().sealingKey, hasPublicKey: true } }))
    const conflict = privateGone.nodes[1]!.node
    assert.equal(conflict.status, "conflict")
    assert.match(conflict.detail ?? "", /private half is missing from the store/)
    assert.match(conflict.hint ?? "", /move \.layeron\/secret-rotation\/production\/public-key\.json aside, keeping it \(`mv \S+ \S+\.lost-private-half`\)/)
    assert.doesNotMatch(conflict.hint ?? "", /delete|\brm\b/, "no advice to delete the rotation state")
    assert.deepEqual(blockingNodes(privateGone), [conflict])

    const publicGone = buildDeployGraph(input({ stored: new Map([[SEALING, meta(SEALING)]]) }))
    assert.equal(publicGone.nodes[1]!.node.status, "conflict")
    assert.match(publicGone.nodes[1]!.node.hint ?? "", /restore .*public-key\.json from version control/)
  })

  it("a sealing key whose creation was interrupted (public half still pending) is created afresh, not a conflict", () => {
    for (const stored of [new Map(), new Map([[SEALING, meta(SEALING)]])]) {
      const graph = buildDeployGraph(input({ stored, sealingKey: { ...input().sealingKey, hasPublicKey: true, interrupted: true } }))
      const node = graph.nodes[1]!.node
      assert.equal(node.status, "create")
      assert.match(node.detail ?? "", /an earlier creation was interrupted/)
      assert.deepEqual(blockingNodes(graph), [])
    }
  })

  it("a bundle that failed is an error node with esbuild's message and the hint; apply is blocked", () => {
    const failure = new LayerError("bundle_failed", 'cannot bundle backend "api" (src/api.ts) for workerd: src/api.ts:1:2: Could not resolve "x"', { hint: "fix it" })
    const graph = buildDeployGraph(input({ apps: [{ backend, bundle: { ok: false, error: failure } }] }))
    const api = graph.nodes.at(-1)!.node
    assert.deepEqual([api.status, api.detail, api.hint], ["error", failure.message, "fix it"])
    assert.equal(graph.scripts.some((script) => script.name === backend.workerName), false)
    assert.deepEqual(blockingNodes(graph), [api])
  })

  it("a local environment plans artifacts only, and has no store to create", () => {
    const local = input({ provider: "local", store: { id: "local:dev", name: "local" }, storeLocation: ".layeron/local/dev", liveScripts: undefined })
    const graph = buildDeployGraph(local)
    assert.equal(graph.nodes[0]!.node.detail, "local store in .layeron/local/dev")
    assert.match(graph.nodes.at(-1)!.node.detail ?? "", /local: not uploaded, `layer dev` runs it/)
    assert.doesNotMatch(graph.nodes.find(({ node }) => node.id === "billing/stripe")!.node.detail ?? "", /deploy again/)
  })
})

describe("buildDeployGraph: workers.dev, quota, RPC and upload limits", () => {
  const node = (graph: ReturnType<typeof buildDeployGraph>, id: string) => graph.nodes.find(({ node }) => node.id === id)!

  it("a new app Worker is uploaded, then its workers.dev route switched on, with its URL; the product Worker gets none", () => {
    const graph = buildDeployGraph(input({ workersSubdomain: "acme", workersDev: new Map() }))
    assert.deepEqual(node(graph, "api").step, { kind: "deploy_worker", workerName: "shop-api-production", upload: true, workersDev: "enable" })
    assert.equal(node(graph, "api").node.url, "https://shop-api-production.acme.workers.dev")
    assert.deepEqual(node(graph, "layeron/secret-product").step, { kind: "deploy_worker", workerName: "shop-secret-production", upload: true })
    assert.equal(node(graph, "layeron/secret-product").node.url, undefined)
  })

  it("an unchanged app Worker whose route is off only has its route switched on; one that is on is ready", () => {
    const first = buildDeployGraph(input())
    const deployed = { format: "layeron.deploy/v1" as const, environment: "production", provider: "cloudflare" as const, deployedAt: "", secrets: [], workers: Object.fromEntries(first.scripts.map((s) => [s.name, { role: s.role, digest: s.digest, compatibilityDate: "2026-05-24" }])) }
    const live = { deployed, liveScripts: new Set(first.scripts.map((s) => s.name)), workersSubdomain: "acme" }
    const off = buildDeployGraph(input({ ...live, workersDev: new Map([["shop-api-production", false]]) }))
    assert.deepEqual(node(off, "api").step, { kind: "deploy_worker", workerName: "shop-api-production", upload: false, workersDev: "enable" })
    const on = buildDeployGraph(input({ ...live, workersDev: new Map([["shop-api-production", true]]) }))
    assert.equal(node(on, "api").node.status, "ready")
    assert.equal(node(on, "api").node.url, "https://shop-api-production.acme.workers.dev")
    // The product Worker found on workers.dev is switched off.
    const exposed = buildDeployGraph(input({ ...live, workersDev: new Map([["shop-secret-production", true]]) }))
    assert.deepEqual(node(exposed, "layeron/secret-product").step, { kind: "deploy_worker", workerName: "shop-secret-production", upload: false, workersDev: "disable" })
  })

  it("workersDev: false leaves the route off (and switches an enabled one off); no subdomain (10007) is a hint, not an error", () => {
    const optedOut = buildDeployGraph(input({ workersSubdomain: "acme", apps: [{ backend: { ...backend, workersDev: false }, bundle: { ok: true, code: "export default {}" } }] }))
    assert.deepEqual(node(optedOut, "api").step, { kind: "deploy_worker", workerName: "shop-api-production", upload: true })
    assert.equal(node(optedOut, "api").node.url, undefined)
    const none = buildDeployGraph(input({ workersSubdomain: null }))
    assert.equal(node(none, "api").node.status, "create")
    assert.match(node(none, "api").node.hint ?? "", /no workers\.dev subdomain \(Cloudflare 10007\).*dash\.cloudflare\.com\/a{32}\/workers\/onboarding/)
    assert.deepEqual(blockingNodes(none), [])
  })

  it("a plan that needs more secrets than the quota leaves is refused on the store node, saying how many are needed and left", () => {
    const fits = buildDeployGraph(input({ quota: { quota: 100, usage: 98 } }))
    assert.equal(node(fits, "store").node.status, "ready")
    const over = buildDeployGraph(input({ quota: { quota: 100, usage: 99 } }))
    assert.equal(node(over, "store").node.status, "error")
    assert.match(node(over, "store").node.detail ?? "", /this deploy creates 2 secrets, but account a{32} holds 99 of its 100 \(1 left\)/)
    assert.deepEqual(blockingNodes(over).map((n) => n.id), ["store"])
  })

  it("an app dated before 2024-04-03 carries the rpc flag the backend list added, and says so", () => {
    const old = { ...backend, compatibilityDate: "2024-01-01", compatibilityFlags: ["rpc"], rpcFlagAdded: true as const }
    const graph = buildDeployGraph(input({ apps: [{ backend: old, bundle: { ok: true, code: "export default {}" } }] }))
    assert.deepEqual(graph.scripts.find((s) => s.role === "app")?.metadata.compatibility_flags, ["rpc"])
    assert.match(node(graph, "api").node.detail ?? "", /compatibility date 2024-01-01 predates RPC \(default from 2024-04-03\): the "rpc" flag was added/)
  })

  it("a Worker over 10 MB compressed is an error before anything is written", () => {
    // Random bytes do not compress: 14 MiB of them, as base64, stay over 10 MB gzipped.
    const huge = randomBytes(14 * 1024 * 1024).toString("base64")
    const graph = buildDeployGraph(input({ apps: [{ backend, bundle: { ok: true, code: `export default ${JSON.stringify(huge)}` } }] }))
    assert.equal(node(graph, "api").node.status, "error")
    assert.match(node(graph, "api").node.detail ?? "", /after compression; Cloudflare allows 10 MB/)
  })
})
