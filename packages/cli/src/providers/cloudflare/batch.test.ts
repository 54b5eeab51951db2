/**
 * createMany: new secrets in one bulk request, and on failure exactly what landed (read back
 * from the store), against the emulator.
 */
import assert from "node:assert/strict"
import { afterEach, beforeEach, describe, test } from "node:test"
import { rejection, startCloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import type { CloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import type { LayerError } from "../../errors.js"
import { SecretText } from "../provider.js"
import type { BatchOutcome, SecretProvider } from "../provider.js"

let fx: CloudflareFixture
let provider: SecretProvider
beforeEach(async () => {
  fx = await startCloudflareFixture({ withDefaultStore: true })
  provider = fx.provider({ requestTimeoutMs: 1_000 })
  await provider.resolveStore()
  fx.emulator.resetRequestLog()
})
afterEach(() => fx.close())

const entries = (...names: string[]) => names.map((name) => ({ name, value: new SecretText(`value-of-${name}`) }))

const batchOf = (error: LayerError) => error.details?.batch as BatchOutcome

describe("createMany", () => {
  test("three new secrets are one request, each with the workers scope", async () => {
    const created = await provider.createMany!(entries("A", "B", "C"))
    assert.deepEqual(created.map((secret) => [secret.name, secret.action]), [["A", "created"], ["B", "created"], ["C", "created"]])
    assert.deepEqual(fx.requestLines().map((line) => line.split(" ")[0]), ["POST"])
    assert.equal(fx.emulator.getSecretValue(fx.accountId, fx.emulator.accounts[0]!.stores[0]!.id, "B"), "value-of-B")
    assert.ok(fx.emulator.accounts[0]!.stores[0]!.secrets.every((secret) => secret.scopes.includes("workers")))
  })

  test("a bad name or value refuses the batch before any request", async () => {
    await assert.rejects(provider.createMany!(entries("GOOD", "bad name")), /name/)
    await assert.rejects(provider.createMany!(entries("TWICE", "TWICE")), /given twice/)
    assert.equal(fx.emulator.requests.length, 0)
  })

  test("a refused batch says, by name, which are in the store and which are not", async () => {
    await provider.upsert("TAKEN", new SecretText("already-there"))
    const error = await rejection(provider.createMany!(entries("NEW_1", "TAKEN", "NEW_2")))
    assert.equal(error.code, "cloudflare_api_error")
    assert.deepEqual(batchOf(error), { landed: ["TAKEN"], notLanded: ["NEW_1", "NEW_2"], unknown: [] })
    assert.match(error.message, /the bulk creation of 3 secrets failed .*secret_name_already_exists.*; in the store now: TAKEN; not in the store: NEW_1, NEW_2/)
    assert.doesNotMatch(error.message, /value-of-|already-there/, "no value in the message")
  })

  test("a batch that landed but whose answer was lost says that every secret landed", async () => {
    fx.emulator.setFault({ kind: "malformed_result", result: "absent", method: "POST", next: 1 })
    const error = await rejection(provider.createMany!(entries("X", "Y")))
    assert.equal(error.code, "cloudflare_unexpected_answer")
    assert.deepEqual(batchOf(error), { landed: ["X", "Y"], notLanded: [], unknown: [] })
    assert.match(error.hint ?? "", /running the command again creates what is missing and updates what landed/)
  })

  test("when the API stopped answering, what landed is reported as unknown, not guessed", { timeout: 20_000 }, async () => {
    fx.emulator.setFault({ kind: "stall_after_headers", method: "POST" })
    const error = await rejection(provider.createMany!(entries("P", "Q")))
    assert.equal(error.code, "cloudflare_timeout")
    assert.deepEqual(batchOf(error), { landed: [], notLanded: [], unknown: ["P", "Q"] })
    assert.match(error.message, /not known whether in the store \(it could not be read back\): P, Q/)
  })

  test("the quota refusal of a one-secret batch keeps its numbers", async () => {
    fx.emulator.setQuota(0)
    const error = await rejection(provider.createMany!(entries("OVER")))
    assert.equal(error.code, "cloudflare_quota_exceeded")
    assert.deepEqual(batchOf(error).notLanded, ["OVER"])
  })
})
