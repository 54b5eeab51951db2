import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { describeError } from "./error.js"

describe("describeError of a bug", () => {
  it("never shows the text a JSON.parse failed on (it may be a private file), in the message or the stack", () => {
    const secretText = "BEGIN OPENSSH PRIVATE KEY b3BlbnNzaC1rZXktdjE"
    let thrown: unknown
    try {
      JSON.parse(secretText)
    } catch (error) {
      thrown = error
    }
    assert.ok(thrown instanceof SyntaxError)
    const described = describeError(thrown, true)
    const shown = JSON.stringify(described)
    assert.ok(!shown.includes("BEGIN") && !shown.includes("b3Bl"), shown)
    assert.match(described.document.error.message, /SyntaxError: the text is not valid JSON/)
    assert.ok(described.lines.some((line) => line.kind === "stack"), "the stack is still there with --debug")
  })

  it("keeps other errors' messages", () => {
    assert.match(describeError(new TypeError("x is not a function"), false).document.error.message, /TypeError: x is not a function/)
  })
})
