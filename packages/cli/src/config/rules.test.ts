import assert from "node:assert/strict"
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { sharedOperatorNames, validateConfig } from "./rules.js"

describe("config rules", () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "layeron-rules-"))
    await mkdir(join(root, "src"))
    await writeFile(join(root, "src", "api.ts"), "export default {}")
  })
  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  const context = () => ({ file: "layeron.config.ts", root })
  const valid = { workspace: "acme", name: "shop", backends: { api: "./src/api.ts" } }
  const errorsOf = (config: unknown) => {
    const result = validateConfig(config, context())
    assert.equal(result.ok, false, "expected the config to be rejected")
    return result.ok ? [] : result.errors
  }

  it("accepts a minimal config and fills the defaults", () => {
    const result = validateConfig(valid, context())
    assert.ok(result.ok)
    assert.deepEqual(result.config.environments, { dev: { provider: "local" } })
    assert.equal(result.config.defaultEnvironment, "dev")
    assert.equal(result.config.backends.api, join(root, "src", "api.ts"))
  })

  const cases: [string, unknown, RegExp][] = [
    ["a default export that is not an object", "nope", /^layeron\.config\.ts: the default export is "nope": export default project/],
    ["a missing workspace", { ...valid, workspace: undefined }, /^layeron\.config\.ts: workspace is missing: required, e\.g\. workspace: "acme"/],
    ["a workspace breaking the name pattern", { ...valid, workspace: "Acme Corp" }, /^layeron\.config\.ts: workspace is "Acme Corp": must match \^\[a-z0-9\]/],
    ["a missing name", { ...valid, name: undefined }, /^layeron\.config\.ts: name is missing: required/],
    ["a name that is not a string", { ...valid, name: 7 }, /^layeron\.config\.ts: name is 7: must match/],
    ["no backends", { ...valid, backends: {} }, /^layeron\.config\.ts: backends is \{\}: must be a non-empty object/],
    ["a backend path that does not exist", { ...valid, backends: { api: "./src/missing.ts" } }, /^layeron\.config\.ts: backends\.api is "\.\/src\/missing\.ts": no such file \(paths are relative to layeron\.config\.ts\)/],
    ["an absolute backend path", { ...valid, backends: { api: "/etc/passwd" } }, /^layeron\.config\.ts: backends\.api is "\/etc\/passwd": must be relative/],
    ["empty environments", { ...valid, environments: {} }, /^layeron\.config\.ts: environments is \{\}: must be a non-empty object/],
    ["an unknown provider", { ...valid, environments: { dev: { provider: "aws" } } }, /^layeron\.config\.ts: environments\.dev\.provider is "aws": must be "local" or "cloudflare"/],
    ["a bad account id", { ...valid, environments: { prod: { provider: "cloudflare", accountId: "123" } } }, /^layeron\.config\.ts: environments\.prod\.accountId is "123": must be your Cloudflare account id: 32 hex digits/],
    ["an environment name that is not a safe name", { ...valid, environments: { "../x": { provider: "local" } } }, /^layeron\.config\.ts: environments\.\.\.\/x: the name "\.\.\/x" must match/],
    ["an unknown field in an environment", { ...valid, environments: { dev: { provider: "local", accountId: "x" } } }, /^layeron\.config\.ts: environments\.dev\.accountId is "x": unknown field for provider "local"/],
    ["a workersDev that is not a boolean", { ...valid, environments: { prod: { provider: "cloudflare", workersDev: "yes" } } }, /^layeron\.config\.ts: environments\.prod\.workersDev is "yes": must be true, false, or an object of backend id → boolean/],
    ["a workersDev naming no backend", { ...valid, environments: { prod: { provider: "cloudflare", workersDev: { admin: false } } } }, /^layeron\.config\.ts: environments\.prod\.workersDev\.admin is false: names no backend; expected one of api/],
    ["a workersDev on a local environment", { ...valid, environments: { dev: { provider: "local", workersDev: false } } }, /^layeron\.config\.ts: environments\.dev\.workersDev is false: unknown field for provider "local"/],
    ["packing that is not a boolean", { ...valid, environments: { prod: { provider: "cloudflare", packing: "yes" } } }, /^layeron\.config\.ts: environments\.prod\.packing is "yes": must be true or false/],
    ["packing on a local environment", { ...valid, environments: { dev: { provider: "local", packing: true } } }, /^layeron\.config\.ts: environments\.dev\.packing is true: applies to Cloudflare environments only/],
    ["a defaultEnvironment that names no environment", { ...valid, defaultEnvironment: "prod" }, /^layeron\.config\.ts: defaultEnvironment is "prod": must name an environment \(dev\)/],
    ["an unknown top-level field", { ...valid, enviroments: {} }, /^layeron\.config\.ts: enviroments is \{\}: unknown field; expected one of workspace, name, backends/],
  ]
  for (const [what, config, expected] of cases) {
    it(`rejects ${what}`, () => {
      const errors = errorsOf(config)
      assert.ok(errors.some((message) => expected.test(message)), `no message matched ${expected}:\n${errors.join("\n")}`)
    })
  }

  it("reports every problem at once", () => {
    const errors = errorsOf({ workspace: "", name: "", backends: {} })
    assert.equal(errors.length, 3)
  })

  it("accepts workersDev as a boolean or per backend", () => {
    for (const workersDev of [false, true, { api: false }]) {
      assert.ok(validateConfig({ ...valid, environments: { production: { provider: "cloudflare", workersDev } }, defaultEnvironment: "production" }, context()).ok)
    }
  })

  it("accepts packing as a boolean on a cloudflare environment", () => {
    for (const packing of [false, true]) {
      assert.ok(validateConfig({ ...valid, environments: { production: { provider: "cloudflare", packing } }, defaultEnvironment: "production" }, context()).ok)
    }
  })

  it("accepts a cloudflare environment without accountId (CLOUDFLARE_ACCOUNT_ID may supply it)", () => {
    const result = validateConfig({ ...valid, environments: { production: { provider: "cloudflare" } }, defaultEnvironment: "production" }, context())
    assert.ok(result.ok)
  })
})

