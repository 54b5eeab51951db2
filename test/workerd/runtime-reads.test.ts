/**
 * The read path end to end, in workerd: app Worker → runtime → service binding RPC → Secret
 * Product Worker → Secrets Store binding. Envelope times are relative to the real clock,
 * which workerd shares (see docs/runtime.md, "Time").
 */
import { after, before, describe, test } from "node:test"
import assert from "node:assert/strict"
import { decodeBase64Url, randomValue } from "../../packages/modules/src/envelope/index.js"
import { seal } from "../../packages/modules/src/seal/index.js"
import { secrets } from "./fixtures/secrets.js"
import type { SecretKey } from "./fixtures/secrets.js"
import type { ErrorView, ReadRequest, ResolvedView } from "./fixtures/app-worker.js"
import { startRuntime, UNBOUND_APP } from "./harness.js"
import type { RuntimeHarness } from "./harness.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const iso = (ms: number) => new Date(ms).toISOString()
const utf8 = (text: string) => [...new TextEncoder().encode(text)]

let rt: RuntimeHarness
/** Every plaintext this file writes: no error or log may ever contain one. */
const plaintexts = new Set<string>()

before(async () => {
  rt = await startRuntime()
  plaintexts.add(rt.sealingPrivateKeyText)
  plaintexts.add((JSON.parse(rt.sealingPrivateKeyText) as JsonWebKey).d!)
})
after(async () => {
  await rt?.dispose()
})

async function store(key: SecretKey, text: string, ...values: string[]) {
  for (const value of values) plaintexts.add(value)
  await rt.store(key, text)
}

async function read(request: ReadRequest): Promise<unknown> {
  const answer = await rt.read(request)
  assert.ok(answer.ok, `expected ${JSON.stringify(request)} to succeed, got ${JSON.stringify(!answer.ok && answer.error)}`)
  return answer.result
}

interface Expected {
  name: string
  code: string
  versionId?: string
  message: RegExp
}

async function fails(request: ReadRequest, expected: Expected, worker?: string): Promise<ErrorView> {
  const answer = await rt.read(request, worker)
  assert.ok(!answer.ok, `expected ${JSON.stringify(request)} to fail, got ${JSON.stringify(answer.ok && answer.result)}`)
  const error = answer.error
  assert.equal(error.name, expected.name)
  assert.equal(error.code, expected.code)
  assert.equal(error.secretId, secrets[request.secret].declaration.id)
  assert.equal(error.versionId, expected.versionId)
  assert.match(error.message, expected.message)
  assert.equal(error.isSecretError, true)
  assert.equal(error.instanceOfSecretError, true, "the app side rethrows the typed class")
  assertNoPlaintext(`${error.message}\n${error.json}\n${error.stack}`)
  return error
}

function assertNoPlaintext(text: string) {
  for (const value of plaintexts) assert.ok(!text.includes(value), `output contains a secret value: ${JSON.stringify(text.slice(0, 200))}`)
}

describe("plain values", () => {
  const value = "hello, wörld ✓"
  before(() => store("greeting", value, value))

  test("current() reads the text, bytes are its UTF-8", async () => {
    assert.equal(await read({ secret: "greeting", op: "current" }), value)
    assert.deepEqual(await read({ secret: "greeting", op: "current", reader: "bytes" }), utf8(value))
  })

  test("a plain value is version v1, with no times, at any instant", async () => {
    assert.deepEqual(await read({ secret: "greeting", op: "current", reader: "resolve" }), { version: "v1", text: value, bytes: utf8(value) })
    assert.equal(await read({ secret: "greeting", op: "version", arg: "v1" }), value)
    assert.equal(await read({ secret: "greeting", op: "at", arg: 0 }), value)
    assert.deepEqual(await read({ secret: "greeting", op: "active" }), [{ version: "v1", text: value, bytes: utf8(value) }])
  })

  test("an adopted Cloudflare secret name with a dash is bound and read", async () => {
    await store("stripe", "sk_test_adopted", "sk_test_adopted")
    assert.equal(await read({ secret: "stripe", op: "current" }), "sk_test_adopted")
  })

  test("a write is visible to the very next read (no cache to wait for)", async () => {
    await store("stripe", "sk_test_rotated", "sk_test_rotated")
    assert.equal(await read({ secret: "stripe", op: "current" }), "sk_test_rotated")
  })
})

