import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { secret } from "@layeron/modules"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { isLayerError } from "../errors.js"
import { buildCatalog, describeTarget, resolveTarget, resolveWriteTarget } from "./catalog.js"
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
      assert.equal(error.message, 'no declaration "auth/sesion-key"; declared: auth/session-key, payments/stripe, default/webhook-key, jobs/token; did you mean auth/session-key?')
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

  it("resolveWriteTarget: the env-style convention for UPPER_SNAKE names, for set and import alike", () => {
    const byName = resolveWriteTarget("SESSION_KEY", catalog)
    assert.deepEqual([byName.target.physicalName, byName.via], [session.physicalName, "convention"])
    assert.equal(resolveWriteTarget("AUTH__SESSION_KEY", catalog).target.physicalName, session.physicalName)
    assert.deepEqual(resolveWriteTarget("STRIPE_SECRET", catalog).via, "name")
    assert.equal(resolveWriteTarget("LAYERON__SEALING_KEY", catalog).target.kind, "sealing_key")
    // --undeclared takes the name as typed.
    assert.deepEqual(resolveWriteTarget("SESSION_KEY", catalog, { undeclared: true }).target, { kind: "undeclared", physicalName: "SESSION_KEY" })
    assert.deepEqual(resolveWriteTarget("DATABASE_URL", catalog).target, { kind: "undeclared", physicalName: "DATABASE_URL" })
  })

  it("resolveWriteTarget: an undeclared name a small edit away from a declared one gets \"did you mean\", unless --undeclared", () => {
    for (const [typed, meant] of [["STRIPE_SECRT", "payments/stripe"], ["STRIPE_SEKRET", "payments/stripe"], ["SESION_KEY", "auth/session-key"], ["webhook_key", "default/webhook-key"], ["WEBHOK_KEY", "default/webhook-key"]] as const) {
      assert.throws(() => resolveWriteTarget(typed, catalog), (error) => {
        assert.ok(isLayerError(error), typed)
        assert.equal(error.code, "undeclared_name_near_declared", typed)
        assert.match(error.message, new RegExp(`did you mean ${meant.replace("/", "\\/")}\\?$`), typed)
        assert.match(error.hint ?? "", /--undeclared/)
        return true
      })
      assert.equal(resolveWriteTarget(typed, catalog, { undeclared: true }).target.kind, "undeclared")
    }
    // Far enough from every declared name: written as typed.
    for (const name of ["API_TOKEN", "TOKEN_2FA", "SESSION"]) assert.equal(resolveWriteTarget(name, catalog).target.kind, "undeclared", name)
  })
})
