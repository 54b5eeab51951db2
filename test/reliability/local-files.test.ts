/**
 * The local store's files on a bad day (issue 25): a record that does not decrypt, a damaged
 * key file, times from the future. Each case through the built CLI: what the user sees (the
 * file named, the code, a true hint), that nothing is written where the command refuses, and
 * that the way out the hint names works.
 */
import assert from "node:assert/strict"
import { readdir, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { createProject, jsonOf } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"

const KEY = "AAECAwQFBgcICQoLDA0ODwABAgMEBQYHCAkKCwwNDg8"
const SESSION_KEY = "lo_6c602ad371a7bc713e5d1223"

function failedWith(run: LayerRun, code: string): { code: string; message: string; hint: string | null } {
  assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`)
  const { error } = jsonOf<{ error: { code: string; message: string; hint: string | null } }>(run)
  assert.equal(error.code, code, error.message)
  return error
}

/** One changed character in a record's ciphertext, as a bad sector or a stray edit would leave it. */
async function corrupt(file: string): Promise<void> {
  const record = JSON.parse(await readFile(file, "utf8")) as { ciphertext: string }
  const at = 30
  record.ciphertext = `${record.ciphertext.slice(0, at)}${record.ciphertext[at] === "A" ? "B" : "A"}${record.ciphertext.slice(at + 1)}`
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`)
}