describe("one operator name, one environment", () => {
  const ACCOUNT = "0123456789abcdef0123456789abcdef"
  const config = (preview: string) =>
    ({
      workspace: "acme",
      name: "shop",
      backends: {},
      defaultEnvironment: "dev",
      environments: { dev: { provider: "local" }, production: { provider: "cloudflare", accountId: ACCOUNT }, preview: { provider: "cloudflare", accountId: preview } },
    }) as unknown as Parameters<typeof sharedOperatorNames>[0]
  const declarations = [{ declaration: { id: "payments/stripe", secretName: "STRIPE_SECRET" } }, { declaration: { id: "auth/session-key" } }]

  it("refuses a secretName in two environments on the same account (any case), naming both and the account", () => {
    const [message, ...rest] = sharedOperatorNames(config(ACCOUNT.toUpperCase()), "preview", declarations, "layeron.config.ts")
    assert.deepEqual(rest, [])
    assert.match(message ?? "", /^payments\/stripe adopts the operator-named secret STRIPE_SECRET, and environments "preview" and "production" in layeron\.config\.ts use the same Cloudflare account/)
  })

  it("accepts distinct accounts, generated names, and local environments", () => {
    assert.deepEqual(sharedOperatorNames(config("f".repeat(32)), "preview", declarations, "layeron.config.ts"), [])
    assert.deepEqual(sharedOperatorNames(config(ACCOUNT), "preview", [declarations[1]!], "layeron.config.ts"), [])
    assert.deepEqual(sharedOperatorNames(config(ACCOUNT), "dev", declarations, "layeron.config.ts"), [])
  })
})
