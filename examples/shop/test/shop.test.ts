/**
 * The shop's routes, tested with `testSecrets()` from `@layeron/modules/testing`: plain Node
 * (node:test), no miniflare, no Cloudflare account. Each test gives the secrets it needs and
 * pins the product's clock, so no result depends on today's date.
 */
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { testSecrets, TestSecretsError } from "@layeron/modules/testing"
import app from "../src/api.js"
import { hmacSha256 } from "../src/crypto.js"
import { addressKey, apiSigningKey, encryptionKey, sessionKey, sessionTokenKey, stripeSecret } from "../src/secrets.js"
import { encryptedRecord, keyBytes, post, sessionKeyV1, testKey, webhookKeysEnvelope } from "./fixtures.js"

const NOW = "2026-06-01T00:00:00Z"
const utf8 = (text: string) => new TextEncoder().encode(text)

describe("sessions: signing before and after a rotation", () => {
  it("signs with v1, then with v2 after t.rotate(); v1 signatures verify for the 14 retained days, then not", async () => {
    // { app } also checks that the route's secrets are registered with app.use(), as a deploy binds only those.
    const t = testSecrets({ "auth/session-key": sessionKeyV1 }, { now: NOW, app })

    const before = await t.run(() => app.request("/session/alice"))
    assert.equal(before.status, 200)
    const signedByV1 = (await before.json()) as { version: string; signature: string }
    assert.deepEqual(signedByV1, { version: "v1", signature: await hmacSha256(keyBytes(1), "alice") })

    const rotation = await t.rotate(sessionKey)
    assert.deepEqual(rotation.expiring, [{ id: "v1", expiresAt: "2026-06-15T00:00:00.000Z" }])

    const after = (await (await t.run(() => app.request("/session/alice"))).json()) as { version: string; signature: string }
    assert.equal(after.version, "v2")
    assert.notEqual(after.signature, signedByV1.signature)

    const verify = (signature: string) => t.run(() => app.request(`/session/alice/verify/${signature}`))
    assert.deepEqual(await (await verify(signedByV1.signature)).json(), { valid: true, version: "v1" })
    assert.deepEqual(await (await verify(after.signature)).json(), { valid: true, version: "v2" })

    t.setNow("2026-06-15T00:00:00Z")
    const expired = await verify(signedByV1.signature)
    assert.equal(expired.status, 401)
    assert.deepEqual(await (await verify(after.signature)).json(), { valid: true, version: "v2" })
  })
})

describe("webhooks: an expired version is refused", () => {
  const body = '{"event":"paid"}'
  const deliver = (t: ReturnType<typeof testSecrets>, signature: string) =>
    t.run(() => app.request("/webhooks/incoming", post(body, { "x-signature": signature })))

  it("accepts a signature by v1 until v1's expiresAt, then answers 401", async () => {
    const t = testSecrets({ "webhooks/webhook-keys": webhookKeysEnvelope }, { now: NOW })
    const byV1 = await hmacSha256(utf8("whsec_test_one"), body)
    assert.deepEqual(await (await deliver(t, byV1)).json(), { accepted: true, version: "v1" })
    t.setNow("2026-06-10T00:00:00Z")
    assert.equal((await deliver(t, byV1)).status, 401)
    assert.deepEqual(await (await deliver(t, await hmacSha256(utf8("whsec_test_two"), body))).json(), { accepted: true, version: "v2" })
  })

  it("once the current version has expired, every delivery is a 503 version_expired (no fallback to another key)", async () => {
    const t = testSecrets({ "webhooks/webhook-keys": webhookKeysEnvelope }, { now: "2026-06-20T00:00:00Z" })
    t.setNow("2026-07-01T00:00:00Z")
    const response = await deliver(t, await hmacSha256(utf8("whsec_test_two"), body))
    assert.equal(response.status, 503)
    assert.deepEqual(await response.json(), {
      error: "version_expired",
      secret: "webhooks/webhook-keys",
      message: 'Version "v2" of secret "webhooks/webhook-keys" expired at 2026-07-01T00:00:00Z and can no longer be read.',
    })
  })
})

