/**
 * jwt().verify's checks beyond the signature (issue 24): RFC 7515 `crit` and `b64`, numeric
 * `exp`/`nbf`/`iat`, `typ`, `subject`, `audience` lists, `maxTokenAge`, `requiredClaims`, and
 * the clock: inside `testSecrets().run()` the test's `now`/`setNow` is the time tokens are
 * issued and checked at. Every bad token is validly signed, so only the field under test is
 * wrong, and each is refused with its code and without the key.
 */
import { describe, it } from "node:test"
import assert from "node:assert/strict"
import { createPrivateKey, sign as nodeSign } from "node:crypto"
import { secret } from "../secret.js"
import { testSecrets } from "../testing/index.js"
import { generateSigningKey, isSigningError, jwt } from "./index.js"
import type { JwtOptions, SigningErrorCode } from "./index.js"

const NOW = "2026-06-01T00:00:00Z"
const NOW_S = Date.parse(NOW) / 1000
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
let names = 0

async function setup(options: JwtOptions = {}) {
  const module = secret.generated({ name: `checks-${++names}`, namespace: "jwt", generate: "ES256" })
  const text = await generateSigningKey("ES256")
  const t = testSecrets(new Map([[module, text]]), { now: NOW })
  const tokens = jwt(module, options)
  const key = createPrivateKey({ key: JSON.parse(text), format: "jwk" })
  const d = JSON.parse(text).d as string
  /** A token signed with the stored key: header and claims exactly as given over the defaults. */
  const forge = (header: Record<string, unknown>, claims: Record<string, unknown>, payloadPart?: string) => {
    const input = `${b64({ alg: "ES256", kid: "v1", ...header })}.${payloadPart ?? b64({ sub: "alice", iat: NOW_S, exp: NOW_S + 3600, ...claims })}`
    return `${input}.${nodeSign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }).toString("base64url")}`
  }
  const verify = (token: string, verifyOptions?: Parameters<typeof tokens.verify>[1]) => t.run(() => tokens.verify(token, verifyOptions))
  const refused = async (token: string, code: SigningErrorCode, verifyOptions?: Parameters<typeof tokens.verify>[1]) => {
    await assert.rejects(verify(token, verifyOptions), (error: unknown) => {
      assert.ok(isSigningError(error), String(error))
      assert.equal(error.code, code, error.message)
      assert.ok(!`${error.message}${JSON.stringify(error)}${error.stack}`.includes(d), "the key appears in the error")
      assert.ok(!error.message.includes(token.split(".")[2]!), "the signature appears in the error")
      return true
    })
  }
  return { t, tokens, forge, verify, refused }
}

describe("crit and b64 (RFC 7515 §4.1.11, RFC 7797)", () => {
  it("refuses crit: [], crit: [\"x\"], a malformed or duplicated crit, a crit name the header lacks, and b64: false anywhere", async () => {
    const { forge, verify, refused } = await setup()
    assert.equal((await verify(forge({}, {}))).sub, "alice", "the control token verifies")
    await refused(forge({ crit: [] }, {}), "invalid_token")
    await refused(forge({ crit: ["x"], x: true }, {}), "invalid_token")
    await refused(forge({ crit: ["exp"], exp: 1 }, {}), "invalid_token")
    await refused(forge({ crit: "b64", b64: true }, {}), "invalid_token")
    await refused(forge({ crit: [""] }, {}), "invalid_token")
    await refused(forge({ crit: ["b64", "b64"], b64: true }, {}), "invalid_token")
    await refused(forge({ crit: ["b64"] }, {}), "invalid_token")
    await refused(forge({ crit: ["b64"], b64: false }, {}), "invalid_token")
    await refused(forge({ b64: false }, {}), "invalid_token")
    await refused(forge({ b64: "false" }, {}), "invalid_token")
    // The one extension understood, with its default value: accepted, as jose accepts it.
    assert.equal((await verify(forge({ crit: ["b64"], b64: true }, {}))).sub, "alice")
  })
})

describe("numeric dates", () => {
  it("refuses iat: \"soon\", a string exp, a null nbf and an exp of 1e400 (Infinity) as invalid_claim; a missing exp stays invalid_token", async () => {
    const { forge, refused } = await setup()
    await refused(forge({}, { iat: "soon" }), "invalid_claim")
    await refused(forge({}, { exp: String(NOW_S + 3600) }), "invalid_claim")
    await refused(forge({}, { nbf: null }), "invalid_claim")
    const payload = Buffer.from(`{"sub":"alice","iat":${NOW_S},"exp":1e400}`).toString("base64url")
    await refused(forge({}, {}, payload), "invalid_claim")
    await refused(forge({}, { exp: undefined }), "invalid_token")
  })

  it("refuses a payload that is not UTF-8 (a lone 0xff byte), as jose does", async () => {
    const { forge, verify, refused } = await setup()
    const valid = Buffer.from(`{"sub":"alice","exp":${NOW_S + 3600},"name":"`)
    const payload = (bytes: number[]) => Buffer.concat([valid, Buffer.from(bytes), Buffer.from('"}')]).toString("base64url")
    assert.equal((await verify(forge({}, {}, payload([0xc3, 0xa9])))).name, "é", "the control payload (well-formed UTF-8) verifies")
    await refused(forge({}, {}, payload([0xff])), "invalid_token")
  })
})

