import assert from "node:assert/strict"
import { test } from "node:test"
import { MAX_QUOTED_INPUT, quoteInput } from "./quote.js"

test("short input is quoted as JSON; anything a token could be is described by its length only", () => {
  assert.equal(quoteInput("preview"), '"preview"')
  assert.equal(quoteInput("a\nb"), '"a\\nb"', "a newline cannot start a forged line")
  const token = "x".repeat(40)
  assert.equal(quoteInput(token), "(40 characters, not shown: it may be a value or token pasted by mistake)")
  assert.equal(quoteInput("y".repeat(MAX_QUOTED_INPUT)), JSON.stringify("y".repeat(MAX_QUOTED_INPUT)))
  assert.ok(!quoteInput(token, 20).includes(token))
})
