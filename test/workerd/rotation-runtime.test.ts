/**
 * What a rotation means at run time, in workerd: rotate through the built CLI on the local
 * provider, decrypt the local store (the local provider's decryptAll, as `layer dev` does),
 * serve it to the Secret Product Worker through miniflare (harness.ts) and read through the
 * app's runtime. The CLI project is named like the harness (workspace "test", project
 * "runtime", environment "workerd"), so the physical names and the sealing key line up.
 *
 * Times are relative to the real clock, which workerd shares: versions are written "days
 * ago" with LAYERON_TEST_NOW, and the last rotation runs at the real time.
 */
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { localTarget, layerOn, openStored, readLocalStore, sealingPrivateKey } from "../helpers/rotation.js"
import { startRuntime } from "./harness.js"
import type { RuntimeHarness } from "./harness.js"
import type { ResolvedView } from "./fixtures/app-worker.js"

const DAY = 86_400_000
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString()

const CONFIG = `import { project } from "@layeron/core"
export default project({
  workspace: "test",
  name: "runtime",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "workerd",
  environments: { workerd: { provider: "local" } },
})
`
/** The harness's auth/session-key and storage/encryption-key, with the session key's retain mode to choose. */
const api = (sessionRetain: string) => `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
export const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: ${sessionRetain} } })
export const encryptionKey = secret.random({ name: "encryption-key", namespace: "storage", rotation: { everyDays: 90, retain: { mode: "retain_forever" } } })
app.use(sessionKey)
app.use(encryptionKey)
export default app
`
const SEEDS = { "auth/session-key": "c2Vzc2lvbi1rZXktc2VlZC12YWx1ZS0zMi1ieXRlcyE", "storage/encryption-key": "ZW5jcnlwdGlvbi1rZXktc2VlZC12YWx1ZS0zMi1ieXQ" }

let rt: RuntimeHarness
before(async () => {
  rt = await startRuntime()
})
after(async () => {
  await rt?.dispose()
})

async function project(sessionRetain: string): Promise<TestProject> {
  const created = await createProject({ "layeron.config.ts": CONFIG, "src/api.ts": api(sessionRetain) })
  for (const [id, value] of Object.entries(SEEDS)) {
    const run = await created.layer(["secret", "set", id, "--value-env", "V"], { env: { V: value, LAYERON_TEST_NOW: daysAgo(100) } })
    assert.equal(run.code, 0, run.stderr)
  }
  return created
}

async function rotate(target: TestProject, at?: string): Promise<void> {
  const run = await layerOn(localTarget(target, "workerd"), ["secret", "rotate", "--apply", "--yes"], at ? { LAYERON_TEST_NOW: at } : {})
  assert.equal(run.code, 0, run.stdout + run.stderr)
}

/** Serve the project's local store to the Secret Product Worker, as `layer dev` would. */
async function serve(target: TestProject): Promise<Map<string, string>> {
  const texts = await readLocalStore(target, "workerd")
  const key = await sealingPrivateKey(target, texts, "workerd")
  assert.equal(texts.has(rt.sealingPhysicalName), true, "the CLI's sealing key is under the harness's physical name")
  await rt.storeSealingKey(texts.get(rt.sealingPhysicalName)!)
  const values = new Map<string, string>()
  for (const secret of ["sessionKey", "encryptionKey"] as const) {
    const name = rt.physicalNames[secret]
    await rt.store(secret, texts.get(name)!)
    for (const [id, version] of (await openStored(texts.get(name)!, name, key)).versions) values.set(`${secret}/${id}`, version.value)
  }
  return values
}

async function active(secret: "sessionKey" | "encryptionKey"): Promise<ResolvedView[]> {
  const answer = await rt.read({ secret, op: "active" })
  assert.ok(answer.ok, JSON.stringify(!answer.ok && answer.error))
  return answer.result as ResolvedView[]
}

describe("after rotations through the CLI, active() in workerd", () => {
  it("retain_for: the new version, then the old one until its expiry; an expired one is gone", async () => {
    const target = await project(`{ mode: "retain_for", days: 14 }`)
    try {
      // v2 sixty days ago: v1 expired 46 days ago, so only v2 is active.
      await rotate(target, daysAgo(60))
      let values = await serve(target)
      assert.deepEqual((await active("sessionKey")).map((v) => v.version), ["v2"])

      // v3 now: v2 stays readable for 14 days, v1 (expired) is dropped.
      await rotate(target)
      values = await serve(target)
      const versions = await active("sessionKey")
      assert.deepEqual(versions.map((v) => v.version), ["v3", "v2"])
      assert.deepEqual(versions.map((v) => v.text), [values.get("sessionKey/v3"), values.get("sessionKey/v2")], "v2 is unsealed by the product worker")
      assert.equal(versions[0]!.expiresAt, undefined)
      const expiry = Date.parse(versions[1]!.expiresAt!) - Date.parse(versions[0]!.createdAt!)
      assert.equal(expiry, 14 * DAY, "v2 expires 14 days after v3 was created")
      assert.equal(versions[1]!.bytes.length, 32)
      const current = await rt.read({ secret: "sessionKey", op: "current" })
      assert.ok(current.ok && current.result === values.get("sessionKey/v3"))
      const v1 = await rt.read({ secret: "sessionKey", op: "version", arg: "v1" })
      assert.ok(!v1.ok && v1.error.code === "unknown_version")

      // retain_forever on the other secret: both versions, no expiry.
      const forever = await active("encryptionKey")
      assert.deepEqual(forever.map((v) => [v.version, v.expiresAt]), [["v2", undefined], ["v1", undefined]])
      assert.equal(forever[1]!.text, SEEDS["storage/encryption-key"])
    } finally {
      await target.cleanup()
    }
  })

  it("retain: none: only the new version", async () => {
    const target = await project(`{ mode: "none" }`)
    try {
      await rotate(target)
      const values = await serve(target)
      const versions = await active("sessionKey")
      assert.deepEqual(versions.map((v) => [v.version, v.text]), [["v2", values.get("sessionKey/v2")]])
      assert.notEqual(versions[0]!.text, SEEDS["auth/session-key"])
      const old = await rt.read({ secret: "sessionKey", op: "version", arg: "v1" })
      assert.ok(!old.ok && old.error.code === "unknown_version")
    } finally {
      await target.cleanup()
    }
  })
})
