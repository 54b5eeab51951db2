import assert from "node:assert/strict"
import { Readable } from "node:stream"
import { describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import type { Terminal, TerminalInput } from "../output/prompt.js"
import { chooseValueSource, readValue } from "./value-source.js"

const none = { value: undefined, valueEnv: undefined, fromStdin: false }
const noTerminal: Terminal = { interactive: false, hidden: async () => assert.fail("no prompt expected"), confirm: async () => false }
const stdinOf = (...chunks: (string | Buffer)[]) => Readable.from(chunks) as unknown as TerminalInput

function code(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    return isLayerError(error) ? error.code : "not a LayerError"
  }
  return undefined
}

describe("chooseValueSource", () => {
  it("takes exactly one source", () => {
    assert.deepEqual(chooseValueSource({ ...none, value: "x" }, false), { kind: "flag", value: "x" })
    assert.deepEqual(chooseValueSource({ ...none, valueEnv: "TOKEN" }, false), { kind: "env", variable: "TOKEN" })
    assert.deepEqual(chooseValueSource({ ...none, fromStdin: true }, false), { kind: "stdin" })
    assert.deepEqual(chooseValueSource(none, true), { kind: "prompt" })
  })

  it("refuses two sources, naming both", () => {
    assert.throws(() => chooseValueSource({ ...none, value: "x", fromStdin: true }, true), /--value and --from-stdin were both given/)
    assert.equal(code(() => chooseValueSource({ ...none, valueEnv: "A", fromStdin: true }, true)), "conflicting_value_sources")
  })

  it("refuses no source without a terminal", () => {
    assert.equal(code(() => chooseValueSource(none, false)), "no_value_source")
  })

  it("refuses a --value-env that is not a variable name, without echoing it", () => {
    assert.throws(() => chooseValueSource({ ...none, valueEnv: "sk_live value!" }, false), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "invalid_env_name")
      assert.doesNotMatch(`${error.message} ${error.hint}`, /sk_live/)
      return true
    })
  })
})

describe("readValue", () => {
  const context = (env: NodeJS.ProcessEnv, stdin = stdinOf(), terminal = noTerminal) => ({ env, stdin, terminal, label: "X in dev" })

  it("reads --value-env, refusing it unset or empty", async () => {
    assert.equal((await readValue({ kind: "env", variable: "V" }, context({ V: "abc" }))).reveal(), "abc")
    await assert.rejects(readValue({ kind: "env", variable: "V" }, context({})), /environment variable V \(from --value-env\) is not set/)
    await assert.rejects(readValue({ kind: "env", variable: "V" }, context({ V: "" })), /environment variable V \(from --value-env\) is empty/)
  })

  it("reads stdin to the end, byte for byte, newline included", async () => {
    const value = await readValue({ kind: "stdin" }, context({}, stdinOf("line 1\n", Buffer.from("ünïcode\n\n"))))
    assert.equal(value.reveal(), "line 1\nünïcode\n\n")
  })

  it("refuses empty stdin and invalid UTF-8", async () => {
    await assert.rejects(readValue({ kind: "stdin" }, context({}, stdinOf())), (error) => isLayerError(error) && error.code === "empty_value")
    await assert.rejects(readValue({ kind: "stdin" }, context({}, stdinOf(Buffer.from([0xff, 0xfe])))), (error) => isLayerError(error) && error.code === "invalid_utf8")
  })

  it("asks twice at the prompt and refuses entries that differ", async () => {
    const answers = (...values: string[]): Terminal => ({ interactive: true, hidden: async () => values.shift() ?? "", confirm: async () => false })
    assert.equal((await readValue({ kind: "prompt" }, context({}, stdinOf(), answers("same", "same")))).reveal(), "same")
    await assert.rejects(readValue({ kind: "prompt" }, context({}, stdinOf(), answers("one", "two"))), (error) => isLayerError(error) && error.code === "prompt_mismatch")
    await assert.rejects(readValue({ kind: "prompt" }, context({}, stdinOf(), answers(""))), (error) => isLayerError(error) && error.code === "empty_value")
  })

  it("keeps the value out of logs: the wrapper prints [redacted]", async () => {
    const value = await readValue({ kind: "flag", value: "canary-xyz" }, context({}))
    assert.equal(`${value}`, "[redacted]")
    assert.equal(JSON.stringify({ value }), '{"value":"[redacted]"}')
  })
})