describe("records: at() finds the key an old record was encrypted with", () => {
  it("decrypts a record from March after the key rotated in June (retain_forever)", async () => {
    const t = testSecrets({ "storage/encryption-key": { current: "v1", versions: { v1: { value: testKey(21), createdAt: "2026-01-01T00:00:00Z" } } } }, { now: NOW })
    const march = await encryptedRecord(keyBytes(21), "order 1001", "2026-03-01T00:00:00Z")
    assert.equal((await t.rotate(encryptionKey)).version, "v2")
    const response = await t.run(() => app.request("/records/decrypt", post(march)))
    assert.deepEqual(await response.json(), { plaintext: "order 1001" })
    // The same record claimed as encrypted now picks v2, which cannot open it.
    assert.equal((await t.run(() => app.request("/records/decrypt", post({ ...march, encryptedAt: NOW })))).status, 500)
  })

  it("a record dated before every version is a 503 unknown_version", async () => {
    const t = testSecrets({ "storage/encryption-key": { current: "v1", versions: { v1: { value: testKey(21), createdAt: "2026-01-01T00:00:00Z" } } } }, { now: NOW })
    const old = await encryptedRecord(keyBytes(21), "order 1", "2025-12-01T00:00:00Z")
    const response = await t.run(() => app.request("/records/decrypt", post(old)))
    assert.equal(response.status, 503)
    assert.equal(((await response.json()) as { error: string }).error, "unknown_version")
  })

  it("round trip through POST /records, before and after a rotation (the app stamps records with its own clock)", async () => {
    // This route reads the app's clock, so the product's clock follows the real one here:
    // times relative to now, never a date.
    const day = 86_400_000
    const t = testSecrets({ "storage/encryption-key": { current: "v1", versions: { v1: { value: testKey(21), createdAt: new Date(Date.now() - day).toISOString() } } } })
    const first = await (await t.run(() => app.request("/records", post("first")))).json()
    await t.rotate(encryptionKey)
    const second = await (await t.run(() => app.request("/records", post("second")))).json()
    for (const [record, plaintext] of [[first, "first"], [second, "second"]] as const) {
      assert.deepEqual(await (await t.run(() => app.request("/records/decrypt", post(record)))).json(), { plaintext })
    }
  })
})

describe("static and generated secrets", () => {
  it("a static key keyed by its module, and a JSON credential read with json()", async () => {
    const t = testSecrets(new Map<typeof stripeSecret | string, string>([[stripeSecret, "sk_test_123"], ["billing/partner-credentials", JSON.stringify({ clientId: "shop", clientSecret: "s3cret" })]]))
    const stripe = (await (await t.run(() => app.request("/stripe"))).json()) as { configured: boolean; fingerprint: string }
    assert.equal(stripe.configured, true)
    assert.match(stripe.fingerprint, /^[0-9a-f]{8}$/)
    assert.deepEqual(await (await t.run(() => app.request("/partner"))).json(), { clientId: "shop", hasSecret: true })
  })

  it("a generated key has no value until its first rotation; a secret not given is a 503 secret_not_found", async () => {
    const t = testSecrets({ "auth/api-signing-key": null }, { now: NOW })
    const before = await t.run(() => app.request("/api-token"))
    assert.equal(before.status, 503)
    assert.equal(((await before.json()) as { error: string }).error, "secret_not_found")
    assert.equal((await t.rotate(apiSigningKey)).version, "v1")
    assert.equal(((await (await t.run(() => app.request("/api-token"))).json()) as { bytes: number }).bytes, 32)

    const missing = await t.run(() => app.request("/stripe"))
    assert.equal(missing.status, 503)
    assert.equal(((await missing.json()) as { error: string }).error, "secret_not_found")
  })

  it("a static secret cannot be rotated, and a bad envelope is refused where it is given", async () => {
    const t = testSecrets({ "billing/stripe-secret": "sk_test_123" })
    await assert.rejects(t.rotate(stripeSecret), TestSecretsError)
    assert.throws(() => testSecrets({ "auth/session-key": { current: "v9", versions: sessionKeyV1.versions } }), /"auth\/session-key": the value is an envelope .* but it is invalid: Invalid secret envelope at current: names a version that is not in "versions"/)
  })
})