describe("the envelope from the Cloudflare Values page", () => {
  // Times relative to now, so both sides of v2's expiresAt are checked whatever today's date is.
  const envelopeText = (expiresAt: string) => `{ "current": "v3", "versions": { "v2": { "value": "old-secret-value", "expiresAt": "${expiresAt}" }, "v3": { "value": "new-secret-value" } }}`
  const later = iso(Date.now() + 30 * DAY)
  const earlier = new Date(Math.floor((Date.now() - 30 * DAY) / 1000) * 1000).toISOString()
  // Each case stores the text it reads, so no case depends on another having run.
  const storeWithExpiry = (expiresAt: string) => store("seedSessionKey", envelopeText(expiresAt), "old-secret-value", "new-secret-value")

  test("current() and version('v3') read the new value", async () => {
    await storeWithExpiry(later)
    assert.equal(await read({ secret: "seedSessionKey", op: "current" }), "new-secret-value")
    assert.equal(await read({ secret: "seedSessionKey", op: "version", arg: "v3" }), "new-secret-value")
  })

  test("before its expiresAt, version('v2') reads the old value and active() lists v3 then v2", async () => {
    await storeWithExpiry(later)
    assert.equal(await read({ secret: "seedSessionKey", op: "version", arg: "v2" }), "old-secret-value")
    const active = (await read({ secret: "seedSessionKey", op: "active" })) as ResolvedView[]
    assert.deepEqual(active.map((v) => v.version), ["v3", "v2"])
    assert.equal(active[0]!.text, "new-secret-value")
  })

  test("after its expiresAt, version('v2') fails with version_expired and active() lists v3 alone", async () => {
    await storeWithExpiry(earlier)
    const escaped = earlier.replace(/[.]/g, "\\.")
    await fails({ secret: "seedSessionKey", op: "version", arg: "v2" }, { name: "VersionExpiredError", code: "version_expired", versionId: "v2", message: new RegExp(`Version "v2" of secret "seed/session-key" expired at ${escaped}`) })
    const active = (await read({ secret: "seedSessionKey", op: "active" })) as ResolvedView[]
    assert.deepEqual(active.map((v) => v.version), ["v3"])
    assert.equal(await read({ secret: "seedSessionKey", op: "current" }), "new-secret-value")
  })
})

