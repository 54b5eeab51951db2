/**
 * Keys stay apart (issue 24): one secret serves hmac() or jwt(), never both; the HS256 key of
 * a secret Layeron generates is derived, so an HMAC over chosen data is not a token even
 * across Workers; jwt() on a static secret needs its algorithm named; RSA keys under 2048
 * bits never sign, verify or publish; the HMAC key memo tells formats apart. Secrets are read
 * through testSecrets (the product's own read path). Each test fails if its defence is removed.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { createHmac, createPrivateKey, generateKeyPairSync, sign as nodeSign } from "node:crypto"
import { randomValue } from "../envelope/encoding.js"
import { secret } from "../secret.js"
import { testSecrets } from "../testing/index.js"
import { generateSigningKey, hmac, isSigningError, jwt, MIN_RSA_BITS, weakKeyProblem } from "./index.js"
import type { SigningErrorCode } from "./index.js"
import { rsaModulusBits } from "./key-strength.js"

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const epoch = () => Math.floor(Date.now() / 1000)
let names = 0
const fresh = (prefix: string) => `${prefix}-${++names}`

function isCode(code: SigningErrorCode, hidden: readonly string[] = []) {
  return (error: unknown) => {
    assert.ok(isSigningError(error), `expected a SigningError, got ${String(error)}`)
    assert.equal(error.code, code, error.message)
    for (const value of hidden) assert.ok(!`${error.message}${JSON.stringify(error)}${error.stack}`.includes(value), "a value appears in the error")
    return true
  }
}

test("key_reuse: a secret given to hmac() cannot be given to jwt(), nor the other way, and the error names both", () => {
  const first = secret.random({ name: fresh("hook"), namespace: "sep" })
  hmac(first)
  hmac(first) // the same purpose again is fine (sender and receiver in one Worker)
  assert.throws(() => jwt(first), (error: unknown) => isCode("key_reuse")(error) && /jwt\(hook-\d+\).*already serves hmac\(hook-\d+\)/.test((error as Error).message))

  const second = secret.random({ name: fresh("tokens"), namespace: "sep" })
  jwt(second)
  assert.throws(() => hmac(second), (error: unknown) => isCode("key_reuse")(error) && /hmac\(tokens-\d+\).*already serves jwt\(tokens-\d+\)/.test((error as Error).message))

  // Declared twice (two modules, one id): still one secret.
  const name = fresh("twice")
  hmac(secret.static({ name, namespace: "sep" }))
  assert.throws(() => jwt(secret.static({ name, namespace: "sep" }), { algorithm: "HS256" }), isCode("key_reuse"))
})

test("the forged-token attack: hmac() over a chosen header.payload is not an HS256 token of the same random secret (its jwt key is derived)", async () => {
  const key = secret.random({ name: fresh("shared"), namespace: "sep" })
  const value = randomValue(32)
  const t = testSecrets(new Map([[key, value]]))
  const tokens = jwt(key)
  // What hmac(key).sign(input) in another Worker (another isolate, where no registry sees jwt()) answers:
  const input = `${b64({ alg: "HS256", typ: "JWT", kid: "v1" })}.${b64({ sub: "admin", iat: epoch(), exp: epoch() + 600 })}`
  const forged = `${input}.${createHmac("sha256", Buffer.from(value, "base64url")).update(input).digest("base64url")}`
  await assert.rejects(t.run(() => tokens.verify(forged)), isCode("invalid_signature", [value]))
  // Its own tokens verify: the refusal is the key, not the token's shape.
  assert.equal((await t.run(async () => tokens.verify(await tokens.sign({ sub: "admin" }, { expiresIn: 600 })))).sub, "admin")
})

test("jwt() on a static secret needs { algorithm: \"HS256\" }: a partner's public key stored there never verifies HMAC tokens made with it", async () => {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString()
  const partner = secret.static({ name: fresh("partner-key"), namespace: "sep" })
  assert.throws(() => jwt(partner), (error: unknown) => isCode("algorithm_required", [pem])(error) && /\{ algorithm: "HS256" \}/.test((error as Error).message))
  for (const algorithm of ["RS256", "ES256", "none", "hs256"]) assert.throws(() => jwt(partner, { algorithm: algorithm as never }), isCode("algorithm_required"))
  // The confusion attack is refused before any key is read, so no token made with the public key can pass.
  const t = testSecrets(new Map([[partner, pem]]))
  assert.equal(await t.run(() => partner.current().text()), pem, "the value is there; only jwt() refuses it")

  // Named: the text's UTF-8 is the key, as the issuer that handed it out signs.
  const idp = secret.static({ name: fresh("idp"), namespace: "sep" })
  const idpTokens = jwt(idp, { algorithm: "HS256" })
  const t2 = testSecrets(new Map([[idp, "idp-shared-CANARY"]]))
  const input = `${b64({ alg: "HS256", kid: "v1" })}.${b64({ sub: "from-idp", exp: epoch() + 60 })}`
  const token = `${input}.${createHmac("sha256", "idp-shared-CANARY").update(input).digest("base64url")}`
  assert.equal((await t2.run(() => idpTokens.verify(token))).sub, "from-idp")
})

test("an algorithm named for a generated secret must be its own", async () => {
  assert.throws(() => jwt(secret.random({ name: fresh("bytes"), namespace: "sep" }), { algorithm: "ES256" }), isCode("algorithm_required"))
  assert.throws(() => jwt(secret.generated({ name: fresh("pair"), namespace: "sep", generate: "ES256" }), { algorithm: "HS256" }), isCode("algorithm_required"))
  assert.equal(jwt(secret.generated({ name: fresh("pair"), namespace: "sep", generate: "EdDSA" }), { algorithm: "EdDSA" }).alg, "EdDSA")
})

test("the HMAC key memo is keyed by text and format: one text as a static (UTF-8) and as a random secret (base64url bytes) gives two keys", async () => {
  const text = randomValue(32)
  const statics = secret.static({ name: fresh("same-text"), namespace: "sep" })
  const random = secret.random({ name: fresh("same-text"), namespace: "sep" })
  const t = testSecrets([[statics, text], [random, text]])
  for (const order of [[random, statics], [statics, random]]) {
    for (const module of order) {
      const { signature } = await t.run(() => hmac(module).sign("payload"))
      const key = module === statics ? Buffer.from(text, "utf8") : Buffer.from(text, "base64url")
      assert.equal(signature, createHmac("sha256", key).update("payload").digest("base64url"), `${module.declaration.kind} signs with its own bytes`)
    }
  }
})

test("RS256 keys under 2048 bits (1024, 512) are weak_key at sign, verify and JWKS, without the key; 2048 passes", async () => {
  for (const bits of [1024, 512]) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: bits })
    const text = JSON.stringify({ ...privateKey.export({ format: "jwk" }), alg: "RS256" })
    const d = JSON.parse(text).d as string
    const weak = secret.generated({ name: fresh("weak"), namespace: "sep", generate: "RS256" })
    const t = testSecrets(new Map([[weak, text]]))
    const tokens = jwt(weak)
    await assert.rejects(t.run(() => tokens.sign({}, { expiresIn: 60 })), (error: unknown) => isCode("weak_key", [d])(error) && new RegExp(`${bits} bits; RS256 needs at least 2048`).test((error as Error).message))
    await assert.rejects(t.run(() => tokens.jwks()), isCode("weak_key", [d]))
    const input = `${b64({ alg: "RS256", kid: "v1" })}.${b64({ sub: "x", exp: epoch() + 60 })}`
    const token = `${input}.${nodeSign("sha256", Buffer.from(input), createPrivateKey({ key: JSON.parse(text), format: "jwk" })).toString("base64url")}`
    await assert.rejects(t.run(() => tokens.verify(token)), isCode("weak_key", [d]))
    assert.equal(weakKeyProblem(weak.declaration, text), `an RSA key of ${bits} bits; RS256 keys must have at least ${MIN_RSA_BITS} bits`)
  }
  const strong = await generateSigningKey("RS256")
  const declaration = secret.generated({ name: fresh("strong"), namespace: "sep", generate: "RS256" })
  assert.equal(weakKeyProblem(declaration.declaration, strong), undefined)
  const t = testSecrets(new Map([[declaration, strong]]))
  const tokens = jwt(declaration)
  assert.equal((await t.run(async () => tokens.verify(await tokens.sign({ sub: "ok" }, { expiresIn: 60 })))).sub, "ok")
})

test("rsaModulusBits agrees with Node's modulusLength; weakKeyProblem speaks only of RS256 key pairs", () => {
  for (const bits of [512, 1024, 2047, 2048, 3072]) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: bits })
    assert.equal(rsaModulusBits(privateKey.export({ format: "jwk" }).n), privateKey.asymmetricKeyDetails!.modulusLength)
  }
  assert.equal(rsaModulusBits("not base64url!"), undefined)
  assert.equal(rsaModulusBits(Buffer.from([0, 0, 1]).toString("base64url")), 1, "leading zero bytes do not count")
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 })
  const weak = JSON.stringify(privateKey.export({ format: "jwk" }))
  assert.equal(weakKeyProblem({ generate: "ES256" }, weak), undefined)
  assert.equal(weakKeyProblem({}, weak), undefined)
  assert.equal(weakKeyProblem({ generate: "RS256" }, "not json"), undefined, "not a JWK: invalid_key at read, not this check's business")
})
