import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { redact } from "./redact.js"

const VALUE = "sk_live_51HqLyjWDarjtT1zdp7dc"
const b64 = (text: string) => Buffer.from(text).toString("base64")

describe("redact", () => {
  const cases: [string, string][] = [
    ["the value whole", `bad value ${VALUE} here`],
    ["a prefix of 8 characters", `bad value ${VALUE.slice(0, 8)}… here`],
    ["upper case", `bad value ${VALUE.toUpperCase()} here`],
    ["mixed case", `bad value ${VALUE.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c))} here`],
    ["base64", `bad value ${b64(VALUE)} here`],
    ["base64 prefix", `bad value ${b64(VALUE).slice(0, 12)} here`],
    ["base64url", `bad value ${Buffer.from(VALUE).toString("base64url")} here`],
    ["hex", `bad value ${Buffer.from(VALUE).toString("hex")} here`],
    ["HEX", `bad value ${Buffer.from(VALUE).toString("hex").toUpperCase()} here`],
  ]
  for (const [name, text] of cases) {
    it(`cuts out ${name}`, () => {
      const shown = redact(text, [VALUE])
      assert.equal(shown, "bad value [redacted]" + (text.includes("…") ? "…" : "") + " here")
    })
  }

  it("leaves 7 characters of a prefix, and unrelated text, alone", () => {
    assert.equal(redact(`say ${VALUE.slice(0, 7)} and more`, [VALUE]), `say ${VALUE.slice(0, 7)} and more`)
    assert.equal(redact("secret_value_too_long: max 65536", [VALUE]), "secret_value_too_long: max 65536")
  })

  it("finds a version's value inside an envelope, and a private JWK member inside that", () => {
    const jwk = JSON.stringify({ kty: "EC", crv: "P-256", d: "hT0b3k9VqgA8Yw2rX1pLmN4sZ7cE6uJ5", x: "xxxxxxxxxxxxxxxx" })
    const envelope = JSON.stringify({ current: "v1", versions: { v1: { value: jwk }, v0: { value: "older-value-123" } } })
    assert.equal(redact("echo: hT0b3k9VqgA8Yw2r", [envelope]), "echo: [redacted]")
    assert.equal(redact("echo: OLDER-VALUE-123!", [envelope]), "echo: [redacted]!")
  })

  it("keeps short values exact (4 characters or more), and ignores shorter ones", () => {
    assert.equal(redact("a pin 4821 and ABC", ["4821", "abc"]), "a pin [redacted] and ABC")
  })

  it("merges overlapping matches of several forms into one mark", () => {
    assert.equal(redact(`${VALUE}${VALUE}`, [VALUE, VALUE.slice(3)]), "[redacted]")
  })
})
