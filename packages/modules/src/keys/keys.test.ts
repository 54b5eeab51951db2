/**
 * The signing helpers in Node: HMAC and JWT against Node's own crypto (createHmac, and
 * crypto.verify from the JWKS alone), every bad input refused with its code, and no key in
 * any message. The secrets are in-memory envelopes, selected with the envelope's own rules
 * and read through the runtime's own value readers (the workerd suite and the e2e test run
 * the real product path).
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { createHmac, createPublicKey, hkdfSync, verify as nodeVerify } from "node:crypto"
import { encodeBase64Url, randomValue } from "../envelope/encoding.js"
import { generateSigningKey, hmac, isSigningError, jwt } from "./index.js"
import type { SigningErrorCode } from "./index.js"
import { HS256_DERIVATION_INFO } from "./jwt.js"
import { normalize } from "../declare/rules.js"
import type { SecretKind } from "../declare/types.js"
import { selectActive, selectCurrent, selectVersion } from "../envelope/select.js"
import type { Envelope, Selection } from "../envelope/types.js"
import { isSecretError, ProductUnavailableError, UnknownVersionError, VersionExpiredError } from "../runtime/errors.js"
import { resolvedVersion, secretValue } from "../runtime/value.js"
import type { SigningSecret } from "./source.js"

/** A signing secret over an envelope held in memory (swap `envelope` to move time or rotate). */
interface MemorySecret extends SigningSecret {
  envelope: Envelope
}

function memorySecret(kind: SecretKind, options: Record<string, unknown>, envelope: Envelope): MemorySecret {
  const declaration = normalize(kind, options)
  const { id, format } = declaration
  const wire = (selection: Selection) => {
    if (!selection.ok) {
      const details = { secretId: id, versionId: selection.versionId, message: `${selection.code} (${id})` }
      throw selection.code === "version_expired" ? new VersionExpiredError(details) : new UnknownVersionError(details)
    }
    const { version } = selection
    return { version: selection.id, value: version.value!, ...(version.createdAt ? { createdAt: version.createdAt } : {}), ...(version.expiresAt ? { expiresAt: version.expiresAt } : {}) }
  }
  const secret: MemorySecret = {
    declaration,
    envelope,
    current: () => secretValue(id, format, async () => wire(selectCurrent(secret.envelope, new Date()))),
    version: (versionId) => secretValue(id, format, async () => wire(selectVersion(secret.envelope, versionId, new Date()))),
    active: async () => selectActive(secret.envelope, new Date()).map((a) => resolvedVersion(id, format, wire({ ok: true, id: a.id, version: a.version }))),
  }
  return secret
}

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

let byteSecrets = 0

/** A fresh byte secret; each has its own name, since one secret may serve hmac() or jwt(), not both. */
function byteSecret(kind: "random" | "generated" | "static" = "random") {
  const now = Date.now()
  const values = { v1: randomValue(32), v2: randomValue(32), v3: randomValue(32) }
  const envelope: Envelope = {
    current: "v3",
    versions: {
      v1: { value: values.v1, createdAt: iso(now - 60 * DAY), expiresAt: iso(now - DAY) },
      v2: { value: values.v2, createdAt: iso(now - 30 * DAY), expiresAt: iso(now + DAY) },
      v3: { value: values.v3, createdAt: iso(now - DAY) },
    },
  }
  return { secret: memorySecret(kind, { name: `webhook-key-${++byteSecrets}`, namespace: "hooks" }, envelope), values }
}

async function keyPairSecret(alg: "ES256" | "EdDSA" | "RS256") {
  const now = Date.now()
  const [v1, v2, v3] = await Promise.all([generateSigningKey(alg), generateSigningKey(alg), generateSigningKey(alg)])
  const envelope: Envelope = {
    current: "v2",
    versions: {
      v1: { value: v1, createdAt: iso(now - 30 * DAY), expiresAt: iso(now + DAY) },
      v2: { value: v2, createdAt: iso(now - DAY) },
      v3: { value: v3 },
    },
  }
  return { secret: memorySecret("generated", { name: "jwt-key", namespace: "auth", generate: alg }, envelope), texts: [v1, v2, v3] }
}

async function refuses(promise: Promise<unknown>, code: SigningErrorCode, secrets: readonly string[] = []) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isSigningError(error), `expected a SigningError, got ${String(error)}`)
    assert.equal(error.code, code, error.message)
    for (const value of secrets) {
      assert.ok(!error.message.includes(value) && !JSON.stringify(error).includes(value) && !String(error.stack).includes(value), "a key or token appears in the error")
    }
    return true
  })
}

function b64json(value: unknown): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)))
}

