/**
 * The pure part of `secret revoke`: which versions go, the envelope written (the kept
 * versions as the state's sealed copies, the current one included), and every refusal.
 */
import assert from "node:assert/strict"
import { before, test } from "node:test"
import { secret } from "@layeron/modules"
import { validateEnvelope } from "@layeron/modules/envelope"
import { generateSealingKeyPair, seal } from "@layeron/modules/seal"
import { isLayerError } from "../errors.js"
import { planRevoke } from "./revoke.js"
import type { RevokeInputs } from "./revoke.js"
import { STATE_FORMAT } from "./types.js"
import type { SecretState } from "./types.js"

const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }).declaration
const stripe = secret.static({ name: "stripe", namespace: "payments" }).declaration
const metadata = { name: "lo_s", id: "id", created: "2026-01-01T00:00:00.000Z", modified: "m3" }

let publicKey: JsonWebKey
before(async () => {
  publicKey = (await generateSealingKeyPair()).publicKey
})

async function inputs(declaration = sessionKey, ids = ["v1", "v2", "v3"], log: SecretState["log"] = []): Promise<RevokeInputs> {
  const versions: SecretState["versions"] = {}
  for (const [i, id] of ids.entries()) {
    versions[id] = { sealed: await seal(publicKey, `value-${id}`, { physicalName: "lo_s", versionId: id }), createdAt: `2026-0${i + 1}-01T00:00:00.000Z`, ...(id !== ids.at(-1) ? { expiresAt: "2027-01-01T00:00:00.000Z" } : {}) }
  }
  const state: SecretState = { format: STATE_FORMAT, secret: declaration.id, physicalName: "lo_s", kind: declaration.kind, provider: { kind: "local", modified: "m3" }, current: ids.at(-1)!, versions, log }
  return { target: { declaration, physicalName: "lo_s" }, state, settledPending: false, metadata }
}

function refusal(fn: () => unknown): { code: string; message: string; hint: string } {
  try {
    fn()
  } catch (error) {
    assert.ok(isLayerError(error), String(error))
    return { code: error.code, message: error.message, hint: error.hint ?? "" }
  }
  assert.fail("expected a refusal")
}

test("removes the named versions; the rest is written as the state's sealed copies, current included", async () => {
  const given = await inputs()
  const plan = planRevoke(given, ["v1", "v1"], "production")
  assert.equal(plan.kind, "write")
  if (plan.kind !== "write") return
  assert.deepEqual(plan.revoke, ["v1"])
  assert.deepEqual(Object.keys(plan.after.versions).sort(), ["v2", "v3"])
  assert.equal(plan.after.current, "v3")
  assert.equal(plan.after.versions.v3!.sealed, given.state.versions.v3!.sealed)
  assert.equal(plan.after.versions.v2!.expiresAt, "2027-01-01T00:00:00.000Z")
  assert.doesNotThrow(() => validateEnvelope(plan.after), "a valid envelope")
  assert.equal(plan.size.status, "ok")
})

test("the current version is refused, with the rotate-then-revoke hint; nothing planned", async () => {
  const given = await inputs()
  const error = refusal(() => planRevoke(given, ["v1", "v3"], "production"))
  assert.equal(error.code, "current_version")
  assert.match(error.message, /v3 is the current version of auth\/session-key/)
  assert.match(error.hint, /layer secret rotate auth\/session-key --env production --now --apply --yes`, then revoke v3/)
})

test("an unknown version is refused, naming what the secret holds; a long one is not printed", async () => {
  const given = await inputs()
  const error = refusal(() => planRevoke(given, ["v9"], "production"))
  assert.equal(error.code, "unknown_version")
  assert.match(error.message, /auth\/session-key has no version "v9"; it holds v1, v2, v3/)
  const pasted = "x".repeat(60)
  const long = refusal(() => planRevoke(given, [pasted], "production"))
  assert.ok(!long.message.includes(pasted), "a long input (maybe a value) is never echoed")
  assert.match(long.message, /60 characters, not shown/)
})

test("a static secret's only (plain) value is refused as current, pointing at secret set", async () => {
  const given = await inputs(stripe, ["v1"])
  const error = refusal(() => planRevoke(given, ["v1"], "dev"))
  assert.equal(error.code, "current_version")
  assert.match(error.message, /payments\/stripe is a static secret holding one value \(v1\)/)
  assert.match(error.hint, /layer secret set payments\/stripe --env dev/)
})

test("a version an earlier revoke removed is reported as done, not as unknown (a rerun after a crash)", async () => {
  const given = await inputs(sessionKey, ["v2", "v3"], [{ at: "2026-04-01T00:00:00.000Z", action: "revoke", version: "v3", command: "layer secret revoke auth/session-key v1 --env dev", revoked: ["v1"] }])
  assert.deepEqual(planRevoke(given, ["v1"], "dev"), { kind: "done", alreadyRevoked: [{ id: "v1", at: "2026-04-01T00:00:00.000Z" }] })
  const mixed = planRevoke(given, ["v1", "v2"], "dev")
  assert.equal(mixed.kind, "write")
  assert.deepEqual(mixed.kind === "write" && [mixed.revoke, mixed.alreadyRevoked.map((entry) => entry.id)], [["v2"], ["v1"]])
})
