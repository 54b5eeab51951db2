/**
 * Per-backend isolation in workerd: two app Workers of one project, each with its own
 * LAYERON_SECRET service binding whose props name its backend. Backend "other" registers only
 * plain/greeting; it imports the other declarations (the module API) and calls its binding
 * directly (raw RPC), as an attacker's route would. Every read of a secret it does not
 * register is refused with secret_not_registered naming the backend and the secret, and no
 * answer carries a value. A binding without props, or naming a backend the project does not
 * have, is refused the same way.
 */
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { APP, OTHER_APP, startRuntime } from "./harness.js"
import type { RuntimeHarness } from "./harness.js"
import type { ReadRequest } from "./fixtures/app-worker.js"

const STRIPE = "sk_live_CANARY_isolation_5e0b19"
const CREDENTIALS = JSON.stringify({ clientId: "partner", clientSecret: "CANARY_partner_secret_93d1" })
const GREETING = "hello from the greeting"

let rt: RuntimeHarness
before(async () => {
  rt = await startRuntime()
  await rt.store("stripe", STRIPE)
  await rt.store("credentials", CREDENTIALS)
  await rt.store("greeting", GREETING)
})
after(async () => {
  await rt?.dispose()
})

function noValue(answer: unknown): void {
  const text = JSON.stringify(answer)
  for (const value of [STRIPE, "CANARY_partner_secret_93d1"]) assert.ok(!text.includes(value), "a value crossed to a backend that does not register it")
}

describe("a backend reads only the secrets it registers", () => {
  test("the registering backend reads; the other one, through the module API, is refused naming itself, the secret and app.use", async () => {
    assert.deepEqual(await rt.read({ secret: "stripe", op: "current" }, APP), { ok: true, result: STRIPE })
    assert.deepEqual(await rt.read({ secret: "greeting", op: "current" }, OTHER_APP), { ok: true, result: GREETING })
    const attempts: ReadRequest[] = [
      { secret: "stripe", op: "current" },
      { secret: "stripe", op: "current", reader: "resolve" },
      { secret: "credentials", op: "version", arg: "v1", reader: "json" },
      { secret: "credentials", op: "at", arg: Date.now() },
      { secret: "credentials", op: "active" },
    ]
    for (const request of attempts) {
      const answer = await rt.read(request, OTHER_APP)
      noValue(answer)
      assert.equal(answer.ok, false, `${request.secret} ${request.op} was served to "other"`)
      if (answer.ok) continue
      assert.equal(answer.error.name, "SecretNotRegisteredError")
      assert.equal(answer.error.code, "secret_not_registered")
      assert.equal(answer.error.isSecretError, true)
      const id = request.secret === "stripe" ? "billing/stripe" : "partner/credentials"
      assert.equal(answer.error.secretId, id)
      assert.match(answer.error.message, new RegExp(`^Backend "other" does not register secret "${id}", so the Secret Product Worker does not serve it to that backend\\. Register it in that backend with app\\.use\\(.*\\), then redeploy with \`layer deploy\` \\(or restart \`layer dev\`\\)\\.$`))
    }
  })

  test("raw calls on the other backend's binding (read and active, every selector) are refused as data, never a value", async () => {
    const calls: Array<["read" | "active", unknown[]]> = [
      ["read", ["billing/stripe", { kind: "current" }]],
      ["read", ["partner/credentials", { kind: "version", id: "v1" }]],
      ["read", ["partner/credentials", { kind: "at", time: new Date().toISOString() }]],
      ["active", ["billing/stripe"]],
      ["active", ["partner/credentials"]],
    ]
    for (const [method, args] of calls) {
      const answer = await rt.rpc("LAYERON_SECRET", method, args, OTHER_APP)
      noValue(answer)
      assert.equal(answer.thrown, undefined)
      const reply = answer.reply as { ok: boolean; error?: { code: string; secretId: string; message: string } }
      assert.equal(reply.ok, false)
      assert.equal(reply.error?.code, "secret_not_registered")
      assert.equal(reply.error?.secretId, args[0])
      assert.match(reply.error?.message ?? "", /^Backend "other" does not register secret/)
    }
  })

  test("a binding without props, or naming a backend the project does not have, is refused: no caller, no secret", async () => {
    const unnamed = await rt.rpc("NO_PROPS", "read", ["billing/stripe", { kind: "current" }])
    noValue(unnamed)
    const unnamedReply = unnamed.reply as { ok: boolean; error?: { code: string; message: string } }
    assert.equal(unnamedReply.error?.code, "secret_not_registered")
    assert.match(unnamedReply.error?.message ?? "", /did not say which backend it is \(its LAYERON_SECRET service binding has no props\.backend\).*`layer deploy --product-only` prints/)
    const stranger = await rt.rpc("STRANGER", "active", ["billing/stripe"])
    noValue(stranger)
    const strangerReply = stranger.reply as { ok: boolean; error?: { code: string; message: string } }
    assert.equal(strangerReply.error?.code, "secret_not_registered")
    assert.match(strangerReply.error?.message ?? "", /^Backend "stranger" \(the caller's props\.backend\) is not a backend of this Secret Product Worker/)
  })
})
