import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { generateKeyPairSync } from "node:crypto"
import { secret } from "@layeron/modules"
import { isLayerError } from "../errors.js"
import { inspectValue } from "./inspect.js"

const now = new Date("2026-05-15T00:00:00.000Z")
const random = secret.random({ name: "session-key", namespace: "auth", bytes: 16 }).declaration
const staticKey = secret.static({ name: "api-key" }).declaration
const B64_16 = "AAECAwQFBgcICQoLDA0ODw" // 16 bytes

function rejects(run: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(run, (error) => {
    assert.ok(isLayerError(error), String(error))
    assert.equal(error.code, code)
    assert.match(error.message, pattern)
    return true
  })
}

describe("inspectValue", () => {
  it("takes plain text as one version, v1", () => {
    const inspected = inspectValue("hello", { plain: false, declaration: undefined, now })
    assert.deepEqual([inspected.kind, inspected.versions, inspected.current, inspected.size.bytes], ["plain", ["v1"], "v1", 5])
  })

  it("reads an envelope's versions and current", () => {
    const text = JSON.stringify({ current: "v3", versions: { v2: { value: "old", expiresAt: "2026-06-01T00:00:00.000Z" }, v3: { value: "new" } } })
    const inspected = inspectValue(text, { plain: false, declaration: staticKey, now })
    assert.deepEqual([inspected.kind, inspected.versions, inspected.current], ["envelope", ["v2", "v3"], "v3"])
  })

  it("rejects an envelope version with an empty value, naming the version", () => {
    const text = JSON.stringify({ current: "v2", versions: { v1: { value: "" }, v2: { value: "new" } } })
    rejects(() => inspectValue(text, { plain: false, declaration: staticKey, now }), "empty_value", /^version v1 of the envelope has an empty "value"; nothing was written$/)
  })

  it("stores an envelope-looking text literally with --plain", () => {
    const text = JSON.stringify({ current: "v9", versions: {} })
    assert.equal(inspectValue(text, { plain: true, declaration: staticKey, now }).kind, "plain")
  })

  it("rejects an invalid envelope, naming the key path and rule but not the value", () => {
    const text = JSON.stringify({ current: "v2", versions: { v1: { value: "secret-canary" } } })
    assert.throws(() => inspectValue(text, { plain: false, declaration: undefined, now }), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "invalid_envelope")
      assert.match(error.message, /current/)
      assert.doesNotMatch(error.message, /secret-canary/)
      assert.match(error.hint ?? "", /--plain/)
      return true
    })
  })

  it("rejects values over 65,536 UTF-8 bytes with the numbers, and warns above 80 %", () => {
    rejects(() => inspectValue("é".repeat(32_769), { plain: false, declaration: undefined, now }), "value_too_large", /65,538 UTF-8 bytes; Cloudflare's limit is 65,536/)
    assert.equal(inspectValue("x".repeat(65_536), { plain: false, declaration: undefined, now }).size.status, "warn")
    const warned = inspectValue("x".repeat(60_000), { plain: false, declaration: undefined, now })
    assert.match(warned.warnings[0] ?? "", /60,000 bytes, 92 % of the 65,536-byte limit/)
    assert.deepEqual(inspectValue("x".repeat(52_000), { plain: false, declaration: undefined, now }).warnings, [])
  })

  it("rejects the empty value", () => {
    rejects(() => inspectValue("", { plain: false, declaration: undefined, now }), "empty_value", /empty/)
  })

  it("requires base64url for random and generated secrets, in every plain version", () => {
    assert.deepEqual(inspectValue(B64_16, { plain: false, declaration: random, now }).warnings, [])
    rejects(() => inspectValue("not base64url!", { plain: false, declaration: random, now }), "invalid_encoding", /auth\/session-key is a random secret, stored as base64url without padding, but version v1 is not/)
    // Padding is standard base64's spelling of the same bytes: converted, not refused.
    assert.equal(inspectValue(`${B64_16}==`, { plain: false, declaration: random, now }).converted?.text, B64_16)
    const envelope = JSON.stringify({ current: "v2", versions: { v1: { value: "+/+/" }, v2: { value: B64_16 } } })
    rejects(() => inspectValue(envelope, { plain: false, declaration: random, now }), "invalid_encoding", /version v1 is not/)
  })

  it("warns when a base64url value decodes to another length than the declaration's bytes", () => {
    const warnings = inspectValue("AAAA", { plain: false, declaration: random, now }).warnings
    assert.deepEqual(warnings, ["version v1 decodes to 3 bytes; auth/session-key declares 16"])
  })

  it("lets static secrets hold any text", () => {
    assert.equal(inspectValue("any text, even +/=", { plain: false, declaration: staticKey, now }).kind, "plain")
  })
})

