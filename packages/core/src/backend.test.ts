import { test } from "node:test"
import assert from "node:assert/strict"
import { secret, REGISTERED_MODULES, DeclarationError } from "@layeron/modules"
import { backend, project } from "./index.js"

test("use(module) registers the declaration; use(middleware) still runs Hono middleware", async () => {
  const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
  const key = secret.random({ name: "session-key", namespace: "auth" })
  app.use(key)
  app.use(async (c, next) => {
    await next()
    c.header("x-mw", "ran")
  })
  app.get("/ping", (c) => c.text("pong"))
  assert.deepEqual(app[REGISTERED_MODULES].map((m) => m.declaration.id), ["auth/session-key"])
  assert.deepEqual(app.layeron.modules.map((m) => m.declaration.id), ["auth/session-key"])
  const res = await app.fetch(new Request("http://x/ping"))
  assert.equal(await res.text(), "pong")
  assert.equal(res.headers.get("x-mw"), "ran")
})

test("registering an equal declaration twice keeps one; a different one with the same id is an error", () => {
  const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
  app.use(secret.static({ name: "stripe", namespace: "billing" }))
  app.use(secret.static({ namespace: "billing", name: "stripe" }))
  assert.equal(app[REGISTERED_MODULES].length, 1)
  assert.throws(() => app.use(secret.static({ name: "stripe", namespace: "billing", consume: { expose: "current" } })), (e: unknown) => {
    assert.ok(e instanceof DeclarationError)
    assert.match(e.message, /backend "api".*"billing\/stripe" is declared twice with different options/)
    return true
  })
})

test("backend() checks its own options", () => {
  assert.throws(() => backend({ name: "", compatibilityDate: "2026-05-24" }), /option "name" is required/)
  assert.throws(() => backend({ name: "api", compatibilityDate: "May 24" }), /"compatibilityDate" is "May 24"/)
})

test("project() returns its config unchanged", () => {
  const config = { workspace: "acme", name: "shop", backends: { api: "./src/api.ts" } }
  assert.equal(project(config), config)
})

test("declarations import and build in Node without a Workers runtime; reading fails with a typed error", async () => {
  const key = secret.random({ name: "k" })
  await assert.rejects(key.current().text(), (e: unknown) => (e as { code?: string }).code === "product_unavailable")
})