describe("the clock testSecrets drives", () => {
  it("iat and exp are the test's now; setNow past exp expires the token; nbf waits for the test's clock", async () => {
    const { t, tokens, forge, verify, refused } = await setup()
    const token = await t.run(() => tokens.sign({ sub: "alice" }, { expiresIn: "1h" }))
    const claims = await verify(token)
    assert.deepEqual([claims.iat, claims.exp], [NOW_S, NOW_S + 3600], "issued at the test's now, not the machine's")
    t.setNow(new Date((NOW_S + 3599) * 1000))
    assert.equal((await verify(token)).sub, "alice")
    t.setNow(new Date((NOW_S + 3600) * 1000))
    await refused(token, "token_expired")

    t.setNow(NOW)
    const later = forge({}, { nbf: NOW_S + 600, exp: NOW_S + 7200 })
    await refused(later, "token_not_yet_valid")
    t.setNow(new Date((NOW_S + 600) * 1000))
    assert.equal((await verify(later)).sub, "alice")
  })

  it("maxTokenAge is judged at the test's clock, widened by clockToleranceSeconds; iat is then required and not in the future", async () => {
    const { t, forge, verify, refused } = await setup({ maxTokenAge: "30m", clockToleranceSeconds: 10 })
    const token = forge({}, { iat: NOW_S, exp: NOW_S + 86_400 })
    t.setNow(new Date((NOW_S + 1800 + 10) * 1000))
    assert.equal((await verify(token)).sub, "alice")
    t.setNow(new Date((NOW_S + 1800 + 11) * 1000))
    await refused(token, "token_expired")
    await refused(forge({}, { iat: undefined, exp: NOW_S + 86_400 }), "missing_claim")
    t.setNow(NOW)
    await refused(forge({}, { iat: NOW_S + 11 }), "invalid_claim")
    assert.equal((await verify(forge({}, { iat: NOW_S + 10 }))).sub, "alice", "within the tolerance")
  })
})

describe("typ, subject, audience, requiredClaims", () => {
  it("typ: signs with it and requires it, compared as jose does (case, application/ implied)", async () => {
    const { t, tokens, forge, verify, refused } = await setup({ typ: "at+jwt" })
    const token = await t.run(() => tokens.sign({ sub: "alice" }, { expiresIn: 60 }))
    assert.equal(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).typ, "at+jwt")
    assert.equal((await verify(token)).sub, "alice")
    assert.equal((await verify(forge({ typ: "application/AT+JWT" }, {}))).sub, "alice")
    await refused(forge({ typ: "JWT" }, {}), "invalid_type")
    await refused(forge({}, {}), "invalid_type")
  })

  it("subject per verify() call: a different sub is invalid_subject, none is missing_claim", async () => {
    const { forge, verify, refused } = await setup()
    assert.equal((await verify(forge({}, {}), { subject: "alice" })).sub, "alice")
    await refused(forge({}, {}), "invalid_subject", { subject: "bob" })
    await refused(forge({}, { sub: undefined }), "missing_claim", { subject: "alice" })
  })

  it("audience as a list: the token's aud (string or list) must hold one of them; signing sets the list", async () => {
    const { t, tokens, forge, verify, refused } = await setup({ audience: ["api", "admin"] })
    const token = await t.run(() => tokens.sign({}, { expiresIn: 60 }))
    assert.deepEqual(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).aud, ["api", "admin"])
    assert.ok(await verify(token))
    assert.ok(await verify(forge({}, { aud: "admin" })))
    assert.ok(await verify(forge({}, { aud: ["other", "api"] })))
    await refused(forge({}, { aud: "other" }), "invalid_audience")
    await refused(forge({}, { aud: ["other"] }), "invalid_audience")
    await refused(forge({}, {}), "missing_claim")
    assert.ok(await verify(forge({}, { aud: "other" }), { audience: "other" }), "a verify() option replaces the jwt() one")
  })

  it("requiredClaims: each must be present", async () => {
    const { forge, verify, refused } = await setup({ requiredClaims: ["jti", "scope"] })
    assert.ok(await verify(forge({}, { jti: "1", scope: "" })))
    await refused(forge({}, { jti: "1" }), "missing_claim")
  })

  it("bad options are TypeErrors naming the option", async () => {
    const module = secret.generated({ name: `options-${++names}`, namespace: "jwt", generate: "ES256" })
    for (const [options, pattern] of [
      [{ audience: [] }, /audience must be/],
      [{ audience: [""] }, /audience must be/],
      [{ subject: 7 }, /subject must be/],
      [{ typ: "" }, /typ must be/],
      [{ maxTokenAge: "1w" }, /maxTokenAge must be/],
      [{ requiredClaims: "jti" }, /requiredClaims must be/],
      [{ issuer: 1 }, /issuer must be/],
    ] as const) {
      assert.throws(() => jwt(module, options as never), pattern)
    }
    const { verify } = await setup()
    await assert.rejects(verify("a.b.c", { maxTokenAge: -1 }), /maxTokenAge must be/)
  })
})
