import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { secret } from "@layeron/modules"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { isLayerError } from "../errors.js"
import { buildCatalog, describeTarget, resolveTarget } from "./catalog.js"
import type { LoadedProject } from "../config/index.js"

const declarations: SecretDeclaration[] = [
  secret.random({ name: "session-key", namespace: "auth" }).declaration,
  secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" }).declaration,
  secret.static({ name: "webhook-key" }).declaration,
  secret.generated({ name: "token", namespace: "jobs" }).declaration,
]

function projectWith(environment: string): LoadedProject {
  return {
    root: "/p",
    configFile: "/p/layeron.config.ts",
    config: { workspace: "acme", name: "shop", backends: {}, defaultEnvironment: "dev", environments: { dev: { provider: "local" } } },
    environment: { name: environment, source: "defaultEnvironment", config: { provider: "local" } },
    declarations: declarations.map((declaration) => ({ declaration, backend: "api", file: "/p/src/api.ts" })),
    backends: [],
  }
}

describe("secret catalog", async () => {
  const catalog = await buildCatalog(projectWith("dev"))
  const session = catalog.declared.find((d) => d.declaration.id === "auth/session-key")!

  it("derives lo_ physical names per environment and keeps adopted names", async () => {
    assert.match(session.physicalName, /^lo_[0-9a-f]{24}$/)
    assert.equal(catalog.declared.find((d) => d.declaration.id === "payments/stripe")?.physicalName, "STRIPE_SECRET")
    const production = await buildCatalog(projectWith("production"))
    assert.notEqual(production.declared.find((d) => d.declaration.id === "auth/session-key")?.physicalName, session.physicalName)
    assert.notEqual(production.sealingKeyName, catalog.sealingKeyName)
  })

  it("resolves namespace/name, physical names, adopted names and default-namespace names to the declaration", () => {
    for (const name of ["auth/session-key", session.physicalName]) {
      const target = resolveTarget(name, catalog)
      assert.equal(target.kind, "declared")
      assert.equal(target.physicalName, session.physicalName)
    }
    assert.equal(resolveTarget("STRIPE_SECRET", catalog).kind, "declared")
    const webhook = resolveTarget("webhook-key", catalog)
    assert.ok(webhook.kind === "declared" && webhook.secret.declaration.id === "default/webhook-key")
    assert.equal(describeTarget(webhook), `${webhook.physicalName} (default/webhook-key)`)
  })

  it("treats other names as undeclared Cloudflare secrets", () => {
    assert.deepEqual(resolveTarget("OTHER_TOKEN", catalog), { kind: "undeclared", physicalName: "OTHER_TOKEN" })
  })

  it("recognizes Layeron's sealing key by id and by physical name", () => {
    assert.equal(resolveTarget("layeron/sealing-key", catalog).kind, "sealing_key")
    assert.equal(resolveTarget(catalog.sealingKeyName, catalog).kind, "sealing_key")
  })

  it("refuses an undeclared namespace/name, listing what is declared", () => {
    assert.throws(() => resolveTarget("auth/sesion-key", catalog), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "unknown_declaration")
      assert.equal(error.message, 'no declaration "auth/sesion-key"; declared: auth/session-key, payments/stripe, default/webhook-key, jobs/token')
      return true
    })
  })

  it("refuses a name outside Cloudflare's alphabet", () => {
    for (const name of ["has space", "dot.name", "x".repeat(256), ""]) {
      assert.throws(() => resolveTarget(name, catalog), (error) => isLayerError(error) && error.code === "invalid_secret_name" && /letters, digits, _ and -/.test(error.message))
    }
  })

  it("refuses a bare name declared only in another namespace, pointing at namespace/name", () => {
    assert.throws(() => resolveTarget("token", catalog), (error) => isLayerError(error) && error.code === "ambiguous_secret_name" && /write jobs\/token/.test(error.hint ?? ""))
  })
})