test("hmac().sign is HMAC-SHA-256 with current(), base64url, kid = the version; Node's createHmac agrees", async () => {
  const { secret, values } = byteSecret()
  const { signature, kid } = await hmac(secret).sign("order 42 paid")
  assert.equal(kid, "v3")
  assert.equal(signature, createHmac("sha256", Buffer.from(values.v3, "base64url")).update("order 42 paid").digest("base64url"))
  const bytes = new TextEncoder().encode("bytes too")
  assert.equal((await hmac(secret).sign(bytes)).signature, createHmac("sha256", Buffer.from(values.v3, "base64url")).update(bytes).digest("base64url"))
})

test("hmac().verify: the named version, or every active one; expired, unknown and tampered are { valid: false }", async () => {
  const { secret, values } = byteSecret()
  const signer = hmac(secret)
  const byV2 = createHmac("sha256", Buffer.from(values.v2, "base64url")).update("body").digest("base64url")
  const byV1 = createHmac("sha256", Buffer.from(values.v1, "base64url")).update("body").digest("base64url")
  assert.deepEqual(await signer.verify("body", byV2), { valid: true, kid: "v2" })
  assert.deepEqual(await signer.verify("body", byV2, "v2"), { valid: true, kid: "v2" })
  assert.deepEqual(await signer.verify("body", byV2, "v3"), { valid: false }, "the wrong kid")
  assert.deepEqual(await signer.verify("body", byV1), { valid: false }, "v1 expired")
  assert.deepEqual(await signer.verify("body", byV1, "v1"), { valid: false }, "v1 expired, named")
  assert.deepEqual(await signer.verify("body", byV2, "v9"), { valid: false }, "unknown kid")
  assert.deepEqual(await signer.verify("body", byV2, "../v2"), { valid: false }, "not a version id")
  assert.deepEqual(await signer.verify("bodY", byV2), { valid: false }, "tampered data")
  assert.deepEqual(await signer.verify("body", byV2.slice(0, -1) + (byV2.endsWith("A") ? "B" : "A")), { valid: false }, "tampered signature")
  assert.deepEqual(await signer.verify("body", "not base64url!"), { valid: false })
  assert.deepEqual(await signer.verify("body", ""), { valid: false })
  const own = await signer.sign("body")
  assert.deepEqual(await signer.verify("body", own.signature, own.kid), { valid: true, kid: "v3" })
})

test("hmac() on a static secret signs with its UTF-8; on a key pair it is refused (wrong_key_type)", async () => {
  const statics = memorySecret("static", { name: "whsec" }, { current: "v1", versions: { v1: { value: "whsec_CANARY_1234" } } })
  assert.equal((await hmac(statics).sign("x")).signature, createHmac("sha256", "whsec_CANARY_1234").update("x").digest("base64url"))
  const { secret } = await keyPairSecret("ES256")
  assert.throws(() => hmac(secret), (error: unknown) => isSigningError(error) && error.code === "wrong_key_type" && /jwt\(jwt-key\)/.test(error.message))
})

for (const alg of ["ES256", "EdDSA", "RS256"] as const) {
  test(`jwt ${alg}: the header carries alg and kid; Node's crypto verifies the token from the JWKS alone`, async () => {
    const { secret, texts } = await keyPairSecret(alg)
    const tokens = jwt(secret, { issuer: "https://shop.example", audience: "shop-api" })
    const token = await tokens.sign({ sub: "user-7" }, { expiresIn: "15m" })
    const [h, p, s] = token.split(".") as [string, string, string]
    const header = JSON.parse(Buffer.from(h, "base64url").toString())
    assert.deepEqual(header, { alg, typ: "JWT", kid: "v2" })
    const claims = JSON.parse(Buffer.from(p, "base64url").toString())
    assert.equal(claims.exp - claims.iat, 900)
    assert.equal(claims.iss, "https://shop.example")

    const jwks = await tokens.jwks()
    assert.deepEqual(jwks.keys.map((k) => k.kid), ["v2", "v1", "v3"], "current, then the others newest first (the undated next key counts as oldest)")
    for (const key of jwks.keys) {
      assert.equal(key.alg, alg)
      assert.equal(key.use, "sig")
      for (const member of ["d", "p", "q", "dp", "dq", "qi"]) assert.equal(key[member], undefined, `public JWK has ${member}`)
    }
    const json = JSON.stringify(jwks)
    for (const text of texts) assert.ok(!json.includes(JSON.parse(text).d), "a private member is published")

    // An independent verifier: Node's crypto, the JWKS only.
    const jwk = jwks.keys.find((k) => k.kid === header.kid)!
    const publicKey = createPublicKey({ key: jwk, format: "jwk" })
    const data = Buffer.from(`${h}.${p}`)
    const signature = Buffer.from(s, "base64url")
    const ok = alg === "ES256"
      ? nodeVerify("sha256", data, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature)
      : nodeVerify(alg === "EdDSA" ? null : "sha256", data, publicKey, signature)
    assert.ok(ok, "Node's crypto verifies the token")

    assert.equal((await tokens.verify(token)).sub, "user-7")
  })
}

