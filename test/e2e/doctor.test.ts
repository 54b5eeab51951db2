/**
 * `layer doctor` against the Cloudflare API emulator, after a real `layer deploy`: each check
 * is broken on purpose (an orphaned secret, a bound secret deleted, a full quota, a token
 * without Workers Scripts) and doctor must say so, with the fix, and exit 1 when action is needed.
 */
import assert from "node:assert/strict"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { generateSealingKeyPair, publicKeyFingerprint } from "@layeron/modules/seal"
import { cloudflareConfig, createProject, jsonOf } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"

interface Check {
  id: string
  status: string
  summary: string
  hint?: string
  items?: Array<{ subject: string; status: string; detail: string }>
  figures?: Record<string, unknown>
}
interface Doc {
  environment: string
  provider: string
  checks: Check[]
  needsAction: boolean
}

let emulator: Emulator
const cleanups: Array<() => Promise<void>> = []
before(async () => {
  emulator = await startEmulator({ pendingDelayMs: 0 })
})
after(async () => {
  for (const cleanup of cleanups) await cleanup()
  await emulator.close()
})

async function deployed(): Promise<{ project: TestProject; accountId: string; token: string; doctor(env?: Record<string, string>): Promise<{ run: LayerRun; doc: Doc }>; api(method: string, path: string, body?: unknown): Promise<any> }> {
  const accountId = emulator.addAccount({ withDefaultStore: true }).id
  const token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  const project = await createProject({ "layeron.config.ts": cloudflareConfig(accountId) })
  cleanups.push(() => project.cleanup())
  const env = { CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token, LAYERON_MAX_RETRY_WAIT_MS: "300" }
  const deploy = await project.layer(["deploy", "--env", "production", "--json", "--yes"], { env })
  assert.equal(deploy.code, 0, deploy.stderr)
  return {
    project,
    accountId,
    token,
    async doctor(extra = {}) {
      const run = await project.layer(["doctor", "--env", "production", "--json"], { env: { ...env, ...extra } })
      assert.ok(!(run.stdout + run.stderr).includes(token), "the token appeared in the output")
      return { run, doc: jsonOf<Doc>(run) }
    },
    async api(method, path, body) {
      const response = await fetch(`${emulator.url}/accounts/${accountId}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) })
      return response.json()
    },
  }
}

const check = (doc: Doc, id: string) => doc.checks.find((c) => c.id === id)!

describe("layer doctor", () => {
  test("after a deploy: credentials and confirmed permissions, quota, envelope sizes, bindings and anchors ok; exit 0", async () => {
    const d = await deployed()
    const { run, doc } = await d.doctor()
    assert.equal(run.code, 0, run.stderr + run.stdout)
    assert.equal(doc.needsAction, false)
    assert.deepEqual(doc.checks.map((c) => c.id), ["credentials", "quota", "envelope_sizes", "orphaned_secrets", "bindings", "anchors"])
    assert.equal(check(doc, "credentials").status, "ok")
    assert.deepEqual(check(doc, "credentials").figures?.confirmed, ["Account Secrets Store Read", "Account Workers Scripts Read"])
    assert.match(check(doc, "credentials").summary, /can only be confirmed by writing/)
    // packing: this environment's physical secrets now, packed and unpacked (docs/design.md#packing); two here either way.
    assert.deepEqual(check(doc, "quota").figures, { quota: 100, usage: 2, left: 98, packed: "no", physical: 2, physicalPacked: 2, physicalUnpacked: 2 })
    // Measured from the sealed copies alone, the size is the stored envelope's, to the byte.
    const session = check(doc, "envelope_sizes").items!.find((item) => item.subject.startsWith("auth/session-key"))!
    const sessionName = /\((lo_[0-9a-f]+)\)/.exec(session.subject)![1]!
    const account = emulator.accounts.find((a) => a.id === d.accountId)!
    const stored = emulator.getSecretValue(d.accountId, account.stores[0]!.id, sessionName)!
    assert.equal(session.detail, `${Buffer.byteLength(stored)} of 65,536 bytes`)
    assert.match(check(doc, "envelope_sizes").items?.find((item) => item.subject.startsWith("payments/stripe"))?.detail ?? "", /size unknown/)
    assert.equal(check(doc, "orphaned_secrets").status, "ok")
    assert.equal(check(doc, "bindings").status, "ok")
    assert.equal(check(doc, "anchors").status, "ok")
    assert.match(check(doc, "anchors").summary, /^[1-9]\d* anchored, 0 written before anchors, 0 not matching the committed state$/)
    const human = await d.project.layer(["doctor", "--env", "production"], { env: { CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: d.token } })
    assert.match(human.stdout, /ok +anchors: [1-9]\d* anchored/)
    assert.match(human.stdout, /nothing needs action/)
  })

  test("an orphaned lo_ secret is listed with how to delete it; a deleted bound secret needs action (exit 1)", async () => {
    const d = await deployed()
    const stores = await d.api("GET", "/secrets_store/stores")
    const storeId = stores.result[0].id as string
    await d.api("POST", `/secrets_store/stores/${storeId}/secrets`, [{ name: "lo_000000000000000000000000", value: "left over", scopes: ["workers"] }])
    const orphaned = await d.doctor()
    assert.equal(orphaned.run.code, 0, "an orphan is a warning, not an action")
    assert.equal(check(orphaned.doc, "orphaned_secrets").status, "warning")
    assert.deepEqual(check(orphaned.doc, "orphaned_secrets").figures?.orphans, ["lo_000000000000000000000000"])
    assert.match(check(orphaned.doc, "orphaned_secrets").hint ?? "", /layer secret delete lo_000000000000000000000000 --force --env production/)

    const session = check(orphaned.doc, "envelope_sizes").items!.find((item) => item.subject.startsWith("auth/session-key"))!.subject.match(/\((lo_[0-9a-f]+)\)/)![1]!
    const listed = await d.api("GET", `/secrets_store/stores/${storeId}/secrets?per_page=100`)
    const id = (listed.result as Array<{ id: string; name: string }>).find((secret) => secret.name === session)!.id
    await d.api("DELETE", `/secrets_store/stores/${storeId}/secrets/${id}`)
    const broken = await d.doctor()
    assert.equal(broken.run.code, 1)
    assert.equal(broken.doc.needsAction, true)
    const bad = check(broken.doc, "bindings").items!.filter((item) => item.status === "action")
    assert.equal(bad.length, 1)
    assert.match(bad[0]!.subject, new RegExp(`→ ${session} \\(auth/session-key\\)`))
    assert.match(bad[0]!.detail, /missing from the store.*10182/)
  })

  test("a full quota needs action; a token without Workers Scripts is told what to add", async () => {
    const d = await deployed()
    emulator.setQuota(2, d.accountId)
    const full = await d.doctor()
    assert.equal(full.run.code, 1)
    assert.equal(check(full.doc, "quota").status, "action")
    assert.match(check(full.doc, "quota").summary, /2 of 2 secrets used \(0 left\).*maximum_secrets_exceeded/)
    emulator.setQuota(100, d.accountId)

    const storeOnly = emulator.addToken({ kind: "user", accountIds: [d.accountId], permissions: ["secrets_store_read"] })
    const limited = await d.doctor({ CLOUDFLARE_API_TOKEN: storeOnly })
    assert.equal(limited.run.code, 1)
    assert.equal(check(limited.doc, "credentials").status, "action")
    assert.deepEqual(check(limited.doc, "credentials").figures?.missing, ["Account Workers Scripts Read"])
    assert.match(check(limited.doc, "credentials").hint ?? "", /Workers Scripts Edit/)
  })

  test("a token that cannot reach the account: credentials need action, the rest is not checked", async () => {
    const d = await deployed()
    const other = emulator.addAccount().id
    const stranger = emulator.addToken({ kind: "user", accountIds: [other], permissions: [...PERMISSIONS] })
    const { run, doc } = await d.doctor({ CLOUDFLARE_API_TOKEN: stranger })
    assert.equal(run.code, 1)
    assert.equal(check(doc, "credentials").status, "action")
    assert.equal(check(doc, "quota").status, "not_checked")
    assert.equal(check(doc, "bindings").status, "not_checked")
  })

  test("a local environment: no credentials or quota to check; envelope sizes, orphans and bindings from the local store", async () => {
    const project = await createProject()
    cleanups.push(() => project.cleanup())
    assert.equal((await project.layer(["deploy", "--json", "--yes"])).code, 0)
    const run = await project.layer(["doctor", "--json"])
    assert.equal(run.code, 0, run.stderr)
    const doc = jsonOf<Doc>(run)
    assert.equal(doc.provider, "local")
    assert.deepEqual(doc.checks.map((c) => [c.id, c.status]), [
      ["quota", "not_checked"],
      ["envelope_sizes", "ok"],
      ["orphaned_secrets", "ok"],
      ["bindings", "ok"],
      ["anchors", "ok"],
    ])
  })

  test("a committed public key the store does not vouch for: anchors need action (exit 1), naming the file and both fingerprints, and nothing is written", async () => {
    const d = await deployed()
    const file = join(d.project.root, ".layeron", "secret-rotation", "production", "public-key.json")
    const original = JSON.parse(await readFile(file, "utf8")) as { fingerprint: string }
    const attacker = await generateSealingKeyPair()
    const forged = await publicKeyFingerprint(attacker.publicKey)
    await writeFile(file, JSON.stringify({ ...original, publicKey: attacker.publicKey, fingerprint: forged }, null, 2))
    const before = await d.project.snapshot()
    const { run, doc } = await d.doctor()
    assert.equal(run.code, 1, run.stderr + run.stdout)
    assert.equal(doc.needsAction, true)
    const anchors = check(doc, "anchors")
    assert.equal(anchors.status, "action")
    assert.match(anchors.summary, /[1-9]\d* not matching the committed state/)
    assert.match(anchors.hint ?? "", /--re-anchor/)
    const key = anchors.items!.find((item) => item.subject === "layeron/sealing-key")!
    assert.equal(key.status, "action")
    assert.ok(key.detail.includes("public-key.json"), key.detail)
    assert.ok(key.detail.includes(forged.slice(0, 16)), `the committed fingerprint: ${key.detail}`)
    assert.deepEqual(await d.project.snapshot(), before, "doctor wrote nothing")
  })
})