describe("session tokens from a key the shop can use but never read (expose: \"use\")", () => {
  it("issues and checks ES256 tokens across a rotation and serves the JWKS, while every read of the key is refused", async () => {
    const t = testSecrets({ "auth/session-token-key": null }, { now: NOW, app })
    await t.rotate(sessionTokenKey)
    const issued = (await (await t.run(() => app.request("/sessions", post({ user: "alice" })))).json()) as { token: string }
    const me = (token: string) => t.run(() => app.request("/sessions/me", { headers: { authorization: `Bearer ${token}` } }))
    assert.equal(((await (await me(issued.token)).json()) as { user: string }).user, "alice")

    await t.rotate(sessionTokenKey)
    assert.equal((await me(issued.token)).status, 200, "a token signed before the rotation still verifies")
    const jwks = (await (await t.run(() => app.request("/.well-known/jwks.json"))).json()) as { keys: { kid: string; d?: string }[] }
    assert.deepEqual(jwks.keys.map((k) => k.kid), ["v2", "v1", "v3"])
    assert.ok(jwks.keys.every((k) => k.d === undefined))

    await assert.rejects(t.run(() => sessionTokenKey.current().text()), (error: unknown) => (error as { code?: string }).code === "expose_refused")
    assert.deepEqual((await t.run(() => sessionTokenKey.versions())).map((v) => v.version), ["v2", "v1", "v3"])
  })
})

describe("customer addresses: stored encrypted with aead(), across a rotation", () => {
  const row = (address: string) => post({ address })

  it("an address stored before a rotation reads after it for the 30 retained days, rewrap moves it to v2, then v1's rows are version_expired", async () => {
    const t = testSecrets({ "customers/address-key": { current: "v1", versions: { v1: { value: testKey(31), createdAt: "2026-05-01T00:00:00Z" } } } }, { now: NOW, app })
    const stored = ((await (await t.run(() => app.request("/customers/42/address", post("1 Rue de Rivoli, Paris")))).json()) as { address: string }).address
    assert.match(stored, /^la1\.v1\./)
    assert.ok(!stored.includes("Rivoli"))

    assert.equal((await t.rotate(addressKey)).version, "v2")
    const read = (customer: string, address: string) => t.run(() => app.request(`/customers/${customer}/address/read`, row(address)))
    assert.deepEqual(await (await read("42", stored)).json(), { address: "1 Rue de Rivoli, Paris" })
    const moved = await (await read("43", stored)).json()
    assert.deepEqual(moved, { error: "decryption_failed" }, "copied into another customer's row")

    const rewrap = (address: string) => t.run(() => app.request("/customers/42/address/rewrap", row(address)))
    const rewrapped = (await (await rewrap(stored)).json()) as { address: string; changed: boolean }
    assert.equal(rewrapped.changed, true)
    assert.match(rewrapped.address, /^la1\.v2\./)
    assert.deepEqual(await (await rewrap(rewrapped.address)).json(), { address: rewrapped.address, changed: false })

    t.setNow("2026-07-01T00:00:00Z")
    const late = await read("42", stored)
    assert.equal(late.status, 400)
    assert.deepEqual(await late.json(), { error: "version_expired" })
    assert.deepEqual(await (await read("42", rewrapped.address)).json(), { address: "1 Rue de Rivoli, Paris" })
  })
})
