/**
 * Keys declared with `consume: { expose: "use" }` under `testSecrets()`, which answers through
 * the Secret Product Worker's own code (worker/read.ts, worker/use.ts): the helpers give the
 * same results as on a versioned key holding the same values, across a rotation; every value
 * reader and every raw call on the binding is refused; metadata stays readable.
 */
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { encodeBase64Url } from "../envelope/index.js"
import { ExposeRefusedError, REGISTERED_MODULES, secret, SecretNotRegisteredError } from "../index.js"
import type { SecretModule } from "../index.js"
import { aead, generateSigningKey, hmac, isSigningError, jwt } from "../keys/index.js"
import { testSecrets } from "./index.js"

const NOW = "2026-06-01T00:00:00.000Z"
const DAY = 86_400_000
const rotation = { everyDays: 30, retain: { mode: "retain_for" as const, days: 14 } }
const bytes = (n: number) => encodeBase64Url(new Uint8Array(32).fill(n))

const hookUse = secret.random({ name: "hook", namespace: "use", rotation, consume: { expose: "use" } })
const hookVersioned = secret.random({ name: "hook", namespace: "versioned", rotation })
const tokenUse = secret.generated({ name: "token", namespace: "use", generate: "ES256", rotation, consume: { expose: "use" } })
const tokenVersioned = secret.generated({ name: "token", namespace: "versioned", generate: "ES256", rotation })
const sessionUse = secret.random({ name: "session", namespace: "use", rotation, consume: { expose: "use" } })
const idpUse = secret.static({ name: "idp", namespace: "use", consume: { expose: "use" } })
/** One secret id, declared both ways: the same key, in the product or in the app. */
const vaultUse = secret.random({ name: "vault", namespace: "data", rotation, consume: { expose: "use" } })
const vaultVersioned = secret.random({ name: "vault", namespace: "data", rotation })

const hookEnvelope = { current: "v2", versions: { v1: { value: bytes(1), createdAt: "2026-05-01T00:00:00Z", expiresAt: "2026-06-10T00:00:00Z" }, v2: { value: bytes(2), createdAt: "2026-05-31T00:00:00Z" } } }

async function keyPairEnvelope() {
  const [v1, v2] = await Promise.all([generateSigningKey("ES256"), generateSigningKey("ES256")])
  return { texts: [v1, v2], envelope: { current: "v1", versions: { v1: { value: v1, createdAt: "2026-05-31T00:00:00Z" }, v2: { value: v2 } } } }
}

/** Every way an app (or a bug in it) could ask for a value, through the module API. */
function valueReads(module: SecretModule): Array<[string, () => Promise<unknown>]> {
  return [
    ["current().text()", () => module.current().text()],
    ["current().bytes()", () => module.current().bytes()],
    ["current().json()", () => module.current().json()],
    ["current().resolve()", () => module.current().resolve()],
    ['version("v1").text()', () => module.version("v1").text()],
    ["at(now).bytes()", () => module.at(NOW).bytes()],
    ["active()", () => module.active()],
  ]
}

