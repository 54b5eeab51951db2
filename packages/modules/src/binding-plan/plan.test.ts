import { test } from "node:test"
import assert from "node:assert/strict"
import { BindingPlanError, planBindings, secretBindingName, toMiniflareWorkerOptions, toWranglerConfig } from "./index.js"
import type { BindingPlanInput } from "./index.js"
import type { SecretDeclaration } from "../declare/types.js"

const sessionKey: SecretDeclaration = { kind: "random", namespace: "auth", name: "session-key", id: "auth/session-key", bytes: 32, format: "base64url", expose: "versioned" }
const stripe: SecretDeclaration = { kind: "static", namespace: "billing", name: "stripe", id: "billing/stripe", format: "text", expose: "current", secretName: "STRIPE_SECRET" }

const input: BindingPlanInput = {
  declarations: [stripe, sessionKey],
  physicalNames: { "auth/session-key": "lo_310fec09bf29d33532eb83be" },
  sealingKeyPhysicalName: "lo_0123456789abcdef01234567",
  storeId: "023e105f4ecef8ad9ca31a8372d0c353",
  productWorkerName: "shop-secret-product",
  backends: [
    { id: "api", workerName: "shop-api", secrets: ["billing/stripe", "auth/session-key", "billing/stripe"] },
    { id: "admin", workerName: "shop-admin", secrets: [] },
    { id: "web", secrets: ["auth/session-key"] },
  ],
}
const SERVICE = { binding: "LAYERON_SECRET", service: "shop-secret-product", entrypoint: "SecretProduct" }

test("the plan binds every declared secret and the sealing key to the product Worker", () => {
  const plan = planBindings(input)
  assert.deepEqual(plan.product.secretsStoreSecrets, [
    { binding: "S_STRIPE_SECRET", storeId: input.storeId, secretName: "STRIPE_SECRET" },
    { binding: "S_lo_0123456789abcdef01234567", storeId: input.storeId, secretName: "lo_0123456789abcdef01234567" },
    { binding: "S_lo_310fec09bf29d33532eb83be", storeId: input.storeId, secretName: "lo_310fec09bf29d33532eb83be" },
  ])
  assert.deepEqual(plan.product.manifest, {
    version: 1,
    secrets: {
      "auth/session-key": { binding: "S_lo_310fec09bf29d33532eb83be", physicalName: "lo_310fec09bf29d33532eb83be", format: "base64url", expose: "versioned" },
      "billing/stripe": { binding: "S_STRIPE_SECRET", physicalName: "STRIPE_SECRET", format: "text", expose: "current" },
    },
    sealingKeyBinding: "S_lo_0123456789abcdef01234567",
    // Each backend's allow-list, a Worker deployed by another tool ("web") included.
    backends: { admin: [], api: ["auth/session-key", "billing/stripe"], web: ["auth/session-key"] },
  })
  assert.deepEqual(plan.product.vars, { LAYERON_SECRET_MANIFEST: plan.product.manifest })
  // Each app Worker's binding names its backend in props: the product's ctx.props.
  assert.deepEqual(plan.apps, [
    { workerName: "shop-admin", services: [{ ...SERVICE, props: { backend: "admin" } }] },
    { workerName: "shop-api", services: [{ ...SERVICE, props: { backend: "api" } }] },
  ])
})

test("a backend id that names an Object.prototype member is an ordinary allow-list", () => {
  const plan = planBindings({ ...input, backends: [{ id: "__proto__", secrets: ["billing/stripe"] }, { id: "constructor", secrets: [] }] })
  assert.deepEqual(Object.keys(plan.product.manifest.backends), ["__proto__", "constructor"])
  assert.deepEqual(Object.getOwnPropertyDescriptor(plan.product.manifest.backends, "__proto__")?.value, ["billing/stripe"])
})

test("the plan is deterministic: input order does not change it", () => {
  const reversed = planBindings({ ...input, declarations: [...input.declarations].reverse(), backends: [...input.backends].reverse() })
  assert.equal(JSON.stringify(reversed), JSON.stringify(planBindings(input)))
})