describe("versions over time", () => {
  const now = Date.now()
  const t = { v1: now - 30 * DAY, v2: now - 20 * DAY, v3: now - 10 * DAY }
  const envelope = {
    current: "v3",
    versions: {
      v1: { value: "timeline-one", createdAt: iso(t.v1), expiresAt: iso(now - HOUR) },
      v2: { value: "timeline-two", createdAt: iso(t.v2), expiresAt: iso(now + HOUR) },
      v3: { value: "timeline-three", createdAt: iso(t.v3) },
    },
  }
  before(() => store("signingKey", JSON.stringify(envelope), "timeline-one", "timeline-two", "timeline-three"))
  const at = (arg: ReadRequest["arg"]) => read({ secret: "signingKey", op: "at", arg })

  test("at() picks the latest createdAt at or before the time, boundaries included", async () => {
    assert.equal(await at(iso(t.v2)), "timeline-two")
    assert.equal(await at(t.v3 - 1), "timeline-two")
    assert.equal(await at(iso(t.v3)), "timeline-three")
    assert.equal(await at(iso(now)), "timeline-three")
    assert.equal(await at(iso(now + 365 * DAY)), "timeline-three")
  })

  test("at() takes a Date, epoch milliseconds or a zoned string, meaning the same instant", async () => {
    const instant = t.v2 + HOUR
    const zoned = new Date(instant + 2 * HOUR).toISOString().replace("Z", "+02:00").replace(/\.\d{3}/, `.${String(instant % 1000).padStart(3, "0")}`)
    for (const arg of [{ date: iso(instant) }, instant, iso(instant), zoned]) assert.equal(await at(arg), "timeline-two", `at(${JSON.stringify(arg)})`)
  })

  test("at() a time when the version in force has since expired fails, naming that version", async () => {
    await fails({ secret: "signingKey", op: "at", arg: iso(t.v1 + DAY) }, { name: "VersionExpiredError", code: "version_expired", versionId: "v1", message: /Version "v1" of secret "timeline\/signing-key" expired at/ })
  })

  test("at() before the first version fails as unknown_version", async () => {
    const before = iso(t.v1 - DAY)
    await fails({ secret: "signingKey", op: "at", arg: before }, { name: "UnknownVersionError", code: "unknown_version", message: new RegExp(`had no version at ${before}`) })
  })

  test("an invalid time is refused in the app, before any read", async () => {
    const error = (await rt.read({ secret: "signingKey", op: "at", arg: "next week" })) as { ok: false; error: ErrorView }
    assert.equal(error.error.name, "TypeError")
    assert.match(error.error.message, /at\(time\) on secret "timeline\/signing-key": "next week" is not a valid time/)
  })

  test("a version that expires later is readable now, with its times", async () => {
    assert.deepEqual(await read({ secret: "signingKey", op: "version", arg: "v2", reader: "resolve" }), {
      version: "v2",
      createdAt: envelope.versions.v2.createdAt,
      expiresAt: envelope.versions.v2.expiresAt,
      text: "timeline-two",
      bytes: utf8("timeline-two"),
    })
  })

  test("active() holds current first, then unexpired versions newest first", async () => {
    const active = (await read({ secret: "signingKey", op: "active" })) as ResolvedView[]
    assert.deepEqual(active.map((v) => [v.version, v.text]), [["v3", "timeline-three"], ["v2", "timeline-two"]])
  })

  test("an expired version and an unknown id fail with their typed errors", async () => {
    await fails({ secret: "signingKey", op: "version", arg: "v1" }, { name: "VersionExpiredError", code: "version_expired", versionId: "v1", message: new RegExp(`expired at ${envelope.versions.v1.expiresAt}`) })
    await fails({ secret: "signingKey", op: "version", arg: "v9" }, { name: "UnknownVersionError", code: "unknown_version", versionId: "v9", message: /Secret "timeline\/signing-key" has no version "v9". Use active\(\)/ })
    await fails({ secret: "signingKey", op: "version", arg: "not a/valid id" }, { name: "UnknownVersionError", code: "unknown_version", versionId: "not a/valid id", message: /has no version/ })
  })
})

describe("an envelope whose current version has expired", () => {
  const now = Date.now()
  const text = JSON.stringify({ current: "v2", versions: { v1: { value: "stale-one" }, v2: { value: "stale-two", expiresAt: iso(now - HOUR) } } })
  before(() => store("binaryKey", text, "stale-one", "stale-two"))
  after(() => store("binaryKey", "AAAA"))

  test("current() and active() refuse it rather than fall back to another version", async () => {
    for (const op of ["current", "active"] as const) {
      await fails({ secret: "binaryKey", op }, { name: "VersionExpiredError", code: "version_expired", versionId: "v2", message: /Version "v2" of secret "raw\/binary" expired/ })
    }
  })
})

