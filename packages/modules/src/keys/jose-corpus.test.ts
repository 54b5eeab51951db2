/**
 * A corpus of tokens verified by jwt().verify and by jose's jwtVerify, with the same key,
 * the same options and the same instant. Where they disagree, the case names the reason,
 * which docs/signing-keys.md lists ("Where jose and jwt() disagree"); every listed
 * disagreement is one where jwt() refuses and jose accepts, never the other way. A new
 * disagreement, or one that goes away, fails here. CORPUS_DEBUG=1 prints each verdict.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign } from "node:crypto"
import { readFileSync } from "node:fs"
import { jwtVerify } from "jose"
import { secret } from "../secret.js"
import { testSecrets } from "../testing/index.js"
import { generateSigningKey, jwt } from "./index.js"
import type { JwtVerifyOptions } from "./index.js"

const NOW = "2026-06-01T00:00:00Z"
const NOW_S = Date.parse(NOW) / 1000
const ISSUER = "https://issuer.example"

/** Why jwt() refuses a token jose accepts; each is a row of the table in docs/signing-keys.md. */
const DISAGREEMENTS = {
  "exp-required": "no `exp`",
  "kid-version": "no `kid`, or a `kid` that is not an active version",
  "crit-duplicate": "a name twice in `crit`",
  "b64-outside-crit": "`b64: false` outside `crit`",
  "finite-dates": "`exp`, `nbf` or `iat` of `1e400`",
} as const
type Disagreement = keyof typeof DISAGREEMENTS

