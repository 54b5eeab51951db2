/**
 * Every bad input to `layer secret set` gets a message naming the problem, a hint naming
 * the fix, a non-zero exit, and leaves the store, the rotation state and LAYERON_HOME
 * byte-for-byte as they were.
 */
import assert from "node:assert/strict"
import { chmod, rm } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, LAYER_BIN, REPO_ROOT } from "../helpers/project.js"
import { runProcess } from "../helpers/processes.js"
import type { LayerOptions, LayerRun, TestProject } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"
import { assertRefused } from "../helpers/refusals.js"
import type { Refusal } from "../helpers/refusals.js"

const NOBODY = 65534

/** Why the user nobody cannot read the built CLI and its loader (a checkout under a 0700 home, say), or undefined if it can. */
async function nobodyCannotRunTheCli(project: TestProject): Promise<string | undefined> {
  const probe = `const fs = require("fs"); fs.accessSync(${JSON.stringify(LAYER_BIN)}, fs.constants.R_OK); fs.readdirSync(${JSON.stringify(join(REPO_ROOT, "node_modules", "tsx", "dist"))})`
  const run = await runProcess(process.execPath, ["-e", probe], { cwd: project.root, env: project.env(), uid: NOBODY, gid: NOBODY })
  if (run.code === 0) return undefined
  return run.stderr.trim().split("\n").find((line) => /EACCES|EPERM/.test(line)) ?? `exit ${run.code}`
}