test("the miniflare rendering uses miniflare's option names", () => {
  const options = toMiniflareWorkerOptions(planBindings(input))
  assert.deepEqual(options.product.secretsStoreSecrets["S_STRIPE_SECRET"], { store_id: input.storeId, secret_name: "STRIPE_SECRET" })
  assert.equal(options.product.name, "shop-secret-product")
  assert.equal(Object.keys(options.product.secretsStoreSecrets).length, 3)
  assert.deepEqual(Object.keys(options.product.bindings), ["LAYERON_SECRET_MANIFEST"])
  assert.deepEqual(options.apps["shop-api"], { serviceBindings: { LAYERON_SECRET: { name: "shop-secret-product", entrypoint: "SecretProduct", props: { backend: "api" } } } })
})

test("the wrangler rendering uses wrangler.jsonc keys", () => {
  const config = toWranglerConfig(planBindings(input))
  assert.deepEqual(config.product.secrets_store_secrets[0], { binding: "S_STRIPE_SECRET", store_id: input.storeId, secret_name: "STRIPE_SECRET" })
  assert.equal(config.product.vars.LAYERON_SECRET_MANIFEST?.version, 1)
  assert.deepEqual(config.apps["shop-admin"], { services: [{ ...SERVICE, props: { backend: "admin" } }] })
})

test("binding names are identifiers and distinct for distinct secret names", () => {
  const names = ["lo_310fec09bf29d33532eb83be", "STRIPE_SECRET", "STRIPE-SECRET", "a_hb", "a-b", "a__b", "a_-b", "a-_b", "-", "_"]
  const bindings = names.map(secretBindingName)
  assert.equal(new Set(bindings).size, names.length)
  for (const b of bindings) assert.match(b, /^[A-Za-z_$][A-Za-z0-9_$]*$/)
  assert.equal(secretBindingName("lo_310fec09bf29d33532eb83be"), "S_lo_310fec09bf29d33532eb83be")
  assert.equal(secretBindingName("STRIPE-SECRET"), "D_STRIPE_hSECRET")
})

function rejects(change: Partial<BindingPlanInput>, words: RegExp) {
  assert.throws(() => planBindings({ ...input, ...change }), (error: unknown) => {
    assert.ok(error instanceof BindingPlanError)
    assert.equal(error.code, "invalid_binding_plan")
    assert.match(error.message, words)
    return true
  })
}

