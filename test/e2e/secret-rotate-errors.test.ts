/**
 * Every bad input to `layer secret rotate` gets a message naming the problem, a hint naming
 * the fix, a non-zero exit, and leaves the store, the rotation state and LAYERON_HOME byte
 * for byte as they were (hashed before and after).
 */
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { hostname } from "node:os"
import { mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, jsonOf } from "../helpers/project.js"
import type { LayerOptions, LayerRun, TestProject } from "../helpers/project.js"
import { assertRefused } from "../helpers/refusals.js"
import type { Refusal } from "../helpers/refusals.js"
import { ROTATION_API, rotationStateDir, seedRandomSecrets } from "../helpers/rotation.js"

interface ErrorDocument {
  error: { code: string; message: string; hint: string; details?: Record<string, unknown> }
}

describe("layer secret rotate: bad input", () => {
  let project: TestProject
  let sessionKeyFile: string
  before(async () => {
    project = await createProject({ "src/api.ts": ROTATION_API })
    // Values, a rotation history and the sealing key, so "unchanged" means something.
    await seedRandomSecrets(project, "2026-01-01T00:00:00Z")
    const applied = await project.layer(["secret", "rotate", "--apply", "--yes", "--json"], { env: { LAYERON_TEST_NOW: "2026-02-01T00:00:00Z" } })
    assert.equal(applied.code, 0, applied.stderr)
    const sessionKey = jsonOf<{ secrets: { namespace: string; name: string; physicalName: string }[] }>(applied).secrets.find((s) => s.name === "session-key")!
    sessionKeyFile = join(rotationStateDir(project), `${sessionKey.physicalName}.json`)
  })
  after(async () => {
    await project.cleanup()
  })

  /** Run, then check exit code, message, hint, the --json error document and that nothing changed. */
  function refused(args: string[], expected: Refusal, options: LayerOptions = {}): Promise<LayerRun> {
    return assertRefused(project, ["secret", "rotate", ...args], expected, { ...options, env: { LAYERON_TEST_NOW: "2026-04-01T00:00:00Z", ...options.env } })
  }

  for (const at of ["yesterday", "2026-07-01", "2026-07-01T00:00:00", "2026-02-30T00:00:00Z", "2026-07-01 00:00:00Z", "1751328000"]) {
    it(`an --at that is not RFC 3339: ${at}`, async () => {
      await refused(["--at", at], { code: "invalid_time", message: new RegExp(`^--at ${JSON.stringify(at).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not an RFC 3339 time$`), hint: /like 2026-07-01T00:00:00Z/ })
    })
  }

  it("an --at holding a long text (a value or token pasted into the wrong flag) is not printed", async () => {
    const pasted = "Abcdefghij0123456789Abcdefghij0123456789xyz"
    const run = await refused(["--at", pasted], { code: "invalid_time", message: /^--at \(43 characters, not shown: it may be a value pasted by mistake\) is not an RFC 3339 time$/, hint: /like 2026-07-01T00:00:00Z/ })
    assert.ok(!`${run.stdout}${run.stderr}`.includes(pasted.slice(0, 20)))
  })

  it("--apply with --at", async () => {
    await refused(["--apply", "--yes", "--at", "2026-07-01T00:00:00Z"], { code: "apply_with_at", message: /--apply always rotates at the current time; nothing was written/, hint: /drop --at to apply now, or drop --apply/ })
  })

  it("--apply without --yes and without a terminal", async () => {
    await refused(["--apply"], { code: "confirmation_required", message: /needs confirmation, and stdin is not a terminal; nothing was written/, hint: /pass --yes/ })
  })

  for (const value of ["0", "33", "two", "1000", "1.5"]) {
    it(`--concurrency ${value}`, async () => {
      await refused(["--apply", "--yes", "--concurrency", value], { code: "invalid_concurrency", message: new RegExp(`--concurrency must be a whole number from 1 to 32; got "${value.replace(".", "\\.")}"`), hint: /default, 4/ })
    })
  }

  it("a declaration whose rotation changed since the last run (--apply refuses; the plan shows the conflict and exits 1)", async () => {
    await project.write("src/api.ts", ROTATION_API.replace("everyDays: 30, retain: { mode: \"retain_for\", days: 14 }", "everyDays: 30, retain: { mode: \"none\" }"))
    try {
      await refused(["--apply", "--yes"], {
        code: "rotation_conflict",
        message: /^1 secret is in conflict in dev, so nothing was written: auth\/session-key \(lo_[0-9a-f]{24}\): its rotation policy changed since the last write \(every 30d, retain_for 14d → every 30d, none\)$/,
        hint: /run again with --accept-policy-change/,
      })
      const before = await project.snapshot()
      const plan = await project.layer(["secret", "rotate", "--json"], { env: { LAYERON_TEST_NOW: "2026-04-01T00:00:00Z" } })
      assert.equal(plan.code, 1)
      const row = jsonOf<{ secrets: { name: string; status: string; conflicts?: string[] }[] }>(plan).secrets.find((s) => s.name === "session-key")
      assert.deepEqual([row?.status, row?.conflicts], ["conflict", ["policy_changed"]])
      assert.deepEqual(await project.snapshot(), before)
    } finally {
      await project.write("src/api.ts", ROTATION_API)
    }
  })

  const edits: Array<[string, (text: string) => string, RegExp]> = [
    ["broken JSON", (text) => text.slice(0, -10), /is invalid: not valid JSON/],
    ["a plaintext value added", (text) => text.replace('"sealed":', '"value": "c2VjcmV0", "sealed":'), /holds a plaintext "value"; state files hold sealed copies only/],
    ["a version renamed", (text) => text.replace('"v1": {', '"v 1": {'), /version id "v 1" must match/],
    ["current pointing nowhere", (text) => text.replace('"current": "v2"', '"current": "v9"'), /"current" must name one of "versions"/],
  ]
  for (const [what, edit, message] of edits) {
    for (const mode of [["plan"], ["apply", "--apply", "--yes"]] as const) {
      it(`a state file edited by hand into something invalid (${what}), ${mode[0]}`, async () => {
        const original = await readFile(sessionKeyFile, "utf8")
        await writeFile(sessionKeyFile, edit(original))
        try {
          const run = await refused(mode.slice(1) as string[], { code: "invalid_state", message, hint: /restore it from version control \(git checkout -- .+\.json\)/ })
          assert.ok(jsonOf<ErrorDocument>(run).error.message.includes(sessionKeyFile), "the message names the file")
        } finally {
          await writeFile(sessionKeyFile, original)
        }
      })
    }
  }

  it("a missing sealing key (deleted from the store)", async () => {
    const publicKey = JSON.parse(await readFile(join(rotationStateDir(project), "public-key.json"), "utf8")) as { physicalName: string }
    const keyFile = join(project.root, ".layeron", "local", "dev", `${publicKey.physicalName}.json`)
    const stored = await readFile(keyFile)
    await rm(keyFile)
    try {
      for (const args of [[], ["--apply", "--yes"]]) {
        await refused(args, {
          code: "sealing_key_missing",
          message: /the sealing key lo_[0-9a-f]{24} \(layeron\/sealing-key\) of environment "dev" is missing from the store, so the versions sealed to .+public-key\.json can no longer be opened/,
          hint: /^restore the secret from a backup if you have one; otherwise start new histories, keeping the old state: `mv [^`]+ [^`]+\.lost-sealing-key`(?![^]*delete)/,
        })
      }
    } finally {
      await writeFile(keyFile, stored)
    }
  })

  it("a missing public half of the sealing key", async () => {
    const path = join(rotationStateDir(project), "public-key.json")
    const original = await readFile(path)
    await rm(path)
    try {
      await refused(["--apply", "--yes"], { code: "sealing_key_public_missing", message: /is in the store, but its public half .+public-key\.json is missing/, hint: /restore .+public-key\.json from version control/ })
    } finally {
      await writeFile(path, original)
    }
  })

  it("a secret written outside this state (--apply refuses before any write)", async () => {
    const original = await readFile(sessionKeyFile, "utf8")
    await writeFile(sessionKeyFile, original.replace(/"modified": "[^"]+"/, '"modified": "2020-01-01T00:00:00.000Z"'))
    try {
      await refused(["--apply", "--yes"], { code: "rotation_conflict", message: /auth\/session-key .+it was written outside this state \(the store says modified .+, the state 2020-01-01T00:00:00\.000Z\)/, hint: /--discard-history/ })
    } finally {
      await writeFile(sessionKeyFile, original)
    }
  })

  describe("the environment lock", () => {
    let holder: ChildProcess
    const lockFile = () => join(project.root, ".layeron", "locks", "dev.lock")
    before(async () => {
      // A live process that holds the lock as a `rotate --apply` would.
      holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" })
      await mkdir(join(project.root, ".layeron", "locks"), { recursive: true })
    })
    after(() => {
      holder.kill("SIGKILL")
    })

    it("held by a live process: waits LAYERON_LOCK_WAIT_MS, then refuses naming the holder", async () => {
      const since = new Date().toISOString()
      await writeFile(lockFile(), JSON.stringify({ pid: holder.pid, host: hostname(), token: "other", createdAt: since, command: "layer secret rotate --env dev --apply" }))
      try {
        await refused(["--apply", "--yes"], {
          code: "environment_locked",
          message: new RegExp(`another layer process is using environment "dev" \\(its secrets and rotation state\\) \\(held by pid ${holder.pid} on .+ since ${since.replace(/\./g, "\\.")}: layer secret rotate --env dev --apply\\)`),
          hint: /wait for it to finish and retry; if no layer process is running, delete .+dev\.lock/,
        }, { env: { LAYERON_LOCK_WAIT_MS: "300" } })
      } finally {
        await rm(lockFile(), { force: true })
      }
    })

    it("an invalid LAYERON_LOCK_WAIT_MS", async () => {
      await refused(["--apply", "--yes"], { code: "invalid_setting", message: /LAYERON_LOCK_WAIT_MS must be a whole number of milliseconds \(0 or more\); got "soon"/, hint: /unset it/ }, { env: { LAYERON_LOCK_WAIT_MS: "soon" } })
    })
  })
})