describe("inspectValue: values users actually have", () => {
  const random32 = secret.random({ name: "session-key", namespace: "auth", bytes: 32 }).declaration
  const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 251) % 256))

  it("refuses text that starts like an envelope but is not JSON, with the position and never the text", () => {
    const broken = '{"current":"v1","versions":{"v1":{"value":"sk_live_CANARY"}}'
    assert.throws(() => inspectValue(broken, { plain: false, declaration: staticKey, now }), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "invalid_envelope_json")
      assert.match(error.message, /starts like an envelope .* but is not valid JSON: it ends before the JSON is complete \(after 60 bytes, line 1\)/)
      assert.match(error.hint ?? "", /--plain/)
      assert.doesNotMatch(`${error.message} ${error.hint}`, /CANARY/)
      return true
    })
    const comma = '{\n  "current": "v1"\n  "versions": {}\n}'
    rejects(() => inspectValue(comma, { plain: false, declaration: staticKey, now }), "invalid_envelope_json", /the JSON breaks at line 3, column 3/)
    assert.equal(inspectValue(broken, { plain: true, declaration: staticKey, now }).kind, "plain", "--plain stores it literally")
    assert.equal(inspectValue("{ not an envelope", { plain: false, declaration: staticKey, now }).kind, "plain", "other text starting with { is a plain value")
  })

  it("names a trailing newline on a base64url value", () => {
    rejects(() => inspectValue(`${bytes.toString("base64url")}\n`, { plain: false, declaration: random32, now }), "trailing_newline", /ends with a newline/)
  })

  it("converts standard base64 and hex of the declared length, saying so with the byte count", () => {
    for (const [given, from] of [[bytes.toString("base64"), "standard base64"], [bytes.toString("hex"), "hex"], [bytes.toString("base64url") + "=", "standard base64"]] as const) {
      const inspected = inspectValue(given, { plain: false, declaration: random32, now })
      assert.equal(inspected.converted?.text, bytes.toString("base64url"), given)
      assert.equal(inspected.envelope.versions.v1?.value, bytes.toString("base64url"))
      assert.ok(inspected.warnings.some((w) => w.includes(`given in ${from}; converted to base64url without padding (32 bytes)`)), inspected.warnings.join("; "))
    }
    assert.equal(inspectValue(bytes.toString("base64url"), { plain: false, declaration: random32, now }).converted, undefined, "base64url is stored as given")
  })

  it("points at a portable encoder (no GNU-only basenc) for text that is no encoding at all", () => {
    assert.throws(() => inspectValue("not a key at all!", { plain: false, declaration: random32, now }), (error) => {
      assert.ok(isLayerError(error))
      assert.doesNotMatch(error.hint ?? "", /basenc/)
      assert.match(error.hint ?? "", /openssl rand -base64 32 \| tr '\+\/' '-_' \| tr -d '=\\n'/)
      return true
    })
  })
})

describe("inspectValue: key pairs (issue 24)", () => {
  const rs256 = secret.generated({ name: "token-key", namespace: "auth", generate: "RS256" }).declaration
  const rsaJwk = (bits: number) => JSON.stringify({ ...generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({ format: "jwk" }), alg: "RS256" })

  it("refuses an RS256 key of 1024 bits, plain or as an envelope version, naming the version and never the key", () => {
    const weak = rsaJwk(1024)
    const d = JSON.parse(weak).d as string
    for (const [text, version] of [[weak, "v1"], [JSON.stringify({ current: "v2", versions: { v1: { value: rsaJwk(2048) }, v2: { value: weak } } }), "v2"]] as const) {
      assert.throws(() => inspectValue(text, { plain: false, declaration: rs256, now }), (error) => {
        assert.ok(isLayerError(error), String(error))
        assert.equal(error.code, "weak_key")
        assert.equal(error.message, `version ${version} of auth/token-key is an RSA key of 1024 bits; RS256 keys must have at least 2048 bits; nothing was written`)
        assert.ok(!JSON.stringify(error).includes(d) && !String(error.stack).includes(d))
        return true
      })
    }
  })

  it("takes a 2048-bit RS256 key, and the same short key for a secret that is not an RS256 key pair", () => {
    assert.equal(inspectValue(rsaJwk(2048), { plain: false, declaration: rs256, now }).kind, "plain")
    assert.equal(inspectValue(rsaJwk(1024), { plain: false, declaration: staticKey, now }).kind, "plain")
  })
})
