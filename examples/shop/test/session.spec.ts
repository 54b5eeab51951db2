/**
 * The same kind of test under vitest: `testSecrets()` needs nothing vitest-specific (no
 * miniflare, no pool), only `t.run()` around the code that reads secrets.
 */
import { describe, expect, it } from "vitest"
import { testSecrets, TestSecretsError } from "@layeron/modules/testing"
import { SecretNotFoundError } from "@layeron/modules"
import app from "../src/api.js"
import { hmacSha256 } from "../src/crypto.js"
import { encryptionKey, sessionKey, stripeSecret } from "../src/secrets.js"
import { encryptedRecord, keyBytes, post, sessionKeyV1, testKey } from "./fixtures.js"

describe("the shop under vitest", () => {
  it("signs with the current session key, before and after a rotation", async () => {
    const t = testSecrets({ "auth/session-key": sessionKeyV1 }, { now: "2026-06-01T00:00:00Z" })
    const before = await (await t.run(() => app.request("/session/alice"))).json()
    expect(before).toEqual({ version: "v1", signature: await hmacSha256(keyBytes(1), "alice") })

    await t.rotate(sessionKey)
    const after = await (await t.run(() => app.request("/session/alice"))).json()
    expect(after.version).toBe("v2")

    t.setNow("2026-06-15T00:00:00Z")
    const old = await t.run(() => app.request(`/session/alice/verify/${before.signature}`))
    expect(old.status).toBe(401)
  })

  it("at() decrypts an old record after the key rotated", async () => {
    const t = testSecrets({ "storage/encryption-key": { current: "v1", versions: { v1: { value: testKey(21), createdAt: "2026-01-01T00:00:00Z" } } } }, { now: "2026-06-01T00:00:00Z" })
    const march = await encryptedRecord(keyBytes(21), "order 1001", "2026-03-01T00:00:00Z")
    await t.rotate(encryptionKey)
    expect(await (await t.run(() => app.request("/records/decrypt", post(march)))).json()).toEqual({ plaintext: "order 1001" })
  })

  it("reads fail with the production errors, and bad input is refused at the call", async () => {
    const t = testSecrets({ "auth/session-key": sessionKeyV1 })
    await expect(t.run(() => stripeSecret.current().text())).rejects.toBeInstanceOf(SecretNotFoundError)
    await expect(t.rotate(stripeSecret)).rejects.toThrow(/static secrets do not rotate/)
    expect(() => t.setNow("next week")).toThrow(TestSecretsError)
  })
})