describe("local files on a bad day", () => {
  const projects: TestProject[] = []
  async function project(): Promise<TestProject> {
    const made = await createProject()
    projects.push(made)
    return made
  }
  after(async () => {
    for (const made of projects) await made.cleanup()
  })

  it("a record that does not decrypt is named by its path in list, set, rotate and doctor; set replaces it only with --replace-all", async () => {
    const p = await project()
    assert.equal((await p.layer(["secret", "set", "auth/session-key", "--value-env", "V"], { env: { V: KEY } })).code, 0)
    assert.equal((await p.layer(["secret", "set", "TOKEN", "--value-env", "V"], { env: { V: "token-value" } })).code, 0)
    const dir = join(p.root, ".layeron", "local", "dev")
    const declared = join(dir, `${SESSION_KEY}.json`)
    const undeclared = join(dir, "TOKEN.json")
    await corrupt(declared)
    await corrupt(undeclared)
    const before = await p.snapshot()

    const list = await p.layer(["secret", "list", "--json"])
    assert.equal(list.code, 0, list.stderr)
    for (const file of [declared, undeclared]) assert.ok(list.stderr.includes(`${file} (`) && /local_record_unreadable/.test(list.stderr), `list names ${file}: ${list.stderr}`)
    const statuses = new Map(jsonOf<{ secrets: { physicalName: string; status: string }[] }>(list).secrets.map((row) => [row.physicalName, row.status]))
    assert.equal(statuses.get(SESSION_KEY), "unreadable")
    assert.equal(statuses.get("TOKEN"), "unreadable")

    for (const [name, file] of [["TOKEN", undeclared], ["auth/session-key", declared]] as const) {
      const error = failedWith(await p.layer(["secret", "set", name, "--value-env", "V", "--json"], { env: { V: KEY } }), "local_record_unreadable")
      assert.ok(error.message.includes(file), error.message)
      assert.match(error.hint ?? "", /--replace-all/)
    }
    for (const args of [["secret", "rotate", "--json"], ["secret", "rotate", "--apply", "--yes", "--json"]]) {
      const error = failedWith(await p.layer(args, { env: { LAYERON_TEST_NOW: "2027-06-01T00:00:00Z" } }), "local_record_unreadable")
      assert.ok(error.message.includes(declared), `${args.join(" ")} blames the record: ${error.message}`)
      assert.doesNotMatch(error.message, /rotation state/)
    }
    const doctor = await p.layer(["doctor", "--json"])
    const anchors = jsonOf<{ checks: { id: string; status: string; hint?: string; items?: { detail: string }[] }[] }>(doctor).checks.find((check) => check.id === "anchors")
    assert.equal(anchors?.status, "action")
    assert.ok(anchors?.items?.some((item) => item.detail.startsWith(`${declared}: the local record does not decrypt`)), JSON.stringify(anchors))
    assert.doesNotMatch(anchors?.hint ?? "", /git checkout|committed state/)
    assert.deepEqual(await p.snapshot(), before, "nothing was written by any of them")

    // --replace-all needs a confirmation: refused without a terminal and without --yes.
    failedWith(await p.layer(["secret", "set", "TOKEN", "--replace-all", "--value-env", "V", "--json"], { env: { V: "new" } }), "confirmation_required")
    assert.deepEqual(await p.snapshot(), before)
    for (const [name, value] of [["TOKEN", "new"], ["auth/session-key", KEY]] as const) {
      const replaced = await p.layer(["secret", "set", name, "--replace-all", "--yes", "--value-env", "V", "--json"], { env: { V: value } })
      assert.equal(replaced.code, 0, replaced.stderr)
      assert.match(replaced.stderr, /was moved to/)
    }
    const aside = (await readdir(dir)).filter((name) => name.includes(".unreadable-"))
    assert.equal(aside.length, 2, "both unreadable files are kept beside the store")
    const clean = await p.layer(["secret", "list", "--json"])
    assert.doesNotMatch(clean.stderr, /local_record_unreadable/)
    for (const row of jsonOf<{ secrets: { physicalName: string; status: string }[] }>(clean).secrets.filter((row) => [SESSION_KEY, "TOKEN"].includes(row.physicalName))) assert.equal(row.status, "present")
    assert.equal((await p.layer(["secret", "rotate", "--apply", "--yes"], { env: { LAYERON_TEST_NOW: "2027-06-01T00:00:00Z" } })).code, 0)
  })

  it("an empty or short fingerprint.key is recreated with a warning, and the write goes through", async () => {
    const p = await project()
    assert.equal((await p.layer(["secret", "set", "TOKEN", "--value-env", "V"], { env: { V: "first" } })).code, 0)
    for (const content of ["", "short"]) {
      await writeFile(join(p.home, "fingerprint.key"), content)
      const run = await p.layer(["secret", "set", "TOKEN", "--value-env", "V", "--json"], { env: { V: "second" } })
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stderr, new RegExp(`fingerprint key at ${join(p.home, "fingerprint.key").replace(/[/.]/g, "\\$&")} held ${content.length} bytes instead of 32.*a new one was made`))
      assert.doesNotMatch(run.stderr, /cannot be read/)
      assert.equal((await stat(join(p.home, "fingerprint.key"))).size, 32)
      assert.equal(((await stat(join(p.home, "fingerprint.key"))).mode & 0o777), 0o600)
    }
  })

  it("a short local-store.key is refused before anything is written, with a hint that deletes nothing", async () => {
    const p = await project()
    assert.equal((await p.layer(["secret", "set", "TOKEN", "--value-env", "V"], { env: { V: "first" } })).code, 0)
    const keyFile = join(p.home, "local-store.key")
    await writeFile(keyFile, (await readFile(keyFile)).subarray(0, 10))
    const before = await p.snapshot()
    const error = failedWith(await p.layer(["secret", "set", "OTHER", "--value-env", "V", "--json"], { env: { V: "x" } }), "key_corrupt")
    assert.ok(error.message.includes(keyFile) && /holds 10 bytes; expected 32/.test(error.message), error.message)
    assert.match(error.message, /nothing was written/)
    assert.match(error.hint ?? "", /restore .* from a backup/)
    assert.doesNotMatch(error.hint ?? "", /delet/)
    assert.deepEqual(await p.snapshot(), before)
  })

  it("state and records written by a clock 40 days ahead: a warning names each file and the skew; within minutes, none", async () => {
    const p = await project()
    const ahead = new Date(Date.now() + 40 * 86_400_000).toISOString()
    assert.equal((await p.layer(["secret", "set", "auth/session-key", "--value-env", "V"], { env: { V: KEY, LAYERON_TEST_NOW: ahead } })).code, 0)
    const plan = await p.layer(["secret", "rotate", "--json"])
    const stateFile = join(p.root, ".layeron", "local", "dev", "rotation", `${SESSION_KEY}.json`)
    const recordFile = join(p.root, ".layeron", "local", "dev", `${SESSION_KEY}.json`)
    assert.ok(plan.stderr.includes(`rotation state ${stateFile} holds a time 39 days`) || plan.stderr.includes(`rotation state ${stateFile} holds a time 40 days`), plan.stderr)
    assert.ok(plan.stderr.includes(`local record ${recordFile} holds a time`), plan.stderr)
    assert.match(plan.stderr, /rotation waits that much longer/)
    const list = await p.layer(["secret", "list"])
    assert.ok(list.stderr.includes(`local record ${recordFile} holds a time`), list.stderr)

    const q = await project()
    const minutes = new Date(Date.now() + 2 * 60_000).toISOString()
    assert.equal((await q.layer(["secret", "set", "auth/session-key", "--value-env", "V"], { env: { V: KEY, LAYERON_TEST_NOW: minutes } })).code, 0)
    const calm = await q.layer(["secret", "rotate", "--json"])
    assert.doesNotMatch(calm.stderr, /ahead of this machine's clock/)
  })
})
