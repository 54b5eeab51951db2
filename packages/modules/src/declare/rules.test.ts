import { test } from "node:test"
import assert from "node:assert/strict"
import { normalize, isRfc3339, DeclarationError, assertSameDeclaration } from "./index.js"

function rejects(kind: "static" | "random" | "generated", options: unknown, option: string, ...fragments: string[]) {
  assert.throws(
    () => normalize(kind, options),
    (error: unknown) => {
      assert.ok(error instanceof DeclarationError, `expected DeclarationError, got ${String(error)}`)
      assert.equal(error.option, option)
      assert.match(error.message, new RegExp(`option "${option.replace(/\./g, "\\.")}"`))
      for (const fragment of fragments) assert.ok(error.message.includes(fragment), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(fragment)}`)
      return true
    },
  )
}

test("defaults: namespace default, 32 bytes, base64url for random, text for static, versioned expose, retain none", () => {
  const random = normalize("random", { name: "session-key", rotation: { everyDays: 30 } })
  assert.deepEqual(random, {
    kind: "random", namespace: "default", name: "session-key", id: "default/session-key",
    format: "base64url", expose: "versioned", bytes: 32, rotation: { everyDays: 30, retain: { mode: "none" } },
  })
  const stat = normalize("static", { name: "stripe-secret", namespace: "billing" })
  assert.equal(stat.format, "text")
  assert.equal(stat.bytes, undefined)
  assert.equal(stat.id, "billing/stripe-secret")
})

test("bytes: 15, 1025 and 16.5 are rejected naming the option, the value and the range", () => {
  rejects("random", { name: "k", bytes: 15 }, "bytes", "15", "integer from 16 to 1024")
  rejects("random", { name: "k", bytes: 1025 }, "bytes", "1025", "integer from 16 to 1024")
  rejects("generated", { name: "k", bytes: 16.5 }, "bytes", "16.5", "integer")
  rejects("random", { name: "k", bytes: "32" }, "bytes", '"32"')
  assert.equal(normalize("random", { name: "k", bytes: 16 }).bytes, 16)
  assert.equal(normalize("random", { name: "k", bytes: 1024 }).bytes, 1024)
})

test("bytes is not an option of static secrets", () => {
  rejects("static", { name: "k", bytes: 32 }, "bytes", "unknown option")
})

test("rotation.everyDays below 7 or fractional is rejected", () => {
  rejects("random", { name: "k", rotation: { everyDays: 6 } }, "rotation.everyDays", "6", "at least 7")
  rejects("random", { name: "k", rotation: { everyDays: 7.5 } }, "rotation.everyDays", "7.5")
  rejects("random", { name: "k", rotation: {} }, "rotation.everyDays", "missing")
  assert.equal(normalize("random", { name: "k", rotation: { everyDays: 7 } }).rotation?.everyDays, 7)
})

test("retain_for needs positive integer days; unknown retain modes are rejected", () => {
  rejects("random", { name: "k", rotation: { everyDays: 30, retain: { mode: "retain_for" } } }, "rotation.retain.days", "missing", "retain_for")
  rejects("random", { name: "k", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 0 } } }, "rotation.retain.days", "positive integer")
  rejects("random", { name: "k", rotation: { everyDays: 30, retain: { mode: "keep" } } }, "rotation.retain.mode", '"keep"', "retain_forever")
  rejects("random", { name: "k", rotation: { everyDays: 30, retain: { mode: "none", days: 3 } } }, "rotation.retain.days", "unknown option")
  assert.deepEqual(normalize("random", { name: "k", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }).rotation?.retain, { mode: "retain_for", days: 14 })
  assert.deepEqual(normalize("random", { name: "k", rotation: { everyDays: 30, retain: { mode: "retain_forever" } } }).rotation?.retain, { mode: "retain_forever" })
})

test("rotation on secret.static() is an error", () => {
  rejects("static", { name: "k", rotation: { everyDays: 30 } }, "rotation", "static secrets cannot rotate")
})

test('the reserved namespace "layeron" is refused', () => {
  rejects("random", { name: "k", namespace: "layeron" }, "namespace", '"layeron"', "reserved")
})

test("names and namespaces with spaces, upper case or too long are refused", () => {
  rejects("static", { name: "session key" }, "name", '"session key"', "^[a-z0-9]")
  rejects("static", { name: "SessionKey" }, "name", '"SessionKey"')
  rejects("static", { name: "-leading" }, "name")
  rejects("static", { name: "a".repeat(64) }, "name")
  rejects("static", { name: "k", namespace: "Billing" }, "namespace", '"Billing"')
  rejects("static", {}, "name", "missing")
  assert.equal(normalize("static", { name: "a".repeat(63) }).name.length, 63)
})

test("startAt must be RFC 3339", () => {
  rejects("random", { name: "k", rotation: { everyDays: 30, startAt: "2026-06-01" } }, "rotation.startAt", '"2026-06-01"', "RFC 3339")
  rejects("random", { name: "k", rotation: { everyDays: 30, startAt: "2026-02-30T00:00:00Z" } }, "rotation.startAt")
  rejects("random", { name: "k", rotation: { everyDays: 30, startAt: "yesterday" } }, "rotation.startAt")
  const ok = normalize("random", { name: "k", rotation: { everyDays: 30, startAt: "2026-06-01T02:00:00+02:00" } })
  assert.equal(ok.rotation?.startAt, "2026-06-01T00:00:00.000Z")
})

test("consume.expose must be versioned, current or use", () => {
  rejects("static", { name: "k", consume: { expose: "all" } }, "consume.expose", '"all"', '"versioned"', '"use"')
  assert.equal(normalize("static", { name: "k", consume: { expose: "current" } }).expose, "current")
  assert.equal(normalize("generated", { name: "k", generate: "ES256", consume: { expose: "use" } }).expose, "use")
})

test("value.format: text for random secrets is refused; unknown formats are refused", () => {
  rejects("random", { name: "k", value: { format: "text" } }, "value.format", "base64url")
  rejects("static", { name: "k", value: { format: "hex" } }, "value.format", '"hex"')
})

test("unknown options are named", () => {
  rejects("random", { name: "k", rotate: { everyDays: 30 } }, "rotate", "unknown option")
  rejects("random", { name: "k", rotation: { everyDays: 30, every: 3 } }, "rotation.every", "unknown option")
})

test("an adopted Cloudflare secret name must be a valid Cloudflare name", () => {
  assert.equal(normalize("static", { name: "stripe-secret", secretName: "STRIPE_SECRET" }).secretName, "STRIPE_SECRET")
  rejects("static", { name: "stripe-secret", secretName: "STRIPE SECRET" }, "secretName", "Cloudflare secret name")
})

test("two different declarations with the same namespace and name are an error; equal ones are fine", () => {
  const a = normalize("random", { name: "k", namespace: "auth", rotation: { everyDays: 30 } })
  const b = normalize("random", { namespace: "auth", rotation: { everyDays: 30 }, name: "k" })
  assertSameDeclaration(a, b)
  const c = normalize("random", { name: "k", namespace: "auth", rotation: { everyDays: 31 } })
  assert.throws(() => assertSameDeclaration(a, c), /"auth\/k" is declared twice with different options/)
})

test("isRfc3339 is strict", () => {
  for (const good of ["2026-05-01T00:00:00.000Z", "2026-05-01T00:00:00Z", "2024-02-29T23:59:59+05:30"]) assert.ok(isRfc3339(good), good)
  for (const bad of ["2026-05-01", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-05-01 00:00:00Z", 12, "2026-05-01T24:00:00Z"]) assert.ok(!isRfc3339(bad), String(bad))
})

test('generate: a key-pair algorithm gives a text secret without bytes; unknown algorithms and "bytes" with it are refused', () => {
  const pair = normalize("generated", { name: "jwt-key", namespace: "auth", generate: "ES256", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 2 } } })
  assert.equal(pair.generate, "ES256")
  assert.equal(pair.format, "text")
  assert.equal(pair.bytes, undefined)
  for (const alg of ["EdDSA", "RS256"] as const) assert.equal(normalize("generated", { name: "k", generate: alg }).generate, alg)
  rejects("generated", { name: "k", generate: "HS256" }, "generate", '"HS256"', '"ES256", "EdDSA", "RS256"')
  rejects("generated", { name: "k", generate: "es256" }, "generate", '"es256"')
  rejects("generated", { name: "k", generate: "ES256", bytes: 32 }, "bytes", "32", 'cannot be combined with "generate"')
  rejects("generated", { name: "k", generate: "RS256", value: { format: "base64url" } }, "value.format", "private JWK")
  rejects("random", { name: "k", generate: "ES256" }, "generate", "unknown option")
  rejects("static", { name: "k", generate: "ES256" }, "generate", "unknown option")
  // Byte secrets are unchanged.
  assert.equal(normalize("generated", { name: "k", bytes: 48 }).bytes, 48)
  assert.equal(normalize("generated", { name: "k" }).generate, undefined)
})