interface Case {
  name: string
  key?: "ES256" | "RS1024" | "HS256"
  header?: Record<string, unknown>
  claims?: Record<string, unknown>
  /** The payload part as is (for JSON that JSON.stringify cannot write). */
  payloadPart?: string
  /** The header part as is. */
  headerPart?: string
  /** Change the signed token (a payload swapped after signing). */
  tamper?: (token: string) => string
  /** Replace the signature part, or the whole token. */
  signature?: (signature: string, input: string) => string
  token?: string
  options?: JwtVerifyOptions & { clockTolerance?: number }
  /** The documented reason, when jwt() refuses what jose accepts. */
  disagree?: Disagreement
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const raw = (text: string) => Buffer.from(text).toString("base64url")
const flip = (s: string) => s.slice(0, 10) + (s[10] === "A" ? "B" : "A") + s.slice(11)

const CASES: Case[] = [
  { name: "a valid token" },
  { name: "a valid token, aud in a list", claims: { aud: ["x", "api"] }, options: { audience: "api" } },
  { name: "alg none, no signature", header: { alg: "none" }, signature: () => "" },
  { name: "alg RS256 on an ES256 signature", header: { alg: "RS256" } },
  { name: "alg HS256 keyed with the public JWK's text (key confusion)", header: { alg: "HS256" }, signature: (_s, input) => createHmac("sha256", JSON.stringify(keys.publicJwk)).update(input).digest("base64url") },
  { name: "a tampered payload", tamper: (token) => token.replace(/\.[^.]+\./, `.${b64({ sub: "admin", iss: ISSUER, aud: "api", iat: NOW_S, exp: NOW_S + 600 })}.`) },
  { name: "a tampered signature", signature: flip },
  { name: "a DER signature (not JWS's r||s)", signature: (_s, input) => nodeSign("sha256", Buffer.from(input), keys.es256Private).toString("base64url") },
  { name: "four parts", token: "a.b.c.d" },
  { name: "a header that is a JSON array", header: undefined, token: `${raw("[1]")}.${b64({ exp: NOW_S + 60 })}.AAAA` },
  { name: "a payload that is a JSON array", payloadPart: raw("[1]") },
  { name: "a payload that is not JSON", payloadPart: raw("{sub:") },
  { name: "a payload that is not UTF-8", payloadPart: Buffer.concat([Buffer.from(`{"exp":${NOW_S + 60},"n":"`), Buffer.from([0xff]), Buffer.from('"}')]).toString("base64url") },
  { name: "a header with an embedded attacker jwk (ignored, the key is ours)", header: { jwk: { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" } } },
  { name: "an unknown header member", header: { "x-extra": true } },
  { name: "a header JSON with spaces", headerPart: raw('{ "alg" : "ES256" ,\n "kid" : "v1" }') },
  { name: "exp exactly now", claims: { exp: NOW_S } },
  { name: "exp a second from now", claims: { exp: NOW_S + 1 } },
  { name: "exp 10 s past, tolerance 30 s", claims: { exp: NOW_S - 10 }, options: { clockTolerance: 30 } },
  { name: "nbf a second ahead", claims: { nbf: NOW_S + 1 } },
  { name: "nbf exactly now", claims: { nbf: NOW_S } },
  { name: "no exp", claims: { exp: undefined }, disagree: "exp-required" },
  { name: "no kid", header: { kid: undefined }, disagree: "kid-version" },
  { name: "a kid that is not a version id", header: { kid: "../etc/passwd" }, disagree: "kid-version" },
  { name: "a kid of no version", header: { kid: "v9" }, disagree: "kid-version" },
  { name: "crit: []", header: { crit: [] } },
  { name: "crit: [\"x\"]", header: { crit: ["x"], x: 1 } },
  { name: "crit: [\"b64\"] with b64: false", header: { crit: ["b64"], b64: false } },
  { name: "crit: [\"b64\"] with b64: true", header: { crit: ["b64"], b64: true } },
  { name: "crit: [\"b64\"] without b64", header: { crit: ["b64"] } },
  { name: "crit: [\"b64\", \"b64\"]", header: { crit: ["b64", "b64"], b64: true }, disagree: "crit-duplicate" },
  { name: "b64: false outside crit", header: { b64: false }, disagree: "b64-outside-crit" },
  { name: "iat: \"soon\"", claims: { iat: "soon" } },
  { name: "exp: \"later\"", claims: { exp: "later" } },
  { name: "nbf: null", claims: { nbf: null } },
  { name: "exp: 1e400", payloadPart: raw(`{"iss":"${ISSUER}","exp":1e400}`), disagree: "finite-dates" },
  { name: "iss another issuer", claims: { iss: "https://evil.example" } },
  { name: "no iss", claims: { iss: undefined } },
  { name: "aud another audience", claims: { aud: "other" }, options: { audience: ["api", "web"] } },
  { name: "no aud", claims: { aud: undefined }, options: { audience: "api" } },
  { name: "sub another subject", claims: { sub: "bob" }, options: { subject: "alice" } },
  { name: "no sub", claims: { sub: undefined }, options: { subject: "alice" } },
  { name: "typ JWT where at+jwt is asked", header: { typ: "JWT" }, options: { typ: "at+jwt" } },
  { name: "typ application/at+jwt where at+jwt is asked", header: { typ: "application/at+jwt" }, options: { typ: "at+jwt" } },
  { name: "no typ where one is asked", options: { typ: "JWT" } },
  { name: "iat 31 min old, maxTokenAge 30 min", claims: { iat: NOW_S - 1860 }, options: { maxTokenAge: 1800 } },
  { name: "iat 29 min old, maxTokenAge 30 min", claims: { iat: NOW_S - 1740 }, options: { maxTokenAge: 1800 } },
  { name: "no iat, maxTokenAge", claims: { iat: undefined }, options: { maxTokenAge: 1800 } },
  { name: "iat a minute ahead, maxTokenAge", claims: { iat: NOW_S + 60 }, options: { maxTokenAge: 1800 } },
  { name: "a required claim missing", options: { requiredClaims: ["jti"] } },
  { name: "required claims present", claims: { jti: "1" }, options: { requiredClaims: ["jti"] } },
  { name: "RS256 with a 1024-bit key", key: "RS1024", header: { alg: "RS256" } },
  { name: "HS256 with a static secret's UTF-8", key: "HS256", header: { alg: "HS256" } },
  { name: "HS256 tampered", key: "HS256", header: { alg: "HS256" }, signature: flip },
]

let keys: Awaited<ReturnType<typeof makeKeys>>

async function makeKeys() {
  const es256Text = await generateSigningKey("ES256")
  const { alg: _alg, d: _d, ...publicJwk } = JSON.parse(es256Text) as Record<string, string>
  const weak = generateKeyPairSync("rsa", { modulusLength: 1024 })
  return {
    es256Text,
    publicJwk,
    es256Private: createPrivateKey({ key: JSON.parse(es256Text), format: "jwk" }),
    es256Public: createPublicKey({ key: publicJwk, format: "jwk" }),
    weakText: JSON.stringify({ ...weak.privateKey.export({ format: "jwk" }), alg: "RS256" }),
    weak,
    hs256: "a-static-secret-from-an-identity-provider",
  }
}

function tokenOf(c: Case): string {
  if (c.token !== undefined) return c.token
  const key = c.key ?? "ES256"
  const header: Record<string, unknown> = { alg: "ES256", typ: undefined, kid: "v1", ...c.header }
  const claims = { sub: "alice", iss: ISSUER, aud: "api", iat: NOW_S, exp: NOW_S + 600, ...c.claims }
  const input = `${c.headerPart ?? b64(header)}.${c.payloadPart ?? b64(claims)}`
  const signature =
    key === "HS256" ? createHmac("sha256", keys.hs256).update(input).digest("base64url")
    : key === "RS1024" ? nodeSign("sha256", Buffer.from(input), keys.weak.privateKey).toString("base64url")
    : nodeSign("sha256", Buffer.from(input), { key: keys.es256Private, dsaEncoding: "ieee-p1363" }).toString("base64url")
  const token = `${input}.${c.signature ? c.signature(signature, input) : signature}`
  return c.tamper ? c.tamper(token) : token
}

async function ours(c: Case, token: string): Promise<boolean> {
  const kind = c.key ?? "ES256"
  const module =
    kind === "HS256" ? secret.static({ name: `corpus-hs-${CASES.indexOf(c)}`, namespace: "jose" })
    : secret.generated({ name: `corpus-${CASES.indexOf(c)}`, namespace: "jose", generate: kind === "RS1024" ? "RS256" : "ES256" })
  const value = kind === "HS256" ? keys.hs256 : kind === "RS1024" ? keys.weakText : keys.es256Text
  const t = testSecrets(new Map([[module, value]]), { now: NOW })
  const { clockTolerance, ...verifyOptions } = c.options ?? {}
  const tokens = jwt(module, { issuer: ISSUER, clockToleranceSeconds: clockTolerance ?? 0, ...(kind === "HS256" ? { algorithm: "HS256" as const } : {}) })
  try {
    await t.run(() => tokens.verify(token, verifyOptions))
    return true
  } catch {
    return false
  }
}

async function theirs(c: Case, token: string): Promise<boolean> {
  const kind = c.key ?? "ES256"
  const key = kind === "HS256" ? new TextEncoder().encode(keys.hs256) : kind === "RS1024" ? keys.weak.publicKey : keys.es256Public
  const alg = kind === "HS256" ? "HS256" : kind === "RS1024" ? "RS256" : "ES256"
  try {
    await jwtVerify(token, key, { algorithms: [alg], issuer: ISSUER, currentDate: new Date(NOW), ...c.options })
    return true
  } catch {
    return false
  }
}

test("the corpus: jwt().verify and jose's jwtVerify agree on every token except the documented ones, where jwt() is the stricter", async () => {
  keys = await makeKeys()
  const found: string[] = []
  for (const c of CASES) {
    const token = tokenOf(c)
    const [mine, jose] = [await ours(c, token), await theirs(c, token)]
    if (process.env.CORPUS_DEBUG) console.log(`${mine ? "A" : "R"} ${jose ? "A" : "R"}  ${c.name}`)
    if (c.disagree) {
      assert.deepEqual({ jwt: mine, jose }, { jwt: false, jose: true }, `${c.name}: documented as "${DISAGREEMENTS[c.disagree]}" (jwt() refuses, jose accepts)`)
    } else if (mine !== jose) {
      found.push(`${c.name}: jwt() ${mine ? "accepts" : "refuses"}, jose ${jose ? "accepts" : "refuses"}`)
    }
  }
  assert.deepEqual(found, [], "undocumented disagreements")
  // The corpus is not all refusals: the control cases pass both.
  for (const name of ["a valid token", "crit: [\"b64\"] with b64: true", "HS256 with a static secret's UTF-8", "iat 29 min old, maxTokenAge 30 min"]) {
    const c = CASES.find((one) => one.name === name)!
    assert.ok(await ours(c, tokenOf(c)), `${name} verifies`)
  }
})

test("every disagreement of the corpus is a row of docs/signing-keys.md", () => {
  const doc = readFileSync(new URL("../../../../docs/signing-keys.md", import.meta.url), "utf8")
  const section = doc.slice(doc.indexOf("### Where jose and jwt() disagree"))
  assert.ok(section.length > 0 && doc.includes("### Where jose and jwt() disagree"), "the section exists")
  for (const row of Object.values(DISAGREEMENTS)) assert.ok(section.includes(`| ${row} |`), `docs/signing-keys.md lists: ${row}`)
})
