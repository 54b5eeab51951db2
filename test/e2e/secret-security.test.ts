/**
 * The security invariant, end to end: a value set through any source never appears in
 * stdout, stderr (with --debug on), or any file under the project or LAYERON_HOME, not even
 * when the command fails because of that value.
 */
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { createProject } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"

// base64url-safe, so the same canaries work for random secrets; unique per source.
// Padded to a multiple of 4 characters: canonical base64url.
const canary = (source: string) => {
  const text = `CANARYx${source}x7Qm4vZr9KpL2wXs8NdT5yBf3HjU6gEa1`
  return text.padEnd(Math.ceil(text.length / 4) * 4, "A")
}

describe("no value ever leaves the CLI in plaintext", () => {
  let project: TestProject
  const outputs: string[] = []
  const used: string[] = []
  before(async () => {
    project = await createProject()
  })
  after(async () => {
    await project.cleanup()
  })

  const debugEnv = { LAYERON_DEBUG: "1" }
  const record = (value: string, run: LayerRun | { output: string }) => {
    used.push(value)
    outputs.push("output" in run ? run.output : `${run.stdout}\n${run.stderr}`)
    return run
  }

  it("through --value", async () => {
    const value = canary("flag")
    const run = record(value, await project.layer(["secret", "set", "FROM_FLAG", "--value", value, "--debug"], { env: debugEnv }))
    assert.equal((run as LayerRun).code, 0)
  })

  it("through --value-env, human and --json", async () => {
    const value = canary("env")
    for (const json of [[], ["--json"]]) {
      const run = record(value, await project.layer(["secret", "set", "FROM_ENV", "--value-env", "V", "--debug", ...json], { env: { V: value, ...debugEnv } }))
      assert.equal((run as LayerRun).code, 0)
    }
  })

  it("through --from-stdin, into a declared random secret (sealed into the rotation state)", async () => {
    const value = canary("stdin")
    const run = record(value, await project.layer(["secret", "set", "auth/session-key", "--from-stdin", "--debug"], { input: value, env: debugEnv }))
    assert.equal((run as LayerRun).code, 0, (run as LayerRun).stderr)
  })

  it("through the hidden prompt", async () => {
    const value = canary("prompt")
    const run = record(value, await layerInPty(project, ["secret", "set", "FROM_PROMPT", "--debug"], [
      { expect: "Value for", send: `${value}\r` },
      { expect: "Enter it again: ", send: `${value}\r` },
    ], debugEnv))
    assert.equal((run as { exitCode: number }).exitCode, 0)
  })

  it("through an envelope's versions, into a declared secret", async () => {
    const old = canary("envelopeOld")
    const current = canary("envelopeNew")
    const envelope = JSON.stringify({ current: "v3", versions: { v2: { value: old, expiresAt: "2099-01-01T00:00:00.000Z" }, v3: { value: current } } })
    const run = record(old, await project.layer(["secret", "set", "webhook-key", "--value-env", "E", "--json", "--debug"], { env: { E: envelope, ...debugEnv } }))
    used.push(current)
    assert.equal((run as LayerRun).code, 0, (run as LayerRun).stderr)
  })

  it("nor when the value is refused", async () => {
    const bad = canary("refused")
    const refusals: [string[], Record<string, string>, string | undefined][] = [
      [["secret", "set", "webhook-key", "--value-env", "E"], { E: JSON.stringify({ current: "v2", versions: { v1: { value: bad } } }) }, undefined],
      [["secret", "set", "auth/session-key", "--value-env", "E"], { E: `${bad}!` }, undefined],
      [["secret", "set", "TOO_BIG", "--from-stdin"], {}, bad.repeat(2000)],
      [["secret", "set", "X", "--value-env", bad], {}, undefined],
      [["secret", "set", "X", "--value", "v", bad], {}, undefined],
      [["secret", "set", "X", `--${bad}`], {}, undefined],
      [["secret", "set", "X", `--plain=${bad}`], {}, undefined],
      [["secret", "set", "X", "--value", `-${bad}`], {}, undefined],
    ]
    for (const [args, env, input] of refusals) {
      for (const json of [[], ["--json"]]) {
        const run = record(bad, await project.layer([...args, "--debug", ...json], { env: { ...env, ...debugEnv }, ...(input ? { input } : {}) }))
        assert.equal((run as LayerRun).code, 1, `${args.join(" ")} should fail`)
      }
    }
  })

  it("appears in no output and no file under the project or LAYERON_HOME", async () => {
    assert.ok(used.length >= 7)
    for (const value of new Set(used)) {
      for (const output of outputs) assert.ok(!output.includes(value), `a value was printed:\n${output}`)
      assert.deepEqual(await project.filesContaining(value), [], `a file holds ${value.slice(0, 14)}… in plaintext`)
    }
  })
})