describe("sealed versions", () => {
  const now = Date.now()
  const keys = { v1: randomValue(32), v2: randomValue(32), v3: randomValue(32) }
  let envelope: { current: string; versions: Record<string, Record<string, string>> }

  before(async () => {
    const physicalName = rt.physicalNames.encryptionKey
    const sealed = (versionId: "v1" | "v2") => seal(rt.sealingPublicKey, keys[versionId], { physicalName, versionId })
    envelope = {
      current: "v3",
      versions: {
        v1: { sealed: await sealed("v1"), createdAt: iso(now - 200 * DAY) },
        v2: { sealed: await sealed("v2"), createdAt: iso(now - 100 * DAY) },
        v3: { value: keys.v3, createdAt: iso(now - DAY) },
      },
    }
    await store("encryptionKey", JSON.stringify(envelope), ...Object.values(keys))
  })

  test("version() and at() open sealed versions with the sealing key", async () => {
    assert.deepEqual(await read({ secret: "encryptionKey", op: "version", arg: "v2", reader: "bytes" }), [...decodeBase64Url(keys.v2)])
    assert.equal(await read({ secret: "encryptionKey", op: "version", arg: "v2" }), keys.v2)
    assert.equal(await read({ secret: "encryptionKey", op: "at", arg: iso(now - 150 * DAY) }), keys.v1)
    assert.equal(await read({ secret: "encryptionKey", op: "current" }), keys.v3)
  })

  test("active() returns every version opened, current first then newest first", async () => {
    const active = (await read({ secret: "encryptionKey", op: "active" })) as ResolvedView[]
    assert.deepEqual(active.map((v) => [v.version, v.text]), [["v3", keys.v3], ["v2", keys.v2], ["v1", keys.v1]])
    for (const v of active) assert.equal(v.bytes.length, 32)
  })

  test("a sealed copy moved to another version id does not open", async () => {
    const moved = { ...envelope, versions: { ...envelope.versions, v2: { ...envelope.versions.v1!, createdAt: envelope.versions.v2!.createdAt! } } }
    await store("encryptionKey", JSON.stringify(moved))
    try {
      await fails({ secret: "encryptionKey", op: "version", arg: "v2" }, { name: "InvalidEnvelopeError", code: "invalid_envelope", versionId: "v2", message: /is sealed but does not open with this environment's sealing key/ })
      assert.equal(await read({ secret: "encryptionKey", op: "version", arg: "v1" }), keys.v1)
      // active() degrades, never collapses: v2 is left out and reported, the rest still read.
      const active = (await read({ secret: "encryptionKey", op: "active" })) as ResolvedView[]
      assert.deepEqual(active.map((v) => [v.version, v.text]), [["v3", keys.v3], ["v1", keys.v1]])
      const skipped = (await read({ secret: "encryptionKey", op: "skipped" })) as Array<{ version: string; code: string; message: string }>
      assert.deepEqual(skipped.map((s) => [s.version, s.code]), [["v2", "invalid_envelope"]])
      assert.match(skipped[0]!.message, /Version "v2" of secret "storage\/encryption-key" is sealed but does not open/)
      assert.ok(!JSON.stringify(skipped).includes(keys.v1) && !JSON.stringify(skipped).includes(keys.v2), "value-free")
      assert.equal(await read({ secret: "encryptionKey", op: "current" }), keys.v3)
    } finally {
      await store("encryptionKey", JSON.stringify(envelope))
    }
  })

  test("without a usable sealing key, sealed reads fail clearly and plain ones still work", async () => {
    // A freshly sealed copy: copies opened earlier stay memoized in the warm isolate (see
    // docs/runtime.md, "Caching"), so only a copy never opened shows the missing key.
    const resealed = await seal(rt.sealingPublicKey, keys.v1, { physicalName: rt.physicalNames.encryptionKey, versionId: "v1" })
    await store("encryptionKey", JSON.stringify({ ...envelope, versions: { ...envelope.versions, v1: { ...envelope.versions.v1!, sealed: resealed } } }))
    try {
      for (const keyText of [undefined, "not a jwk"]) {
        if (keyText === undefined) await rt.deleteSealingKey()
        else await rt.storeSealingKey(keyText)
        await fails({ secret: "encryptionKey", op: "version", arg: "v1" }, { name: "ProductUnavailableError", code: "product_unavailable", versionId: "v1", message: /sealing key \(layeron\/sealing-key\) is missing or malformed/ })
        assert.equal(await read({ secret: "encryptionKey", op: "current" }), keys.v3)
      }
    } finally {
      await rt.storeSealingKey(rt.sealingPrivateKeyText)
    }
    assert.equal(await read({ secret: "encryptionKey", op: "version", arg: "v1" }), keys.v1)
    await store("encryptionKey", JSON.stringify(envelope))
  })
})

describe("random and encoded values", () => {
  test("a random secret's bytes() gives its 32 bytes; text() the stored base64url", async () => {
    const value = randomValue(32)
    await store("sessionKey", value, value)
    const bytes = (await read({ secret: "sessionKey", op: "current", reader: "bytes" })) as number[]
    assert.equal(bytes.length, 32)
    assert.deepEqual(bytes, [...decodeBase64Url(value)])
    assert.equal(await read({ secret: "sessionKey", op: "current" }), value)
  })

  test("a base64url value that does not decode fails bytes(), not text()", async () => {
    await store("binaryKey", "not*base64url!", "not*base64url!")
    await fails({ secret: "binaryKey", op: "current", reader: "bytes" }, { name: "InvalidValueError", code: "invalid_value", versionId: "v1", message: /is not valid base64url although its format is "base64url"/ })
    assert.equal(await read({ secret: "binaryKey", op: "current" }), "not*base64url!")
  })

  test("json() parses JSON values", async () => {
    const credentials = { clientId: "client-123", clientSecret: "json-secret-value" }
    await store("credentials", JSON.stringify(credentials), "json-secret-value")
    assert.deepEqual(await read({ secret: "credentials", op: "current", reader: "json" }), credentials)
  })

  test("json() on text that is not JSON fails without quoting it", async () => {
    await store("greeting", "{not-json-secret", "{not-json-secret")
    await fails({ secret: "greeting", op: "current", reader: "json" }, { name: "InvalidValueError", code: "invalid_value", versionId: "v1", message: /Version "v1" of secret "plain\/greeting" is not valid JSON/ })
  })
})

describe("failures", () => {
  test("a declared secret with no stored value: secret_not_found with the fix", async () => {
    await fails({ secret: "missing", op: "current" }, { name: "SecretNotFoundError", code: "secret_not_found", message: new RegExp(`Secret "empty/missing" has no value in Secrets Store \\(secret name ${rt.physicalNames.missing}\\). Write one with \`layer secret set empty/missing\``) })
  })

  test("a secret the backend does not register (nor any other): secret_not_registered naming the backend and app.use", async () => {
    await fails({ secret: "undeclared", op: "current" }, { name: "SecretNotRegisteredError", code: "secret_not_registered", message: /^Backend "app" does not register secret "app-only\/undeclared", so the Secret Product Worker does not serve it to that backend\. Register it in that backend with app\.use\(/ })
  })

  test("an invalid envelope is reported, never guessed, and never quoted", async () => {
    await store("broken", JSON.stringify({ current: "v9", versions: { v1: { value: "broken-envelope-value" } } }), "broken-envelope-value")
    for (const op of ["current", "active"] as const) {
      await fails({ secret: "broken", op }, { name: "InvalidEnvelopeError", code: "invalid_envelope", message: /Secret "invalid\/broken" holds an invalid envelope: .*current.*layer secret set invalid\/broken/ })
    }
  })

  test('expose "current" allows current() and refuses version(), at() and active()', async () => {
    await store("apiKey", "expose-current-value", "expose-current-value")
    assert.equal(await read({ secret: "apiKey", op: "current" }), "expose-current-value")
    const refusals: [ReadRequest, string][] = [
      [{ secret: "apiKey", op: "version", arg: "v1" }, 'version\\("v1"\\)'],
      [{ secret: "apiKey", op: "at", arg: Date.now() }, "at\\(time\\)"],
      [{ secret: "apiKey", op: "active" }, "active\\(\\)"],
    ]
    for (const [request, what] of refusals) {
      await fails(request, { name: "ExposeRefusedError", code: "expose_refused", message: new RegExp(`Secret "limited/api-key" is declared with consume.expose "current": ${what} is refused`) })
    }
  })

  test("an app Worker without the service binding gets product_unavailable with the fix", async () => {
    await fails({ secret: "greeting", op: "current" }, { name: "ProductUnavailableError", code: "product_unavailable", message: /no "LAYERON_SECRET" service binding.*layer dev/ }, UNBOUND_APP)
  })

  test("nothing workerd printed contains a secret value", () => {
    assert.ok(plaintexts.size > 10)
    assertNoPlaintext(rt.output())
  })
})
