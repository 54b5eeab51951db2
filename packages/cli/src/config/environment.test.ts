import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { selectEnvironment } from "./environment.js"
import type { ProjectConfig } from "./types.js"

const ACCOUNT = "0123456789abcdef0123456789abcdef"
const config: ProjectConfig = {
  workspace: "acme",
  name: "shop",
  backends: {},
  defaultEnvironment: "dev",
  environments: { dev: { provider: "local" }, staging: { provider: "local" }, production: { provider: "cloudflare" }, eu: { provider: "cloudflare", accountId: ACCOUNT } },
}

describe("selectEnvironment", () => {
  it("takes --env first, then LAYERON_ENV, then the default", () => {
    assert.equal(selectEnvironment(config, "staging", { LAYERON_ENV: "dev" }, "c.ts").name, "staging")
    assert.equal(selectEnvironment(config, undefined, { LAYERON_ENV: "staging" }, "c.ts").source, "LAYERON_ENV")
    const fallback = selectEnvironment(config, undefined, { LAYERON_ENV: "" }, "c.ts")
    assert.deepEqual([fallback.name, fallback.source], ["dev", "defaultEnvironment"])
  })

  it("names the unknown environment, where it came from and the known ones", () => {
    assert.throws(() => selectEnvironment(config, "prod", {}, "layeron.config.ts"), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "unknown_environment")
      assert.equal(error.message, 'unknown environment "prod" (--env names); known: dev, staging, production, eu')
      assert.match(error.hint ?? "", /add "prod" to environments in layeron\.config\.ts/)
      return true
    })
    assert.throws(() => selectEnvironment(config, undefined, { LAYERON_ENV: "qa" }, "c.ts"), /unknown environment "qa" \(LAYERON_ENV names\)/)
  })

  it("does not treat inherited object keys as environments", () => {
    assert.throws(() => selectEnvironment(config, "toString", {}, "c.ts"), /unknown environment "toString"/)
  })

  it("passes a Cloudflare environment through as configured: the account is resolved with the credentials", () => {
    assert.deepEqual(selectEnvironment(config, "eu", { CLOUDFLARE_ACCOUNT_ID: "f".repeat(32) }, "c.ts").config, { provider: "cloudflare", accountId: ACCOUNT })
    assert.deepEqual(selectEnvironment(config, "production", {}, "c.ts").config, { provider: "cloudflare" })
  })
})