test("jwt HS256 on a random secret: the key is HKDF-SHA-256 of its bytes (Node's hkdfSync + createHmac agree); jwks() and jwksHandler() are refused", async () => {
  const { secret, values } = byteSecret()
  const tokens = jwt(secret)
  assert.equal(tokens.alg, "HS256")
  const token = await tokens.sign({ sub: "s1" }, { expiresIn: 60 })
  const [h, p, s] = token.split(".") as [string, string, string]
  const derived = Buffer.from(hkdfSync("sha256", Buffer.from(values.v3, "base64url"), Buffer.alloc(0), HS256_DERIVATION_INFO, 32))
  assert.equal(s, createHmac("sha256", derived).update(`${h}.${p}`).digest("base64url"))
  assert.notEqual(s, createHmac("sha256", Buffer.from(values.v3, "base64url")).update(`${h}.${p}`).digest("base64url"), "the HS256 key is not the raw bytes")
  assert.equal((await tokens.verify(token)).sub, "s1")
  await refuses(tokens.jwks(), "wrong_key_type")
  assert.throws(() => tokens.jwksHandler(), (error: unknown) => isSigningError(error) && error.code === "wrong_key_type")
  const statics = memorySecret("static", { name: "legacy" }, { current: "v1", versions: { v1: { value: "x".repeat(32) } } })
  await refuses(jwt(statics, { algorithm: "HS256" }).jwks(), "wrong_key_type")
})

test("jwt HS256 on a static secret named { algorithm: \"HS256\" }: the key is its UTF-8, as the issuer that handed it out signs", async () => {
  const statics = memorySecret("static", { name: "idp-secret" }, { current: "v1", versions: { v1: { value: "idp-shared-CANARY" } } })
  const tokens = jwt(statics, { algorithm: "HS256" })
  const token = await tokens.sign({ sub: "s1" }, { expiresIn: 60 })
  const [h, p, s] = token.split(".") as [string, string, string]
  assert.equal(s, createHmac("sha256", "idp-shared-CANARY").update(`${h}.${p}`).digest("base64url"))
})

test("jwt().verify refuses every bad token with its code and never shows the key or the token", async () => {
  const { secret, texts } = await keyPairSecret("ES256")
  const tokens = jwt(secret, { issuer: "iss-a", audience: "aud-a" })
  const good = await tokens.sign({ sub: "u" }, { expiresIn: "1h" })
  const [h, p, s] = good.split(".") as [string, string, string]
  const header = JSON.parse(Buffer.from(h, "base64url").toString())
  const claims = JSON.parse(Buffer.from(p, "base64url").toString())
  const privateDs = texts.map((t) => JSON.parse(t).d as string)
  const hidden = [...privateDs, good, s]
  const resign = async (newHeader: unknown, newClaims: unknown) => {
    // Signed for real with the current key (v2), so only the field under test is wrong.
    const signingInput = `${b64json(newHeader)}.${b64json(newClaims)}`
    const { subtle } = globalThis.crypto
    const { alg: _alg, ...jwk } = JSON.parse(texts[1]!)
    const key = await subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])
    const sig = new Uint8Array(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, new TextEncoder().encode(signingInput)))
    return `${signingInput}.${encodeBase64Url(sig)}`
  }

  await refuses(tokens.verify("garbage"), "invalid_token", hidden)
  await refuses(tokens.verify(`${h}.${p}`), "invalid_token", hidden)
  await refuses(tokens.verify(`!!.${p}.${s}`), "invalid_token", hidden)
  await refuses(tokens.verify(`${b64json({ alg: "none", kid: "v2" })}.${p}.`), "invalid_token", hidden)
  await refuses(tokens.verify(`${b64json({ alg: "HS256", kid: "v2" })}.${p}.${s}`), "alg_mismatch", hidden)
  await refuses(tokens.verify(`${b64json({ alg: "RS256", kid: "v2" })}.${p}.${s}`), "alg_mismatch", hidden)
  await refuses(tokens.verify(await resign({ alg: "ES256" }, claims)), "invalid_token", hidden)
  await refuses(tokens.verify(`${b64json({ ...header, kid: "v9" })}.${p}.${s}`), "unknown_kid", hidden)
  await refuses(tokens.verify(`${b64json({ ...header, kid: "<script>" })}.${p}.${s}`), "unknown_kid", hidden)
  await refuses(tokens.verify(`${h}.${b64json({ ...claims, sub: "admin" })}.${s}`), "invalid_signature", hidden)
  await refuses(tokens.verify(`${b64json({ ...header, kid: "v1" })}.${p}.${s}`), "invalid_signature", hidden)
  await refuses(tokens.verify(await resign(header, { ...claims, exp: Math.floor(Date.now() / 1000) - 10 })), "token_expired", hidden)
  await refuses(tokens.verify(await resign(header, { ...claims, exp: undefined })), "invalid_token", hidden)
  await refuses(tokens.verify(await resign(header, { ...claims, nbf: Math.floor(Date.now() / 1000) + 3600 })), "token_not_yet_valid", hidden)
  await refuses(tokens.verify(await resign(header, { ...claims, iss: "iss-b" })), "invalid_issuer", hidden)
  await refuses(tokens.verify(await resign(header, { ...claims, aud: ["aud-b"] })), "invalid_audience", hidden)
  assert.equal((await tokens.verify(await resign(header, { ...claims, aud: ["aud-b", "aud-a"] }))).sub, "u")

  // A kid whose version has expired since the token was signed.
  secret.envelope = { ...secret.envelope, versions: { ...secret.envelope.versions, v1: { ...secret.envelope.versions.v1!, expiresAt: iso(Date.now() - 1000) } } }
  const oldToken = await resign({ ...header, kid: "v1" }, claims)
  await refuses(tokens.verify(oldToken), "unknown_kid", hidden)
})

