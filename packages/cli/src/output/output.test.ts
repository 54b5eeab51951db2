import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { LayerError } from "../errors.js"
import { wantsColor } from "./color.js"
import { createOutput } from "./index.js"
import type { OutputStream } from "./types.js"

function buffer(isTTY = false): OutputStream & { text: string } {
  const stream = { text: "", isTTY, write: (chunk: string) => void (stream.text += chunk) }
  return stream
}

describe("output", () => {
  it("prints exactly one JSON document under --json and refuses a second", () => {
    const stdout = buffer()
    const output = createOutput({ json: true, debug: false, stdout, stderr: buffer(), env: {} })
    output.result({ json: { ok: true }, human: [{ type: "line", text: "ignored" }] })
    assert.deepEqual(JSON.parse(stdout.text), { ok: true })
    assert.throws(() => output.result({ json: {}, human: [] }), /second JSON document/)
  })

  it("renders an error as message and hint on stderr, and as one document under --json", () => {
    const stdout = buffer()
    const stderr = buffer()
    createOutput({ json: true, debug: false, stdout, stderr, env: {} }).error(new LayerError("bad", "it broke", { hint: "fix it" }))
    assert.equal(stderr.text, "error: it broke\nhint: fix it\n")
    assert.deepEqual(JSON.parse(stdout.text), { error: { code: "bad", message: "it broke", hint: "fix it" } })
  })

  it("calls any other error a bug", () => {
    const stderr = buffer()
    createOutput({ json: false, debug: false, stdout: buffer(), stderr, env: {} }).error(new TypeError("x is undefined"))
    assert.match(stderr.text, /^error: unexpected failure: TypeError: x is undefined\nthis is a bug in layer/)
    assert.doesNotMatch(stderr.text, /at /, "no stack trace without --debug")
  })

  it("shows progress as one line rewritten in place at a terminal, and as plain lines elsewhere", () => {
    const tty = buffer(true)
    const atTerminal = createOutput({ json: false, debug: false, stdout: buffer(), stderr: tty, env: { NO_COLOR: "1" } })
    atTerminal.progress("[1/2] rotated a")
    atTerminal.progress("[2/2] rotated b")
    atTerminal.warn("careful")
    atTerminal.progress("[2/2] rotated b")
    atTerminal.progress(undefined)
    assert.equal(tty.text, "[1/2] rotated a\r\u001b[2K[2/2] rotated b\r\u001b[2Kwarning: careful\n[2/2] rotated b\r\u001b[2K")
    const log = buffer(false)
    const inCi = createOutput({ json: false, debug: false, stdout: buffer(), stderr: log, env: {} })
    inCi.progress("[1/2] rotated a")
    inCi.progress("[2/2] rotated b")
    inCi.progress(undefined)
    assert.equal(log.text, "[1/2] rotated a\n[2/2] rotated b\n")
  })

  it("writes debug lines only when asked, on stderr", () => {
    const quiet = buffer()
    createOutput({ json: false, debug: false, stdout: buffer(), stderr: quiet, env: {} }).debug("hello")
    assert.equal(quiet.text, "")
    const loud = buffer()
    createOutput({ json: false, debug: true, stdout: buffer(), stderr: loud, env: {} }).debug("hello")
    assert.equal(loud.text, "debug: hello\n")
  })

  it("aligns tables", () => {
    const stdout = buffer()
    createOutput({ json: false, debug: false, stdout, stderr: buffer(), env: {} }).result({
      json: null,
      human: [{ type: "table", columns: ["name", "status"], rows: [["a", "present"], ["longer", "missing"]] }],
    })
    assert.equal(stdout.text, "NAME    STATUS\na       present\nlonger  missing\n")
  })

  it("colours only a TTY, never with NO_COLOR or TERM=dumb", () => {
    assert.equal(wantsColor(buffer(true), {}), true)
    assert.equal(wantsColor(buffer(false), {}), false)
    assert.equal(wantsColor(buffer(true), { NO_COLOR: "1" }), false)
    assert.equal(wantsColor(buffer(true), { TERM: "dumb" }), false)
    const tty = buffer(true)
    createOutput({ json: false, debug: false, stdout: tty, stderr: buffer(), env: {} }).result({ json: null, human: [{ type: "line", text: "ok", tone: "success" }] })
    assert.equal(tty.text, "\u001b[32mok\u001b[39m\n")
  })
})
