import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { appWorkerName, checkDistinctWorkerNames, productWorkerName } from "./names.js"

describe("Worker names", () => {
  it("are <project>-<backend>-<env> and <project>-secret-<env>", () => {
    assert.equal(appWorkerName("shop", "api", "production"), "shop-api-production")
    assert.equal(productWorkerName("shop", "production"), "shop-secret-production")
  })

  it("refuse what Cloudflare would refuse, naming the backend and the fix", () => {
    assert.throws(() => appWorkerName("shop", "My API", "dev"), /backend "My API" would deploy as "shop-My API-dev", which is not a Cloudflare Worker name/)
    assert.throws(() => appWorkerName("shop", "a".repeat(60), "dev"), (error: Error & { hint?: string }) => /rename backends\.a+ in layeron\.config\.ts/.test(error.hint ?? ""))
  })

  it("refuse a backend that would take the Secret Product Worker's name", () => {
    assert.throws(() => checkDistinctWorkerNames("shop-secret-dev", [{ id: "secret", workerName: "shop-secret-dev" }]), /backend "secret" would deploy as shop-secret-dev, the name of the Secret Product Worker/)
  })
})