describe("layer secret set: bad input", () => {
  let project: TestProject
  before(async () => {
    project = await createProject()
    // Something in the store, the state and LAYERON_HOME, so "unchanged" means something.
    const seeded = await project.layer(["secret", "set", "auth/session-key", "--value-env", "V"], { env: { V: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" } })
    assert.equal(seeded.code, 0, seeded.stderr)
    assert.equal((await project.layer(["secret", "set", "EXISTING", "--value-env", "V"], { env: { V: "v" } })).code, 0)
  })
  after(async () => {
    await project.cleanup()
  })

  /** Run, then check exit code, message, hint, --json error document and that nothing changed. */
  function refused(args: string[], expected: Refusal, options: LayerOptions = {}, target = project): Promise<LayerRun> {
    return assertRefused(target, args, expected, options)
  }

  it("a token pasted into NAME, --env or LAYERON_ENV is described by its length, never printed", async () => {
    const token = "Xq9vT2mLr8Kp4Wz7Nd3Hs6Bf1Jc5Gy0Ua8Ve2Ri"
    const shown = /\(\d+ characters, not shown: it may be a value or token pasted by mistake\)/
    for (const [args, env, code] of [
      // A dot makes it an invalid name (a valid one would simply be written as an undeclared secret).
      [["secret", "set", `${token}.`, "--value-env", "V"], { V: "v" }, "invalid_secret_name"],
      [["secret", "set", "EXISTING", "--value-env", "V", "--env", token], { V: "v" }, "unknown_environment"],
      [["secret", "set", "EXISTING", "--value-env", "V"], { V: "v", LAYERON_ENV: token }, "unknown_environment"],
    ] as const) {
      const run = await refused([...args], { code, message: shown, hint: /./ }, { env: { ...env } })
      assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), `${code}: the token was printed`)
    }
  })

  it("an unknown environment", async () => {
    await refused(["secret", "set", "X", "--value-env", "V", "--env", "prod"], { code: "unknown_environment", message: /unknown environment "prod" \(--env names\); known: dev, staging/, hint: /add "prod" to environments in layeron\.config\.ts/ }, { env: { V: "v" } })
  })

  it("a missing config", async () => {
    const bare = await createProject({ "layeron.config.ts": null })
    try {
      await refused(["secret", "set", "X", "--value-env", "V"], { code: "config_not_found", message: /no layeron\.config\.ts in .+ or any directory above it/, hint: /--cwd <project dir>; to start a project here, run `layer init`/ }, { env: { V: "v" } }, bare)
    } finally {
      await bare.cleanup()
    }
  })

  it("an unreadable config", async (t) => {
    const locked = await createProject()
    try {
      await chmod(join(locked.root, "layeron.config.ts"), 0o000)
      // root reads anything: run the CLI as nobody to make "unreadable" real, if nobody can run it at all.
      const root = process.getuid?.() === 0
      const asNobody = root ? { uid: NOBODY, gid: NOBODY } : {}
      if (root) {
        await chmod(locked.base, 0o755)
        await chmod(locked.root, 0o755)
        const blocked = await nobodyCannotRunTheCli(locked)
        if (blocked) {
          t.skip(`running as root, and the user nobody cannot run the CLI from this checkout (${blocked}): "unreadable" cannot be made real`)
          return
        }
      }
      await refused(["secret", "set", "X", "--value-env", "V"], { code: "config_unreadable", message: /cannot read layeron\.config\.ts: EACCES/, hint: /check the permissions of layeron\.config\.ts/ }, { env: { V: "v" }, ...asNobody }, locked)
    } finally {
      await locked.cleanup()
    }
  })

  it("a config that throws", async () => {
    const broken = await createProject({ "layeron.config.ts": 'throw new Error("config says no")\nexport default {}\n' })
    try {
      await refused(["secret", "set", "X", "--value-env", "V"], { code: "config_import_failed", message: /^layeron\.config\.ts threw while loading: config says no/, hint: /fix the error in layeron\.config\.ts/ }, { env: { V: "v" } }, broken)
    } finally {
      await broken.cleanup()
    }
  })

  it("a backend that throws on import", async () => {
    const broken = await createProject({ "src/api.ts": 'throw new Error("backend says no")\nexport default {}\n' })
    try {
      await refused(["secret", "set", "X", "--value-env", "V"], { code: "backend_import_failed", message: /^backend "api" \(src\/api\.ts\) threw while loading: backend says no/, hint: /fix the error in src\/api\.ts/ }, { env: { V: "v" } }, broken)
    } finally {
      await broken.cleanup()
    }
  })

  it("an invalid NAME", async () => {
    await refused(["secret", "set", "bad name!", "--value-env", "V"], { code: "invalid_secret_name", message: /"bad name!" is not a valid secret name: a Cloudflare secret name is 1 to 255 letters, digits, _ and -/, hint: /STRIPE_SECRET, or a declared namespace\/name \(declared: auth\/session-key/ }, { env: { V: "v" } })
  })

  it("an undeclared namespace/name", async () => {
    await refused(["secret", "set", "auth/sesion-key", "--value-env", "V"], { code: "unknown_declaration", message: /no declaration "auth\/sesion-key"; declared: auth\/session-key, auth\/signing-key, default\/webhook-key, payments\/stripe/, hint: /check the spelling/ }, { env: { V: "v" } })
  })

  it("Layeron's own sealing key", async () => {
    await refused(["secret", "set", "layeron/sealing-key", "--value-env", "V"], { code: "reserved_secret", message: /Layeron's own sealing key/, hint: /declared namespace\/name/ }, { env: { V: "v" } })
  })

  it("an empty --value", async () => {
    await refused(["secret", "set", "X", "--value", ""], { code: "empty_value", message: /--value is empty; nothing was written/, hint: /--value-env VAR/ })
  })

  it("--value-env naming an unset variable", async () => {
    await refused(["secret", "set", "X", "--value-env", "NOT_SET_ANYWHERE"], { code: "env_var_unset", message: /environment variable NOT_SET_ANYWHERE \(from --value-env\) is not set/, hint: /export NOT_SET_ANYWHERE=/ })
  })

  it("--value-env naming an empty variable", async () => {
    await refused(["secret", "set", "X", "--value-env", "EMPTY"], { code: "empty_value", message: /environment variable EMPTY \(from --value-env\) is empty/, hint: /give EMPTY a value/ }, { env: { EMPTY: "" } })
  })

  it("two sources at once", async () => {
    await refused(["secret", "set", "X", "--value-env", "V", "--from-stdin"], { code: "conflicting_value_sources", message: /--value-env and --from-stdin were both given/, hint: /exactly one of/ }, { env: { V: "v" }, input: "x" })
  })

  it("no source and no terminal", async () => {
    await refused(["secret", "set", "X"], { code: "no_value_source", message: /no value given and stdin is not a terminal/, hint: /--value-env VAR, --from-stdin/ })
  })

  it("empty stdin", async () => {
    await refused(["secret", "set", "X", "--from-stdin"], { code: "empty_value", message: /stdin was empty; nothing was written/, hint: /printf '%s'/ }, { input: "" })
  })

  it("a value over 65,536 bytes", async () => {
    await refused(["secret", "set", "X", "--from-stdin"], { code: "value_too_large", message: /the value is 65,537 UTF-8 bytes; Cloudflare's limit is 65,536/, hint: /smaller value/ }, { input: "x".repeat(65_537) })
  })

  it("an invalid envelope", async () => {
    const invalid = JSON.stringify({ current: "v9", versions: { v1: { value: "a" } } })
    await refused(["secret", "set", "webhook-key", "--value-env", "E"], { code: "invalid_envelope", message: /the value is an envelope .* but it is invalid: Invalid secret envelope at current/, hint: /--plain/ }, { env: { E: invalid } })
  })

  it("a random secret's value that is not base64url", async () => {
    await refused(["secret", "set", "auth/session-key", "--value-env", "V"], { code: "invalid_encoding", message: /auth\/session-key is a random secret, stored as base64url without padding, but version v1 is not/, hint: /base64url without padding/ }, { env: { V: "not base64 at all!" } })
  })

  it("an unknown flag", async () => {
    await refused(["secret", "set", "X", "--valu", "v"], { code: "unknown_flag", message: /unknown flag --valu/, hint: /layer secret set --help/ })
  })

  it("prompt entries that differ", async () => {
    const before = await project.snapshot()
    const run = await layerInPty(project, ["secret", "set", "X"], [
      { expect: "Value for X in dev: ", send: "first-entry\r" },
      { expect: "Enter it again: ", send: "second-entry\r" },
    ], { NO_COLOR: "1" })
    assert.equal(run.exitCode, 1, run.output)
    assert.match(run.output, /error: the two entries differ; nothing was written\r?\nhint: run the command again and enter the same value twice/)
    assert.doesNotMatch(run.output, /first-entry|second-entry/)
    assert.deepEqual(await project.snapshot(), before)
  })

  it("an empty prompt entry", async () => {
    const before = await project.snapshot()
    const run = await layerInPty(project, ["secret", "set", "X"], [{ expect: "Value for X in dev: ", send: "\r" }], { NO_COLOR: "1" })
    assert.equal(run.exitCode, 1, run.output)
    assert.match(run.output, /error: the value entered was empty; nothing was written/)
    assert.deepEqual(await project.snapshot(), before)
  })

  it("leaves no LAYERON_HOME behind when the first command fails", async () => {
    const fresh = await createProject()
    try {
      await refused(["secret", "set", "X"], { code: "no_value_source", message: /no value given/, hint: /--from-stdin/ }, {}, fresh)
      await assert.rejects(rm(fresh.home, { recursive: false }), { code: "ENOENT" })
    } finally {
      await fresh.cleanup()
    }
  })
})
