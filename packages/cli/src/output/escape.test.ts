import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { escapeControls, escapeJsonText } from "./escape.js"
import { createOutput } from "./index.js"

const HOSTILE = "ok\u001b[2J\u001b]52;c;ZXZpbA==\u0007\rfake\u009b31m\u202eevil"

describe("escapeControls", () => {
  it("writes out ESC, BEL, CR, C1 and bidi controls, keeps line feeds and tabs unless single-line", () => {
    assert.equal(escapeControls(HOSTILE), "ok\\e[2J\\e]52;c;ZXZpbA==\\u0007\\rfake\\u009b31m\\u202eevil")
    assert.equal(escapeControls("a\n\tb"), "a\n\tb")
    assert.equal(escapeControls("a\nerror: forged", { singleLine: true }), "a\\nerror: forged")
  })
  it("keeps JSON valid and equal while making it inert", () => {
    const json = JSON.stringify({ message: HOSTILE })
    const escaped = escapeJsonText(json)
    assert.deepEqual(JSON.parse(escaped), { message: HOSTILE })
    assert.doesNotMatch(escaped, /[\u0000-\u001f\u007f-\u009f\u202e]/)
  })
})

describe("the output module prints no control character it did not put there", () => {
  for (const json of [false, true]) {
    it(json ? "--json" : "human", () => {
      let stdout = ""
      let stderr = ""
      const output = createOutput({ json, debug: true, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { NO_COLOR: "1" } })
      output.warn(HOSTILE)
      output.note(HOSTILE)
      output.debug(HOSTILE)
      output.progress(HOSTILE)
      output.result({ json: { name: HOSTILE }, human: [{ type: "line", text: HOSTILE }, { type: "table", columns: ["name"], rows: [[`${HOSTILE}\nforged row`]] }] })
      output.error(new Error(HOSTILE))
      for (const text of [stdout, stderr]) assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, JSON.stringify(text))
      if (!json) assert.doesNotMatch(stdout, /^forged row/m, "a table cell stays on its line")
    })
  }
})
