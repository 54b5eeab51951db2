/**
 * `testSecrets()` as a user's test meets it: reads through real `secret.*()` modules answered
 * from the given values, with the deployed product's rules (expiry, `at()`, `expose`, sealed
 * versions), `t.rotate()` under each retain mode, and every bad input refused at the call.
 */
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { encodeBase64Url } from "../envelope/index.js"
import {
  ExposeRefusedError,
  InvalidEnvelopeError,
  REGISTERED_MODULES,
  ProductUnavailableError,
  SecretNotFoundError,
  SecretNotRegisteredError,
  UnknownVersionError,
  VersionExpiredError,
  secret,
} from "../index.js"
import type { SecretError } from "../index.js"
import { jwt } from "../keys/index.js"
import { generateSealingKeyPair, seal } from "../seal/index.js"
import { testSecrets, TestSecretsError } from "./index.js"
import type { TestSecretsProblem } from "./index.js"

const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
const archiveKey = secret.random({ name: "archive-key", namespace: "storage", rotation: { everyDays: 90, retain: { mode: "retain_forever" } } })
const apiKey = secret.generated({ name: "api-key", namespace: "auth", rotation: { everyDays: 7 } })
const stripe = secret.static({ name: "stripe-secret", namespace: "billing", secretName: "STRIPE_SECRET" })
const pinned = secret.random({ name: "pinned", namespace: "auth", consume: { expose: "current" } })

const NOW = "2026-06-01T00:00:00.000Z"
const key = (n: number) => encodeBase64Url(new Uint8Array(32).fill(n))
/** v1 (expired), v2 (retained until 2026-06-15), v3 current. */
const sessionEnvelope = {
  current: "v3",
  versions: {
    v1: { value: key(1), createdAt: "2026-04-01T00:00:00Z", expiresAt: "2026-05-15T00:00:00Z" },
    v2: { value: key(2), createdAt: "2026-05-01T00:00:00Z", expiresAt: "2026-06-15T00:00:00Z" },
    v3: { value: key(3), createdAt: "2026-05-31T00:00:00Z" },
  },
}