test("a version that does not hold a key of the declared algorithm is invalid_key, without its text", async () => {
  const secret = memorySecret("generated", { name: "jwt-key", generate: "EdDSA" }, { current: "v1", versions: { v1: { value: '{"kty":"oct","k":"CANARY_not_a_pair"}' } } })
  await refuses(jwt(secret).sign({}, { expiresIn: 60 }), "invalid_key", ["CANARY_not_a_pair"])
  await refuses(jwt(secret).jwks(), "invalid_key", ["CANARY_not_a_pair"])
})

test("expiresIn: seconds or s/m/h/d durations; anything else is a TypeError naming the option", async () => {
  const { secret } = byteSecret()
  const tokens = jwt(secret)
  for (const [expiresIn, seconds] of [[30, 30], ["45s", 45], ["15m", 900], ["1h", 3600], ["7d", 604800]] as const) {
    const claims = await tokens.verify(await tokens.sign({}, { expiresIn }))
    assert.equal(claims.exp - claims.iat, seconds)
  }
  for (const bad of [0, -5, 1.5, "15 minutes", "1w", "", undefined]) {
    await assert.rejects(tokens.sign({}, { expiresIn: bad as never }), /expiresIn must be/)
  }
})

test("jwksHandler() answers the JWKS with Cache-Control max-age (default 300), and a typed 503 on failure", async () => {
  const { secret } = await keyPairSecret("ES256")
  const response = await jwt(secret).jwksHandler()()
  assert.equal(response.status, 200)
  assert.equal(response.headers.get("cache-control"), "public, max-age=300")
  assert.deepEqual(((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid), ["v2", "v1", "v3"])
  assert.equal((await jwt(secret).jwksHandler({ maxAgeSeconds: 60 })()).headers.get("cache-control"), "public, max-age=60")
  assert.throws(() => jwt(secret).jwksHandler({ maxAgeSeconds: 86_401 }), /maxAgeSeconds/)
  secret.envelope = { current: "v1", versions: { v1: { value: "{}" } } }
  const failed = await jwt(secret).jwksHandler()()
  assert.equal(failed.status, 503)
  assert.equal(failed.headers.get("cache-control"), "no-store")
  assert.deepEqual(await failed.json(), { error: "invalid_key" })
})

test("a failure of the secret itself is not a bad token: product_unavailable surfaces as the runtime's typed error", async () => {
  const { secret } = byteSecret()
  const token = await jwt(secret).sign({}, { expiresIn: 60 })
  const down = { ...secret, version: () => secretValue(secret.declaration.id, "base64url", async () => { throw new ProductUnavailableError({ secretId: secret.declaration.id, message: "the product is unreachable" }) }) }
  await assert.rejects(jwt(down).verify(token), (error: unknown) => isSecretError(error) && error.code === "product_unavailable")
  const hooks = byteSecret().secret
  const hooksDown = { ...hooks, version: () => secretValue(hooks.declaration.id, "base64url", async () => { throw new ProductUnavailableError({ secretId: hooks.declaration.id, message: "the product is unreachable" }) }) }
  await assert.rejects(hmac(hooksDown).verify("x", "A".repeat(43), "v3"), (error: unknown) => isSecretError(error) && error.code === "product_unavailable")
})
