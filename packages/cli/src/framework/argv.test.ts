import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { checkPositionals, parseFlags, scanOutputFlags, splitCommandWords } from "./argv.js"
import { GLOBAL_FLAGS } from "./spec.js"
import type { CommandSpec } from "./spec.js"

const groups = new Set(["secret"])
const setFlags = { ...GLOBAL_FLAGS, value: { type: "string", description: "" }, plain: { type: "boolean", description: "" } } as const

describe("splitCommandWords", () => {
  it("finds group and sub-command words around global flags", () => {
    assert.deepEqual(splitCommandWords(["--env", "prod", "secret", "set", "NAME", "--json"], groups), { words: ["secret", "set"], rest: ["--env", "prod", "NAME", "--json"] })
    assert.deepEqual(splitCommandWords(["deploy", "--dry-run"], groups), { words: ["deploy"], rest: ["--dry-run"] })
    assert.deepEqual(splitCommandWords(["secret"], groups), { words: ["secret"], rest: [] })
  })

  it("stops at -- and treats what follows as arguments", () => {
    assert.deepEqual(splitCommandWords(["--", "secret"], groups), { words: [], rest: ["--", "secret"] })
  })
})

describe("scanOutputFlags", () => {
  it("sees --json and --debug before --, and LAYERON_DEBUG", () => {
    assert.deepEqual(scanOutputFlags(["secret", "list", "--json"], {}), { json: true, debug: false })
    assert.deepEqual(scanOutputFlags(["--", "--json"], { LAYERON_DEBUG: "1" }), { json: false, debug: true })
  })
})

describe("parseFlags", () => {
  const failure = (args: string[]) => {
    try {
      parseFlags(args, setFlags, "secret set")
    } catch (error) {
      assert.ok(isLayerError(error))
      return error
    }
    assert.fail("expected a parse error")
  }

  it("refuses a one-value flag given twice (-e and --env alike), naming the flag and never a value", () => {
    for (const args of [["NAME", "--env", "dev", "--env", "production"], ["NAME", "-e", "dev", "--env=production"], ["NAME", "--value", "sk_canary_1", "--value", "sk_canary_2"]]) {
      assert.throws(
        () => parseFlags(args, setFlags, "secret set"),
        (error: unknown) => isLayerError(error) && error.code === "flag_repeated" && /^flag --(env|value) is given more than once$/.test(error.message) && !`${error.message} ${error.hint}`.includes("canary"),
      )
    }
    // Repeatable flags stay repeatable.
    const map = { ...setFlags, map: { type: "string", multiple: true, description: "" } } as const
    assert.deepEqual(parseFlags(["--map", "A=a", "--map", "B=b"], map, "secret import").flags.map, ["A=a", "B=b"])
  })

  it("parses global and command flags", () => {
    assert.deepEqual(parseFlags(["NAME", "--value", "x", "--plain", "--env=dev"], setFlags, "secret set"), {
      flags: { value: "x", plain: true, env: "dev" },
      positionals: ["NAME"],
    })
  })

  it("names an unknown flag and where help is", () => {
    const error = failure(["--bogus"])
    assert.equal(error.message, "unknown flag --bogus")
    assert.match(error.hint ?? "", /layer secret set --help/)
  })

  it("never repeats a value typed on the command line", () => {
    for (const args of [["--plain=sk_live_canary"], ["--value", "-sk_live_canary"], ["--unknown=sk_live_canary"]]) {
      const error = failure(args)
      assert.doesNotMatch(`${error.message} ${error.hint}`, /sk_live_canary/, args.join(" "))
    }
  })

  it("explains a missing value and a value given to a switch", () => {
    assert.equal(failure(["--value"]).message, "flag --value needs a value")
    assert.equal(failure(["--plain=yes"]).message, "flag --plain takes no value")
  })
})

describe("checkPositionals", () => {
  const spec: CommandSpec = { words: ["secret", "set"], summary: "", positionals: [{ name: "NAME", required: true, description: "" }], flags: {}, examples: [], load: async () => assert.fail() }

  it("requires NAME and counts extra arguments without echoing them", () => {
    assert.throws(() => checkPositionals(spec, []), /layer secret set: missing NAME/)
    assert.throws(() => checkPositionals(spec, ["NAME", "sk_live_canary"]), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.message, "layer secret set: 1 unexpected argument after NAME")
      return true
    })
  })
})
