/** `layer secret delete`: confirmation, --force for declared secrets, rotation state removed. */
import assert from "node:assert/strict"
import { stat } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, jsonOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { stateDirOf } from "../helpers/temp-project.mjs"
import { layerInPty } from "../helpers/pty.js"
import { assertRefused } from "../helpers/refusals.js"

const B64_32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

describe("layer secret delete", () => {
  let project: TestProject
  let sessionKey: string
  before(async () => {
    project = await createProject()
    for (const name of ["OLD_A", "OLD_B", "OLD_C", "OLD_D"]) {
      assert.equal((await project.layer(["secret", "set", name, "--value-env", "V"], { env: { V: "x" } })).code, 0)
    }
    const set = await project.layer(["secret", "set", "auth/session-key", "--value-env", "V", "--json"], { env: { V: B64_32 } })
    sessionKey = jsonOf<{ physicalName: string }>(set).physicalName
  })
  after(async () => {
    await project.cleanup()
  })

  const storeFile = (name: string) => join(project.root, ".layeron", "local", "dev", `${name}.json`)
  const stateFile = (name: string) => join(stateDirOf(project.root, "dev"), `${name}.json`)

  async function refused(args: string[], code: string, message: RegExp, hint: RegExp): Promise<void> {
    await assertRefused(project, args, { code, message, hint })
  }

  it("needs --yes without a terminal, and deletes nothing", async () => {
    await refused(["secret", "delete", "OLD_A"], "confirmation_required", /deleting OLD_A from dev needs confirmation, and stdin is not a terminal/, /--yes/)
  })

  it("refuses a declared secret without --force", async () => {
    await refused(["secret", "delete", "auth/session-key", "--yes"], "declared_secret", /refusing to delete lo_[0-9a-f]{24} \(auth\/session-key\) from dev: auth\/session-key is declared by backend "api"/, /--force/)
  })

  it("refuses Layeron's sealing key without --force", async () => {
    await refused(["secret", "delete", "layeron/sealing-key", "--yes"], "declared_secret", /Layeron's sealing key/, /--force/)
  })

  it("fails with exit 1 for a name the store does not hold", async () => {
    await refused(["secret", "delete", "NEVER_SET", "--yes"], "secret_not_found", /no secret NEVER_SET in dev/, /layer secret list --env dev/)
  })

  it("deletes an undeclared secret with --yes", async () => {
    const run = await project.layer(["secret", "delete", "OLD_A", "--yes", "--json"])
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(jsonOf(run), { environment: "dev", name: "OLD_A", physicalName: "OLD_A", declared: null, deleted: true })
    await assert.rejects(stat(storeFile("OLD_A")), { code: "ENOENT" })
  })

  it("deletes a declared secret with --force --yes, and its rotation state", async () => {
    await stat(stateFile(sessionKey))
    const run = await project.layer(["secret", "delete", "auth/session-key", "--force", "--yes"])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^deleted lo_[0-9a-f]{24} \(auth\/session-key\) from dev\n$/)
    await assert.rejects(stat(storeFile(sessionKey)), { code: "ENOENT" })
    await assert.rejects(stat(stateFile(sessionKey)), { code: "ENOENT" })
  })

  it("asks at a terminal: y deletes", async () => {
    const run = await layerInPty(project, ["secret", "delete", "OLD_B"], [{ expect: "Delete OLD_B from dev? [y/N] ", send: "y\r" }], { NO_COLOR: "1" })
    assert.equal(run.exitCode, 0, run.output)
    assert.match(run.output, /deleted OLD_B from dev/)
    await assert.rejects(stat(storeFile("OLD_B")), { code: "ENOENT" })
  })

  it("asks at a terminal: anything else keeps the secret and exits 1", async () => {
    const run = await layerInPty(project, ["secret", "delete", "OLD_C"], [{ expect: "Delete OLD_C from dev? [y/N] ", send: "\r" }], { NO_COLOR: "1" })
    assert.equal(run.exitCode, 1, run.output)
    assert.match(run.output, /error: not deleted: the deletion was not confirmed/)
    await stat(storeFile("OLD_C"))
  })
})