describe("expose: use under testSecrets()", () => {
  it("hmac(): the same signatures as a versioned key with the same bytes, and verification across a rotation with zero failures", async () => {
    const t = testSecrets(new Map<SecretModule, unknown>([[hookUse, hookEnvelope], [hookVersioned, hookEnvelope]]) as never, { now: NOW })
    await t.run(async () => {
      const used = await hmac(hookUse).sign("payload")
      assert.deepEqual(used, await hmac(hookVersioned).sign("payload"), "same signature, same kid")
      assert.deepEqual(await hmac(hookUse).verify("payload", used.signature, used.kid), { valid: true, kid: "v2" })
      assert.deepEqual(await hmac(hookUse).verify("payload!", used.signature), { valid: false })
      assert.deepEqual(await hmac(hookUse).verify(new TextEncoder().encode("payload"), used.signature), { valid: true, kid: "v2" })
    })
    const signed = await t.run(() => Promise.all(Array.from({ length: 20 }, (_, i) => hmac(hookUse).sign(`m${i}`))))
    await t.rotate(hookUse)
    t.setNow(new Date(Date.parse(NOW) + DAY))
    await t.run(async () => {
      const failures = (await Promise.all(signed.map((s, i) => hmac(hookUse).verify(`m${i}`, s.signature)))).filter((v) => !v.valid)
      assert.equal(failures.length, 0, "signatures made before the rotation verify after it")
      const after = await hmac(hookUse).sign("new")
      assert.equal(after.kid, "v3", "the rotation's new version signs")
      assert.deepEqual(await hmac(hookUse).verify("new", after.signature), { valid: true, kid: "v3" })
    })
  })

  it("jwt() on a key pair: sign, verify, jwks and jwksHandler as on a versioned key; tokens keep verifying across a rotation", async () => {
    const { texts, envelope } = await keyPairEnvelope()
    const t = testSecrets(new Map<SecretModule, unknown>([[tokenUse, envelope], [tokenVersioned, envelope]]) as never, { now: NOW })
    const tokens = await t.run(async () => {
      const signer = jwt(tokenUse, { issuer: "shop", audience: "api" })
      const token = await signer.sign({ sub: "u1", role: "admin" }, { expiresIn: "1h" })
      // The versioned helper verifies what the product signed, and the other way round.
      assert.equal((await jwt(tokenVersioned, { issuer: "shop", audience: "api" }).verify(token)).sub, "u1")
      const local = await jwt(tokenVersioned, { issuer: "shop", audience: "api" }).sign({ sub: "u2" }, { expiresIn: "1h" })
      assert.equal((await signer.verify(local)).sub, "u2")
      assert.deepEqual(await signer.jwks(), await jwt(tokenVersioned).jwks())
      const response = await signer.jwksHandler({ maxAgeSeconds: 60 })()
      assert.equal(response.headers.get("cache-control"), "public, max-age=60")
      assert.deepEqual(((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid), ["v1", "v2"])
      return Promise.all(Array.from({ length: 10 }, (_, i) => signer.sign({ sub: `s${i}` }, { expiresIn: "7d" })))
    })
    await t.rotate(tokenUse)
    t.setNow(new Date(Date.parse(NOW) + DAY))
    await t.run(async () => {
      const signer = jwt(tokenUse, { issuer: "shop", audience: "api" })
      const verified = await Promise.all(tokens.map((token) => signer.verify(token).then(() => true, () => false)))
      assert.equal(verified.filter((ok) => !ok).length, 0, "tokens signed before the rotation verify after it")
      const fresh = await signer.sign({ sub: "after" }, { expiresIn: "1h" })
      assert.equal(JSON.parse(Buffer.from(fresh.split(".")[0]!, "base64url").toString()).kid, "v2", "the published next key signs after the rotation")
      // Verify options and failures behave as in the app: typed errors, no key, no token.
      await assert.rejects(signer.verify(fresh, { audience: "other" }), (e: unknown) => isSigningError(e) && e.code === "invalid_audience")
      const tampered = `${fresh.slice(0, -4)}AAAA`
      await assert.rejects(signer.verify(tampered), (e: unknown) => {
        assert.ok(isSigningError(e) && e.code === "invalid_signature", String(e))
        for (const text of texts) assert.ok(!JSON.stringify(e).includes(JSON.parse(text).d))
        return true
      })
    })
  })

  it("jwt() HS256 on a byte key and on a static key named HS256: the same tokens as in the app", async () => {
    const t = testSecrets({ "use/session": hookEnvelope, "use/idp": "shared-with-the-idp" }, { now: NOW })
    await t.run(async () => {
      const token = await jwt(sessionUse).sign({ sub: "u" }, { expiresIn: 60 })
      assert.equal((await jwt(sessionUse).verify(token)).sub, "u")
      const idpToken = await jwt(idpUse, { algorithm: "HS256" }).sign({ sub: "x" }, { expiresIn: 60 })
      assert.equal((await jwt(idpUse, { algorithm: "HS256" }).verify(idpToken)).sub, "x")
      await assert.rejects(jwt(sessionUse).jwks(), (e: unknown) => isSigningError(e) && e.code === "wrong_key_type")
    })
  })

  it("aead(): ciphertexts interchangeable with the versioned key's; decrypts across a rotation until the retain window ends; rewrap answers only the new ciphertext", async () => {
    const use = testSecrets(new Map<SecretModule, unknown>([[vaultUse, hookEnvelope]]) as never, { now: NOW })
    const app = testSecrets(new Map<SecretModule, unknown>([[vaultVersioned, hookEnvelope]]) as never, { now: NOW })
    const ad = { associatedData: "row 7" }
    const sealed = await use.run(() => aead(vaultUse).encrypt("card 4242", ad))
    assert.match(sealed, /^la1\.v2\./)
    assert.equal(await app.run(() => aead(vaultVersioned).decryptText(sealed, ad)), "card 4242", "the app's aead() opens the product's ciphertext")
    const local = await app.run(() => aead(vaultVersioned).encrypt(new Uint8Array([1, 2, 3]), ad))
    assert.deepEqual([...(await use.run(() => aead(vaultUse).decrypt(local, ad)))], [1, 2, 3])
    await assert.rejects(use.run(() => aead(vaultUse).decrypt(sealed, { associatedData: "row 8" })), (e: unknown) => isSigningError(e) && e.code === "decryption_failed")
    await assert.rejects(use.run(() => aead(vaultUse).decrypt("la1.v2.bad")), (e: unknown) => isSigningError(e) && e.code === "invalid_ciphertext")

    await use.rotate(vaultUse)
    const rewrapped = await use.run(() => aead(vaultUse).rewrap(sealed, ad))
    assert.match(rewrapped, /^la1\.v3\./)
    assert.equal(await use.run(() => aead(vaultUse).decryptText(sealed, ad)), "card 4242", "the old version decrypts while retained")
    // The raw answer of a rewrap is the ciphertext alone.
    const raw = await use.env.LAYERON_SECRET.use(vaultUse.declaration.id, { helper: "aead", op: "rewrap", ciphertext: sealed, associatedData: new TextEncoder().encode("row 7") })
    assert.ok(raw.ok && raw.value.ok && typeof raw.value.result === "string" && !raw.value.result.includes("card"))
    use.setNow(new Date(Date.parse(NOW) + 15 * DAY))
    await assert.rejects(use.run(() => aead(vaultUse).decryptText(sealed, ad)), (e: unknown) => isSigningError(e) && e.code === "version_expired")
    assert.equal(await use.run(() => aead(vaultUse).decryptText(rewrapped, ad)), "card 4242")
    assert.throws(() => aead(tokenUse as never), (e: unknown) => isSigningError(e) && e.code === "wrong_key_type")
  })

  it("every value reader of a use key is refused with expose_refused; versions() gives ids and times only", async () => {
    const { envelope, texts } = await keyPairEnvelope()
    const t = testSecrets(new Map<SecretModule, unknown>([[tokenUse, envelope], [hookUse, hookEnvelope]]) as never, { now: NOW })
    await t.run(async () => {
      for (const module of [tokenUse, hookUse] as SecretModule[]) {
        for (const [name, read] of valueReads(module)) {
          await assert.rejects(read(), (e: unknown) => {
            assert.ok(e instanceof ExposeRefusedError, `${name}: ${String(e)}`)
            assert.match(e.message, /expose "use"/)
            return true
          })
        }
      }
      assert.deepEqual(await tokenUse.versions(), [{ version: "v1", createdAt: "2026-05-31T00:00:00Z" }, { version: "v2" }])
      assert.deepEqual(await hookUse.versions(), [
        { version: "v2", createdAt: "2026-05-31T00:00:00Z" },
        { version: "v1", createdAt: "2026-05-01T00:00:00Z", expiresAt: "2026-06-10T00:00:00Z" },
      ])
    })
    // A raw call on the binding gets no more: reads refused, and no answer carries key material.
    const product = t.env.LAYERON_SECRET
    for (const reply of [await product.read(tokenUse.declaration.id, { kind: "current" }), await product.read(tokenUse.declaration.id, { kind: "version", id: "v2" }), await product.active(tokenUse.declaration.id)]) {
      assert.equal(reply.ok, false)
      assert.equal(!reply.ok && reply.error.code, "expose_refused")
    }
    const answers = [
      await product.versions(tokenUse.declaration.id),
      await product.use(tokenUse.declaration.id, { helper: "jwt", options: {}, op: "jwks" }),
      await product.use(tokenUse.declaration.id, { helper: "jwt", options: {}, op: "sign", claims: "{}", expiresIn: 60 }),
      await product.use(hookUse.declaration.id, { helper: "hmac", op: "sign", data: new Uint8Array([1]) }),
    ]
    const seen = JSON.stringify(answers)
    for (const text of texts) assert.ok(!seen.includes(JSON.parse(text).d), "no private key member in any answer")
    for (const n of [1, 2]) assert.ok(!seen.includes(bytes(n)), "no HMAC key in any answer")
  })

  it("the wrong helper for the key's kind is a typed error, in the app and on a raw call", async () => {
    const { envelope } = await keyPairEnvelope()
    const t = testSecrets(new Map<SecretModule, unknown>([[tokenUse, envelope], [hookUse, hookEnvelope]]) as never, { now: NOW })
    await t.run(async () => {
      assert.throws(() => hmac(tokenUse as never), (e: unknown) => isSigningError(e) && e.code === "wrong_key_type")
    })
    const raw = await t.env.LAYERON_SECRET.use(tokenUse.declaration.id, { helper: "hmac", op: "sign", data: new Uint8Array([1]) })
    assert.deepEqual(raw.ok && raw.value.ok === false && raw.value.error.code, "wrong_key_type")
    const malformed = await t.env.LAYERON_SECRET.use(hookUse.declaration.id, { helper: "aes", op: "sign" } as never)
    assert.equal(!malformed.ok && malformed.error.code, "product_unavailable")
  })

  it("operations are only for use keys, and only for a backend that registers the key", async () => {
    const t = testSecrets(new Map<SecretModule, unknown>([[hookVersioned, hookEnvelope], [hookUse, hookEnvelope]]) as never, { now: NOW })
    const refused = await t.env.LAYERON_SECRET.use(hookVersioned.declaration.id, { helper: "hmac", op: "sign", data: new Uint8Array([1]) })
    assert.equal(!refused.ok && refused.error.code, "expose_refused")

    const app = { [REGISTERED_MODULES]: [hookVersioned], layeron: { options: { name: "shop" } } }
    const scoped = testSecrets(new Map<SecretModule, unknown>([[hookVersioned, hookEnvelope], [hookUse, hookEnvelope]]) as never, { now: NOW, app })
    await scoped.run(async () => {
      await assert.rejects(hmac(hookUse).sign("x"), (e: unknown) => e instanceof SecretNotRegisteredError)
      await assert.rejects(hookUse.versions(), (e: unknown) => e instanceof SecretNotRegisteredError)
    })
  })
})