test("inconsistent input is refused with the id or name at fault", () => {
  rejects({ physicalNames: {} }, /Secret "auth\/session-key" has no physical name: add it to physicalNames/)
  rejects({ declarations: [sessionKey, sessionKey] }, /"auth\/session-key" is declared twice/)
  rejects({ physicalNames: { "auth/session-key": "STRIPE_SECRET" } }, /"auth\/session-key" and "billing\/stripe" both map to the secret name STRIPE_SECRET|"billing\/stripe" and "auth\/session-key" both map/)
  rejects({ physicalNames: { "auth/session-key": input.sealingKeyPhysicalName } }, /"layeron\/sealing-key" and "auth\/session-key" both map/)
  rejects({ physicalNames: { "auth/session-key": "bad name" } }, /"bad name" of secret "auth\/session-key" is not a Cloudflare secret name/)
  rejects({ sealingKeyPhysicalName: "" }, /of the sealing key \(layeron\/sealing-key\) is not a Cloudflare secret name/)
  rejects({ storeId: " " }, /storeId is empty/)
  rejects({ productWorkerName: "" }, /productWorkerName is empty/)
  rejects({ backends: [{ id: "api", workerName: "", secrets: [] }] }, /backends holds an empty app Worker name/)
  rejects({ backends: [{ id: "api", workerName: "shop-secret-product", secrets: [] }] }, /app Worker "shop-secret-product" has the Secret Product Worker's name/)
  rejects({ backends: [{ id: "api", workerName: "a", secrets: [] }, { id: "web", workerName: "a", secrets: [] }] }, /Two backends have the app Worker name "a"/)
  rejects({ backends: [{ id: "api", secrets: [] }, { id: "api", secrets: [] }] }, /Backend "api" is listed twice/)
  rejects({ backends: [{ id: "api", secrets: ["auth/nothing"] }] }, /Backend "api" registers "auth\/nothing", which is not among the declarations/)
  rejects({ backends: [{ id: "api", secrets: ["__proto__"] }] }, /Backend "api" registers "__proto__", which is not among the declarations/)
})

const PACK_A = "lo_abb53b9a5ef25e68834a8947"
const PACK_B = "lo_0a0b0c0d0e0f101112131415"
const orders: SecretDeclaration = { kind: "static", namespace: "shop", name: "orders-token", id: "shop/orders-token", format: "text", expose: "versioned" }
const packedInput: BindingPlanInput = {
  ...input,
  declarations: [stripe, sessionKey, orders],
  physicalNames: { "auth/session-key": "lo_310fec09bf29d33532eb83be", "shop/orders-token": "lo_fedcba9876543210fedcba98" },
  backends: [{ id: "api", workerName: "shop-api", secrets: ["auth/session-key", "shop/orders-token", "billing/stripe"] }],
  packs: [{ physicalName: PACK_A, members: ["auth/session-key", "shop/orders-token"] }],
}

test("a packed environment binds one secret per pack, and each member's entry points at its pack", () => {
  const plan = planBindings(packedInput)
  // The members' own names are not bound: the pack is, once; the sealing key and the adopted secret stay apart.
  assert.deepEqual(plan.product.secretsStoreSecrets.map((s) => s.secretName), ["STRIPE_SECRET", "lo_0123456789abcdef01234567", PACK_A])
  const pack = { binding: `S_${PACK_A}`, name: PACK_A }
  assert.deepEqual(plan.product.manifest.secrets, {
    "auth/session-key": { physicalName: "lo_310fec09bf29d33532eb83be", format: "base64url", expose: "versioned", pack },
    "billing/stripe": { binding: "S_STRIPE_SECRET", physicalName: "STRIPE_SECRET", format: "text", expose: "current" },
    "shop/orders-token": { physicalName: "lo_fedcba9876543210fedcba98", format: "text", expose: "versioned", pack },
  })
  assert.deepEqual(plan.product.manifest.backends, { api: ["auth/session-key", "billing/stripe", "shop/orders-token"] })
  assert.deepEqual(toWranglerConfig(plan).product.secrets_store_secrets.map((s) => s.secret_name), ["STRIPE_SECRET", "lo_0123456789abcdef01234567", PACK_A])
  assert.deepEqual(Object.keys(toMiniflareWorkerOptions(plan).product.secretsStoreSecrets), ["S_STRIPE_SECRET", "S_lo_0123456789abcdef01234567", `S_${PACK_A}`])
  // No packs, or an empty list: exactly the unpacked plan.
  assert.equal(JSON.stringify(planBindings({ ...input, packs: [] })), JSON.stringify(planBindings(input)))
})

test("bad pack placements are refused, naming the pack and the member", () => {
  const refused = (packs: BindingPlanInput["packs"], words: RegExp, change: Partial<BindingPlanInput> = {}) =>
    assert.throws(() => planBindings({ ...packedInput, ...change, packs }), (error: unknown) => error instanceof BindingPlanError && words.test(error.message))
  refused([{ physicalName: "STRIPE_PACK", members: ["auth/session-key"] }], /The pack name "STRIPE_PACK" is not a pack's physical name/)
  refused([{ physicalName: PACK_A, members: [] }], new RegExp(`Pack ${PACK_A} has no members`))
  refused([{ physicalName: PACK_A, members: ["auth/session-key"] }, { physicalName: PACK_B, members: ["auth/session-key"] }], new RegExp(`Secret "auth/session-key" is listed in pack ${PACK_A} and pack ${PACK_B}`))
  refused([{ physicalName: PACK_A, members: ["auth/session-key"] }, { physicalName: PACK_A, members: ["shop/orders-token"] }], new RegExp(`Pack ${PACK_A} and pack ${PACK_A} both map`))
  refused([{ physicalName: PACK_A, members: ["auth/nothing"] }], new RegExp(`Pack ${PACK_A} lists "auth/nothing", which is not among the declarations`))
  refused([{ physicalName: PACK_A, members: ["layeron/sealing-key"] }], /the "layeron" namespace is never packed/)
  refused([{ physicalName: PACK_A, members: ["billing/stripe"] }], new RegExp(`"billing/stripe" adopts the operator-named secret STRIPE_SECRET, so it cannot be packed into ${PACK_A}`))
  // A pack named like a declaration or the sealing key would serve one text as another.
  refused([{ physicalName: "lo_fedcba9876543210fedcba98", members: ["auth/session-key"] }], /Pack lo_fedcba9876543210fedcba98 and secret "shop\/orders-token" both map to the secret name lo_fedcba9876543210fedcba98/)
  refused([{ physicalName: "lo_0123456789abcdef01234567", members: ["auth/session-key"] }], /Secret "layeron\/sealing-key" and pack lo_0123456789abcdef01234567 both map/)
})