async function rejectsWith(promise: Promise<unknown>, type: new (...args: never[]) => SecretError, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`)
    if (message) assert.match((error as Error).message, message)
    return true
  })
}

function throwsProblem(fn: () => unknown, problem: TestSecretsProblem, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof TestSecretsError, String(error))
    assert.equal(error.problem, problem)
    assert.match(error.message, message)
    return true
  })
}

describe("reads inside run()", () => {
  it("answer current(), version(), at() and active() from an envelope keyed by name", async () => {
    const t = testSecrets({ "auth/session-key": sessionEnvelope }, { now: NOW })
    await t.run(async () => {
      assert.deepEqual(await sessionKey.current().bytes(), new Uint8Array(32).fill(3))
      assert.equal(await sessionKey.version("v2").text(), key(2))
      assert.equal((await sessionKey.at("2026-05-20T00:00:00Z").resolve()).version, "v2")
      assert.deepEqual((await sessionKey.active()).map((v) => [v.version, v.expiresAt]), [["v3", undefined], ["v2", "2026-06-15T00:00:00Z"]])
    })
  })

  it("refuse an expired version, and setNow() moves the clock expiry is judged by", async () => {
    const t = testSecrets({ "auth/session-key": sessionEnvelope }, { now: NOW })
    await rejectsWith(t.run(() => sessionKey.version("v1").text()), VersionExpiredError, /Version "v1" of secret "auth\/session-key" expired at 2026-05-15/)
    // at() selects by its argument but judges expiry at now, as the deployed product does.
    await rejectsWith(t.run(() => sessionKey.at("2026-04-10T00:00:00Z").text()), VersionExpiredError, /"v1"/)
    await rejectsWith(t.run(() => sessionKey.at("2026-03-01T00:00:00Z").text()), UnknownVersionError, /had no version at 2026-03-01/)
    t.setNow("2026-06-15T00:00:00Z")
    await rejectsWith(t.run(() => sessionKey.version("v2").text()), VersionExpiredError, /"v2"/)
    assert.deepEqual((await t.run(() => sessionKey.active())).map((v) => v.version), ["v3"])
    assert.equal(t.now().toISOString(), "2026-06-15T00:00:00.000Z")
  })

  it("a plain value reads as v1, and a static secret adopted by Cloudflare name is keyed by its id", async () => {
    const t = testSecrets(new Map([[stripe, "sk_test_123"]]))
    await t.run(async () => {
      const current = await stripe.current().resolve()
      assert.equal(current.version, "v1")
      assert.equal(await current.text(), "sk_test_123")
    })
    assert.equal(await t.physicalName(stripe), "STRIPE_SECRET")
  })

  it('expose "current" refuses every read but current(), by name or by module', async () => {
    for (const values of [{ "auth/pinned": key(9) }, new Map([[pinned, key(9)]])]) {
      const t = testSecrets(values, { now: NOW })
      assert.deepEqual(await t.run(() => pinned.current().bytes()), new Uint8Array(32).fill(9))
      await rejectsWith(t.run(() => pinned.version("v1").text()), ExposeRefusedError, /consume\.expose "current": version\("v1"\) is refused/)
      await rejectsWith(t.run(() => pinned.at(NOW).text()), ExposeRefusedError)
      await rejectsWith(t.run(() => pinned.active()), ExposeRefusedError)
    }
    // A raw t.env call has no reading module: keyed by module (or with { app }) it knows the declaration.
    for (const t of [testSecrets(new Map([[pinned, key(9)]])), testSecrets({ "auth/pinned": key(9) }, { app: { [REGISTERED_MODULES]: [pinned] } })]) {
      const reply = await t.env.LAYERON_SECRET.read("auth/pinned", { kind: "version", id: "v1" })
      assert.equal(reply.ok ? "ok" : reply.error.code, "expose_refused")
    }
  })

  it("a secret not given, or given as null, fails with SecretNotFoundError as deployed", async () => {
    const t = testSecrets({ "auth/api-key": null }, { now: NOW })
    await rejectsWith(t.run(() => sessionKey.current().text()), SecretNotFoundError, /"auth\/session-key" is not among the values given to testSecrets\(\)/)
    await rejectsWith(t.run(() => apiKey.current().text()), SecretNotFoundError, /has no value in Secrets Store/)
  })

  it("outside run() a read fails as it does in Node, and concurrent runs keep their own values", async () => {
    const a = testSecrets({ "auth/session-key": key(1) })
    const b = testSecrets({ "auth/session-key": key(2) })
    await rejectsWith(sessionKey.current().text(), ProductUnavailableError, /only be read inside a Worker, or in a test inside `testSecrets\(\.\.\.\)\.run\(\(\) => \.\.\.\)`/)
    const read = (t: typeof a) => t.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return sessionKey.current().text()
    })
    assert.deepEqual(await Promise.all([read(a), read(b), read(a)]), [key(1), key(2), key(1)])
  })

  it("with { app }, a secret the app does not app.use() fails as deployed, even when a value is given", async () => {
    const app = { [REGISTERED_MODULES]: [sessionKey], layeron: { options: { name: "other" } } }
    const t = testSecrets({ "auth/session-key": key(1), "storage/archive-key": key(2), "billing/stripe-secret": "sk_live_CANARY" }, { app })
    assert.equal(await t.run(() => sessionKey.current().text()), key(1))
    const refused = /^Backend "other" does not register secret "storage\/archive-key", so the Secret Product Worker does not serve it to that backend\. Register it in that backend with app\.use\(/
    await rejectsWith(t.run(() => archiveKey.current().text()), SecretNotRegisteredError, refused)
    await rejectsWith(t.run(() => archiveKey.active()), SecretNotRegisteredError, /Backend "other" does not register secret "storage\/archive-key"/)
    // Raw calls on the binding, as an app's code could make them: refused the same way, no value.
    for (const reply of [await t.env.LAYERON_SECRET.read("billing/stripe-secret", { kind: "current" }), await t.env.LAYERON_SECRET.active("billing/stripe-secret")]) {
      assert.equal(reply.ok, false)
      assert.equal(reply.ok ? "" : reply.error.code, "secret_not_registered")
      assert.ok(!JSON.stringify(reply).includes("CANARY"))
    }
    // A registered secret without a value: the same error a deployed or `layer dev` product gives.
    const noValue = testSecrets({ "auth/session-key": null }, { app })
    await rejectsWith(noValue.run(() => sessionKey.current().text()), SecretNotFoundError, /"auth\/session-key" has no value in Secrets Store/)
    throwsProblem(() => testSecrets({}, { app: {} }), "invalid_option", /pass the app made by backend\(\)/)
  })

  it("t.env answers the product's RPC for code that takes an env", async () => {
    const t = testSecrets({ "auth/session-key": sessionEnvelope }, { now: NOW })
    const reply = await t.env.LAYERON_SECRET.read("auth/session-key", { kind: "version", id: "v2" })
    assert.deepEqual(reply, { ok: true, value: { version: "v2", value: key(2), createdAt: "2026-05-01T00:00:00Z", expiresAt: "2026-06-15T00:00:00Z" } })
    const missing = await t.env.LAYERON_SECRET.active("auth/nothing")
    assert.equal(missing.ok ? "ok" : missing.error.code, "secret_not_found")
  })
})

describe("sealed versions", () => {
  it("open with the sealing key and the secret's physical name, and fail as deployed without them", async () => {
    const keys = await generateSealingKeyPair()
    const probe = testSecrets({}, { names: { workspace: "acme", project: "shop", environment: "dev" } })
    const physicalName = await probe.physicalName("auth/session-key")
    assert.match(physicalName, /^lo_[0-9a-f]{24}$/)
    const envelope = {
      current: "v2",
      versions: { v1: { sealed: await seal(keys.publicKey, key(1), { physicalName, versionId: "v1" }), createdAt: "2026-05-01T00:00:00Z" }, v2: { value: key(2), createdAt: "2026-05-31T00:00:00Z" } },
    }
    const names = { workspace: "acme", project: "shop", environment: "dev" }
    const t = testSecrets({ "auth/session-key": envelope }, { now: NOW, names, sealingKey: keys.privateKey })
    assert.equal(await t.run(() => sessionKey.version("v1").text()), key(1))

    const noKey = testSecrets({ "auth/session-key": envelope }, { now: NOW, names })
    await rejectsWith(noKey.run(() => sessionKey.version("v1").text()), ProductUnavailableError, /sealing key \(layeron\/sealing-key\) is missing/)
    const otherKey = testSecrets({ "auth/session-key": envelope }, { now: NOW, names, sealingKey: (await generateSealingKeyPair()).privateKey })
    await rejectsWith(otherKey.run(() => sessionKey.version("v1").text()), InvalidEnvelopeError, /does not open/)
    // Sealed to this environment's name: under another environment's names it does not open.
    const otherEnv = testSecrets({ "auth/session-key": envelope }, { now: NOW, names: { ...names, environment: "prod" }, sealingKey: keys.privateKey })
    await rejectsWith(otherEnv.run(() => sessionKey.version("v1").text()), InvalidEnvelopeError, /does not open/)
  })
})

describe("t.rotate()", () => {
  it("retain_for: a new 32-byte v<N+1> at now, the previous current kept for the declared days, expired versions dropped", async () => {
    const t = testSecrets({ "auth/session-key": sessionEnvelope }, { now: NOW })
    const rotation = await t.rotate(sessionKey)
    assert.deepEqual(rotation, {
      version: "v4",
      createdAt: NOW,
      added: ["v4"],
      kept: ["v2", "v3"],
      expiring: [{ id: "v2", expiresAt: "2026-06-15T00:00:00Z" }, { id: "v3", expiresAt: "2026-06-15T00:00:00.000Z" }],
      dropped: ["v1"],
    })
    await t.run(async () => {
      const current = await sessionKey.current().resolve()
      assert.equal(current.version, "v4")
      assert.equal(current.createdAt, NOW)
      assert.equal((await current.bytes()).byteLength, 32)
      assert.notDeepEqual(await current.bytes(), new Uint8Array(32).fill(3))
      assert.equal(await sessionKey.version("v3").text(), key(3))
      await rejectsWith(sessionKey.version("v1").text(), UnknownVersionError)
    })
    t.setNow("2026-06-15T00:00:00Z")
    assert.deepEqual((await t.run(() => sessionKey.active())).map((v) => v.version), ["v4"])
  })

  it("retain_forever keeps every version without expiry; none drops the previous current", async () => {
    const t = testSecrets({ "storage/archive-key": key(1), "auth/api-key": key(1) }, { now: NOW })
    assert.deepEqual(await t.rotate(archiveKey), { version: "v2", createdAt: NOW, added: ["v2"], kept: ["v1"], expiring: [], dropped: [] })
    assert.deepEqual((await t.rotate(apiKey)).dropped, ["v1"])
    await t.run(async () => {
      assert.deepEqual((await archiveKey.active()).map((v) => v.version), ["v2", "v1"])
      await rejectsWith(apiKey.version("v1").text(), UnknownVersionError)
    })
  })

  it("gives a generated secret with no value its first version", async () => {
    const t = testSecrets({ "auth/api-key": null }, { now: NOW })
    assert.deepEqual(await t.rotate(apiKey), { version: "v1", createdAt: NOW, added: ["v1"], kept: [], expiring: [], dropped: [] })
    assert.equal((await t.run(() => apiKey.current().bytes())).byteLength, 32)
  })

  it("a key pair (generate) rotates as the CLI writes it: the published next key starts signing, a new next key is published", async () => {
    const signing = secret.generated({ name: "jwt-signing", namespace: "auth", generate: "ES256", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
    const t = testSecrets({ "auth/jwt-signing": null }, { now: NOW })
    const first = await t.rotate(signing)
    assert.deepEqual([first.version, first.added], ["v1", ["v1", "v2"]])
    const signer = jwt(signing)
    // Signed at the test's clock (NOW), so it must outlive the month until the rotation.
    const token = await t.run(() => signer.sign({ sub: "alice" }, { expiresIn: "45d" }))
    assert.deepEqual((await t.run(() => signer.jwks())).keys.map((k) => k.kid), ["v1", "v2"])

    t.setNow("2026-07-01T00:00:00Z")
    const second = await t.rotate(signing)
    assert.deepEqual([second.version, second.added, second.expiring], ["v2", ["v3"], [{ id: "v1", expiresAt: "2026-07-15T00:00:00.000Z" }]])
    assert.equal((await t.run(() => signer.verify(token))).sub, "alice")
    const newer = await t.run(() => signer.sign({ sub: "bob" }, { expiresIn: "1h" }))
    assert.equal(JSON.parse(atob(newer.split(".")[0]!.replace(/-/g, "+").replace(/_/g, "/"))).kid, "v2")
  })

  it("refuses a static secret, a secret without value or policy, and a non-module, changing nothing", async () => {
    const t = testSecrets({ "billing/stripe-secret": "sk_test_1", "auth/session-key": null, "auth/pinned": key(1) }, { now: NOW })
    await assert.rejects(t.rotate(stripe), (e: unknown) => e instanceof TestSecretsError && e.problem === "not_rotatable" && /"billing\/stripe-secret" is a static secret, and static secrets do not rotate/.test(e.message))
    await assert.rejects(t.rotate(sessionKey), /random secret's first value comes from `layer deploy`/)
    await assert.rejects(t.rotate(pinned), /declares no rotation policy/)
    await assert.rejects(t.rotate(archiveKey), /"storage\/archive-key" was not given to testSecrets\(\)/)
    await assert.rejects(t.rotate("auth/session-key" as never), /t\.rotate\(module\): expected a secret module/)
    assert.equal(await t.run(() => stripe.current().text()), "sk_test_1")
  })

  it("refuses to rotate before the newest version's createdAt (a clock moved back)", async () => {
    const t = testSecrets({ "auth/session-key": sessionEnvelope }, { now: NOW })
    t.setNow("2026-05-01T00:00:00Z")
    await assert.rejects(t.rotate(sessionKey), /t\.rotate\(auth\/session-key\): Cannot rotate: at .* is before the createdAt of version "v3"/)
  })
})

describe("bad input is refused at the call", () => {
  it("an invalid envelope, with the message `layer secret set` gives", () => {
    const bad = { current: "v1", versions: { v1: { value: "x", expiresat: "2026-07-01T00:00:00Z" } } }
    const message = /^testSecrets\(\): "auth\/session-key": the value is an envelope \(a JSON object with "current" and "versions"\) but it is invalid: Invalid secret envelope at versions\.v1\.expiresat: /
    throwsProblem(() => testSecrets({ "auth/session-key": bad }), "invalid_envelope", message)
    throwsProblem(() => testSecrets({ "auth/session-key": JSON.stringify(bad) }), "invalid_envelope", message)
    // Write-time rule: the current version must not be expired at now.
    throwsProblem(() => testSecrets({ "auth/session-key": { current: "v1", versions: { v1: { value: "x", expiresAt: "2026-05-01T00:00:00Z" } } } }, { now: NOW }), "invalid_envelope", /the current version "v1" expired at 2026-05-01T00:00:00Z/)
  })

  it("a value that is not text, an envelope or null, never quoting it", () => {
    throwsProblem(() => testSecrets({ "billing/partner": { clientId: "id", clientSecret: "hunter2" } as never }), "invalid_value", /not an envelope.*JSON\.stringify\(value\)/)
    throwsProblem(() => testSecrets({ "billing/partner": 42 as never }), "invalid_value", /is a number; a value is text/)
    throwsProblem(() => testSecrets({ "billing/partner": "" }), "invalid_value", /empty string/)
    throwsProblem(() => testSecrets({ "billing/partner": "x".repeat(70_000) }), "invalid_value", /70000 UTF-8 bytes; Cloudflare's limit is 65536/)
  })

  it("no message quotes the value it refuses", async () => {
    const leak = "sk_live_MUST_NOT_LEAK"
    const refusals: Array<() => unknown> = [
      () => testSecrets({ "auth/session-key": { current: "v1", versions: { v1: { value: leak, expiresat: NOW } } } }),
      () => testSecrets({ "auth/session-key": `{"current":"v2","versions":{"v1":{"value":"${leak}"}}}` }),
      () => testSecrets({ "auth/session-key": { current: "v1", versions: { v1: { value: leak, sealed: leak } } } }),
      () => testSecrets({ "billing/partner": { clientSecret: leak } as never }),
    ]
    for (const refuse of refusals) {
      assert.throws(refuse, (error: unknown) => error instanceof TestSecretsError && !error.message.includes(leak) && !String(error.stack).includes(leak))
    }
    const t = testSecrets({ "auth/session-key": leak })
    await assert.rejects(t.run(() => sessionKey.current().bytes()), (error: unknown) => error instanceof Error && !error.message.includes(leak))
  })

  it("a name that is neither namespace/name nor a module", () => {
    for (const name of ["stripe", "Auth/key", "a/b/c", "STRIPE_SECRET"]) {
      throwsProblem(() => testSecrets({ [name]: "v" }), "invalid_name", new RegExp(`"${name}" is neither "namespace/name"`))
    }
    throwsProblem(() => testSecrets(new Map([[{ declaration: {} } as never, "v"]])), "invalid_name", /an object is neither "namespace\/name"/)
    throwsProblem(() => testSecrets({ "layeron/sealing-key": "{}" }), "invalid_name", /reserved namespace "layeron"; pass the sealing key as the sealingKey option/)
    throwsProblem(() => testSecrets(new Map<unknown, string>([[sessionKey, key(1)], ["auth/session-key", key(2)]]) as never), "duplicate_secret", /"auth\/session-key" is given twice/)
  })

  it("a bad time for now or setNow()", () => {
    throwsProblem(() => testSecrets({}, { now: "2026-06-01 00:00" }), "invalid_time", /testSecrets\(values, \{ now \}\): "2026-06-01 00:00" is not a valid time/)
    const t = testSecrets({}, { now: NOW })
    for (const bad of ["tomorrow", "2026-06-01T00:00:00", Number.NaN, new Date("x"), 1e17, null]) {
      throwsProblem(() => t.setNow(bad as never), "invalid_time", /^t\.setNow\(time\): .* is not a valid time\. Pass a Date, epoch milliseconds, or an RFC 3339 time/)
    }
    assert.equal(t.now().toISOString(), NOW)
    // A time with bidi overrides and C1 controls is quoted escaped, so it cannot reorder or hide text in a log.
    throwsProblem(() => t.setNow("2026\u202e\u0085\u2028x" as never), "invalid_time", /"2026\\u202e\\u0085\\u2028x" is not a valid time/)
  })

  it("bad options", () => {
    throwsProblem(() => testSecrets({}, { sealingKey: "not json" }), "invalid_option", /sealingKey must be the sealing key pair's private JWK/)
    throwsProblem(() => testSecrets({}, { sealingKey: { kty: "EC" } }), "invalid_option", /private part "d"/)
    throwsProblem(() => testSecrets({}, { names: { environment: "" } }), "invalid_option", /names\.environment is a string; it must be a non-empty string/)
    throwsProblem(() => testSecrets(null as never), "invalid_option", /values is null/)
  })
})
