/**
 * What git can do to a shared environment's committed state, and the refusal for each: a
 * merge conflict left in a file, a state copied from another environment or project, a state
 * committed only in part, and no state at all next to a store that has a sealing key. Every
 * case: exit 1, the file and the git command named, nothing written (project, LAYERON_HOME and
 * the store compared before and after), for `secret rotate`, `secret set` and `deploy` alike.
 */
import assert from "node:assert/strict"
import { readFile, readdir, rm } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { PERMISSIONS, startEmulator } from "@layeron/cf-emulator"
import type { Emulator } from "@layeron/cf-emulator"
import { createProject, jsonOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { cloudflareConfig } from "../helpers/rotation.js"

const API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
export const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
app.use(sessionKey)
export default app
`
const STATE = join(".layeron", "secret-rotation", "production")
const COMMANDS: readonly string[][] = [
  ["secret", "rotate", "--env", "production", "--apply", "--yes"],
  ["secret", "set", "auth/session-key", "--value-env", "V", "--env", "production"],
  ["deploy", "--env", "production", "--yes"],
]

describe("a shared environment's state as git leaves it", () => {
  let emulator: Emulator
  let accountId: string
  let env: Record<string, string>
  let project: TestProject
  let pristine: Map<string, string>

  before(async () => {
    emulator = await startEmulator({ pendingDelayMs: 0 })
    accountId = emulator.addAccount({ name: "Acme", withDefaultStore: true }).id
    const token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
    env = { CLOUDFLARE_API_BASE_URL: emulator.url, CLOUDFLARE_API_TOKEN: token, LAYERON_MAX_RETRY_WAIT_MS: "300", LAYERON_TEST_NOW: "2026-06-01T00:00:00Z", V: "c2Vzc2lvbi1rZXktc2VlZC12YWx1ZS0zMi1ieXRlcyE" }
    project = await createProject({ "layeron.config.ts": cloudflareConfig(accountId), "src/api.ts": API })
    const deployed = await project.layer(["deploy", "--env", "production", "--yes"], { env })
    assert.equal(deployed.code, 0, deployed.stderr)
    pristine = await stateFiles()
  })
  after(async () => {
    await project?.cleanup()
    await emulator?.close()
  })

  async function stateFiles(): Promise<Map<string, string>> {
    const dir = join(project.root, STATE)
    const files = new Map<string, string>()
    for (const name of await readdir(dir).catch(() => [] as string[])) files.set(name, await readFile(join(dir, name), "utf8"))
    return files
  }
  async function restore(): Promise<void> {
    await rm(join(project.root, STATE), { recursive: true, force: true })
    for (const [name, text] of pristine) await project.write(join(STATE, name), text)
  }
  const storeModified = () => JSON.stringify(emulator.accounts.find((a) => a.id === accountId)!.stores[0]!.secrets.map((s) => [s.name, s.modified]))
  const stateName = () => [...pristine.keys()].find((name) => name !== "public-key.json")!

  /** Every command refuses with `code`, names what `expected` says, and writes nothing anywhere. */
  async function refusedEverywhere(code: string, message: RegExp, hint: RegExp): Promise<void> {
    for (const args of COMMANDS) {
      const files = await project.snapshot()
      const store = storeModified()
      const run = await project.layer([...args, "--json"], { env })
      assert.equal(run.code, 1, `${args.join(" ")}: ${run.stderr}`)
      const { error } = jsonOf<{ error: { code: string; message: string; hint: string } }>(run)
      assert.equal(error.code, code, `${args.join(" ")}: ${error.message}`)
      assert.match(error.message, message)
      assert.match(error.hint, hint)
      assert.deepEqual(await project.snapshot(), files, `${args.join(" ")} wrote a file`)
      assert.equal(storeModified(), store, `${args.join(" ")} wrote to the store`)
    }
  }

  it("a merge conflict left inside a state file", async () => {
    const name = stateName()
    const text = pristine.get(name)!
    await project.write(join(STATE, name), `<<<<<<< HEAD\n${text}=======\n${text.replace('"v1"', '"v2"')}>>>>>>> origin/main\n`)
    try {
      await refusedEverywhere("state_merge_conflict", new RegExp(`${STATE}/${name} holds an unresolved merge conflict \\(a marker at line 1\\); nothing was written`), /git checkout --theirs -- .+ \(in a rebase: --ours\), then `git add/)
    } finally {
      await restore()
    }
  })

  it("a state copied from another environment, or from another project", async () => {
    const key = JSON.parse(pristine.get("public-key.json")!) as Record<string, unknown>
    await project.write(join(STATE, "public-key.json"), JSON.stringify({ ...key, environment: "staging" }, null, 2))
    try {
      await refusedEverywhere("state_from_elsewhere", /public-key\.json belongs to environment "staging": it names the sealing key lo_[0-9a-f]{24}/, /git checkout -- \.layeron\/secret-rotation\/production\//)
      await project.write(join(STATE, "public-key.json"), JSON.stringify({ ...key, physicalName: "lo_000000000000000000000000" }, null, 2))
      await refusedEverywhere("state_from_elsewhere", /public-key\.json belongs to another project \(another workspace or name\)/, /git rm -r \.layeron\/secret-rotation\/production\//)
    } finally {
      await restore()
    }
  })

  it("a state committed only in part: secret files without the public key", async () => {
    await rm(join(project.root, STATE, "public-key.json"))
    try {
      await refusedEverywhere("state_incomplete", /holds the rotation state of 1 secret but not \.layeron\/secret-rotation\/production\/public-key\.json.+committed only in part/, /`git pull`.+git add \.layeron\/secret-rotation\/production\//)
    } finally {
      await restore()
    }
  })

  it("no state in the checkout although the store has a sealing key (not pulled, or .gitignore keeps it out)", async () => {
    await rm(join(project.root, STATE), { recursive: true })
    try {
      await refusedEverywhere("state_not_in_checkout", /already has a sealing key in its store \(lo_[0-9a-f]{24}\), but this checkout has no rotation state for it: \.layeron\/secret-rotation\/production\/ is missing/, /`git pull`.+never all of \.layeron\//)
    } finally {
      await restore()
    }
  })

  it("after each refusal, the restored state works again", async () => {
    const plan = await project.layer(["secret", "rotate", "--env", "production", "--json"], { env })
    assert.equal(plan.code, 0, plan.stderr)
  })
})
