/** `layer secret list`: declared secrets with their status, then what no declaration claims. */
import assert from "node:assert/strict"
import { afterEach, beforeEach, describe, it } from "node:test"
import { createProject, jsonOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"

interface Row {
  namespace: string | null
  name: string
  physicalName: string
  status: string
  kind: string | null
  rotation: unknown
  modified: string | null
  declared: boolean
}

describe("layer secret list", () => {
  // Each case has its own project and writes what it lists: no case depends on another having run.
  let project: TestProject
  beforeEach(async () => {
    project = await createProject()
  })
  afterEach(async () => {
    await project.cleanup()
  })

  const setValues = async () => {
    assert.equal((await project.layer(["secret", "set", "payments/stripe", "--value-env", "V"], { env: { V: "sk" } })).code, 0)
    assert.equal((await project.layer(["secret", "set", "LEFTOVER", "--value-env", "V"], { env: { V: "x" } })).code, 0)
  }

  const list = async (...args: string[]) => {
    const run = await project.layer(["secret", "list", "--json", ...args])
    assert.equal(run.code, 0, run.stderr)
    return jsonOf<{ environment: string; secrets: Row[] }>(run)
  }

  it("reports declared secrets as missing (random) or external_value_required (static, generated) before any write", async () => {
    const doc = await list()
    assert.equal(doc.environment, "dev")
    assert.deepEqual(doc.secrets.map((s) => [`${s.namespace}/${s.name}`, s.kind, s.status, s.declared, s.modified]), [
      ["auth/session-key", "random", "missing", true, null],
      ["auth/signing-key", "generated", "external_value_required", true, null],
      ["default/webhook-key", "static", "external_value_required", true, null],
      ["payments/stripe", "static", "external_value_required", true, null],
    ])
    const session = doc.secrets[0]
    assert.match(session?.physicalName ?? "", /^lo_[0-9a-f]{24}$/)
    assert.deepEqual(session?.rotation, { everyDays: 30, retain: { mode: "retain_for", days: 14 } })
    assert.equal(doc.secrets[3]?.physicalName, "STRIPE_SECRET")
  })

  it("shows written secrets as present, undeclared ones with declared: false, and the sealing key as Layeron's", async () => {
    await setValues()
    const doc = await list()
    const stripe = doc.secrets.find((s) => s.name === "stripe")
    assert.equal(stripe?.status, "present")
    assert.match(stripe?.modified ?? "", /^\d{4}-\d\d-\d\dT/)
    const leftover = doc.secrets.find((s) => s.physicalName === "LEFTOVER")
    assert.deepEqual({ ...leftover, modified: null }, { namespace: null, name: "LEFTOVER", physicalName: "LEFTOVER", status: "present", kind: null, rotation: null, modified: null, declared: false, backend: null, pack: null })
    const sealing = doc.secrets.find((s) => s.kind === "sealing_key")
    assert.deepEqual([sealing?.namespace, sealing?.name, sealing?.status, sealing?.declared], ["layeron", "sealing-key", "present", false])
  })

  it("lists one environment at a time", async () => {
    await setValues()
    const staging = await list("--env", "staging")
    assert.equal(staging.environment, "staging")
    // The four declarations, none present: dev's writes (stripe, LEFTOVER, the sealing key) are not staging's.
    assert.deepEqual(staging.secrets.map((s) => [s.name, s.declared, s.status !== "present"]), [
      ["session-key", true, true],
      ["signing-key", true, true],
      ["webhook-key", true, true],
      ["stripe", true, true],
    ])
    assert.equal((await list()).secrets.find((s) => s.name === "stripe")?.status, "present")
  })

  it("prints a table with next steps for people", async () => {
    await setValues()
    const run = await project.layer(["secret", "list"])
    assert.equal(run.code, 0)
    assert.match(run.stdout, /^secrets in dev\nSECRET +PHYSICAL NAME +KIND +STATUS +ROTATION +MODIFIED\n/)
    assert.match(run.stdout, /^auth\/session-key +lo_[0-9a-f]{24} +random +missing +every 30d, keep 14d +-$/m)
    assert.match(run.stdout, /^\(undeclared\) +LEFTOVER +- +present/m)
    assert.match(run.stdout, /^layeron\/sealing-key \(layeron\) +lo_/m)
    assert.match(run.stdout, /^1 missing \(auth\/session-key\): `layer deploy --env dev` creates it$/m)
    // The footer names the secrets and the exact commands, not a `namespace/name` placeholder.
    assert.match(run.stdout, /^2 need a value; write them with:\n  layer secret set auth\/signing-key --env dev\n  layer secret set default\/webhook-key --env dev$/m)
  })
})

describe("layer secret list: who writes a value that is missing", () => {
  const API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
app.use(secret.generated({ name: "token-key", namespace: "auth", generate: "ES256", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }))
app.use(secret.generated({ name: "signing-key", namespace: "jobs", bytes: 32, rotation: { everyDays: 30 } }))
app.use(secret.random({ name: "cookie-key" }))
app.use(secret.static({ name: "stripe", namespace: "payments" }))
app.get("/", (c) => c.text("ok"))
export default app
`
  it("a key pair and a random secret are created by layer deploy; only what an operator must write is in \"write them with\"", async () => {
    const project = await createProject({ "src/api.ts": API })
    try {
      const json = await project.layer(["secret", "list", "--json"])
      assert.equal(json.code, 0, json.stderr)
      const status = Object.fromEntries(jsonOf<{ secrets: Row[] }>(json).secrets.map((row) => [`${row.namespace}/${row.name}`, row.status]))
      assert.deepEqual(status, { "auth/token-key": "missing", "jobs/signing-key": "external_value_required", "default/cookie-key": "missing", "payments/stripe": "external_value_required" })
      const run = await project.layer(["secret", "list"])
      assert.match(run.stdout, /^2 missing \(auth\/token-key, default\/cookie-key\): `layer deploy --env dev` creates them$/m)
      assert.match(run.stdout, /^1 generated secret has no value yet \(jobs\/signing-key\): `layer secret rotate --env dev --apply` generates it$/m)
      assert.match(run.stdout, /^1 needs a value; write it with:\n  layer secret set payments\/stripe --env dev$/m)
      assert.doesNotMatch(run.stdout, /secret set auth\/token-key|secret set jobs\/signing-key|secret set default\/cookie-key/)
    } finally {
      await project.cleanup()
    }
  })
})
