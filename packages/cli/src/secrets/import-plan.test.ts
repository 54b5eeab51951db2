import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { secret } from "@layeron/modules"
import { isLayerError } from "../errors.js"
import type { SecretCatalog } from "./catalog.js"
import { planImport } from "./import-plan.js"

const declared = (declaration: ReturnType<typeof secret.static>["declaration"], physicalName: string) => ({ declaration, backend: "api", physicalName })
const catalog: SecretCatalog = {
  environment: "dev",
  sealingKeyName: "lo_sealing",
  declared: [
    declared(secret.random({ name: "session-key", namespace: "auth" }).declaration, "lo_auth_session"),
    declared(secret.static({ name: "api-key", namespace: "billing" }).declaration, "lo_billing_api"),
    declared(secret.static({ name: "api-key", namespace: "partner" }).declaration, "lo_partner_api"),
    declared(secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" }).declaration, "STRIPE_SECRET"),
  ],
}
const KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
const options = (maps: string[] = []) => ({ maps, plain: false, now: new Date("2026-05-01T00:00:00Z"), source: "FILE" })
const entry = (key: string, value = "v", line = 1) => ({ key, value, line })

describe("planImport: key resolution", () => {
  it("resolves names as secret set does, then the env-style convention, then as Cloudflare names", () => {
    const planned = planImport([entry("SESSION_KEY", KEY, 1), entry("BILLING__API_KEY", "b", 2), entry("STRIPE_SECRET", "s", 3), entry("OTHER", "o", 4), entry("partner/api-key", "p", 5)], catalog, options())
    assert.deepEqual(planned.map((p) => [p.entry.key, p.target.physicalName, p.via]), [
      ["SESSION_KEY", "lo_auth_session", "convention"],
      ["BILLING__API_KEY", "lo_billing_api", "convention"],
      ["STRIPE_SECRET", "STRIPE_SECRET", "name"],
      ["OTHER", "OTHER", "name"],
      ["partner/api-key", "lo_partner_api", "name"],
    ])
  })

  it("refuses a key two declarations match, naming both and the fix", () => {
    assert.throws(() => planImport([entry("API_KEY", "x", 7)], catalog, options()), (error) => {
      assert.ok(isLayerError(error))
      assert.match(error.message, /^FILE line 7 \(API_KEY\): API_KEY matches billing\/api-key and partner\/api-key by the env-style convention; nothing was written$/)
      assert.match(error.hint ?? "", /the key BILLING__API_KEY=… or --map API_KEY=billing\/api-key/)
      return true
    })
  })

  it("--map wins, must name a key of the file, and is never echoed when malformed", () => {
    assert.equal(planImport([entry("API_KEY")], catalog, options(["API_KEY=partner/api-key"]))[0]?.target.physicalName, "lo_partner_api")
    assert.throws(() => planImport([entry("A")], catalog, options(["B=auth/session-key"])), /--map B=…: FILE has no key B/)
    assert.throws(() => planImport([entry("A")], catalog, options(["sk_live CANARY"])), (error) => isLayerError(error) && !error.message.includes("CANARY"))
  })
})
