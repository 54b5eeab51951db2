import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { closest, closestFlag, editDistance, unknownCommandError } from "./suggest.js"
import type { CommandSpec } from "./spec.js"

const spec = (...words: string[]): CommandSpec => ({ words, summary: "", positionals: [], flags: {}, examples: [], load: async () => assert.fail() })
const commands = [spec("deploy"), spec("dev"), spec("secret", "set"), spec("secret", "list"), spec("secret", "import")]
const groups = new Set(["secret"])

describe("suggest", () => {
  it("measures edits, counting a swap of neighbours as one", () => {
    assert.equal(editDistance("deply", "deploy"), 1)
    assert.equal(editDistance("lsit", "list"), 1)
    assert.equal(editDistance("", "abc"), 3)
  })

  it("suggests only close candidates", () => {
    assert.equal(closest("deply", ["deploy", "dev"]), "deploy")
    assert.equal(closest("jsn", ["json", "env"]), "json")
    assert.equal(closest("zzzzzz", ["deploy", "dev"]), undefined)
    assert.equal(closest("imp", ["import", "list"]), "import", "a unique prefix")
    assert.equal(closestFlag("--aply", ["apply", "at", "yes"]), "--apply")
  })

  it("answers typos, read-back words, and never repeats something that is not a command name", () => {
    assert.match(unknownCommandError(["deply"], commands, groups).message, /did you mean `layer deploy`\?/)
    assert.match(unknownCommandError(["secret", "lsit"], commands, groups).message, /did you mean `layer secret list`\?/)
    // A group's subcommand without its group, and `help`, which is a flag.
    assert.match(unknownCommandError(["list"], commands, groups).message, /did you mean `layer secret list`\?/)
    assert.match(unknownCommandError(["import"], commands, groups).message, /did you mean `layer secret import`\?/)
    assert.match(unknownCommandError(["help"], commands, groups).message, /did you mean `layer --help`\?/)
    assert.equal(unknownCommandError(["secret", "reveal"], commands, groups).code, "values_are_write_only")
    const odd = unknownCommandError(["sk_live_CANARY=1"], commands, groups)
    assert.doesNotMatch(`${odd.message} ${odd.hint}`, /CANARY/)
  })
})
