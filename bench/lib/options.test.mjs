// node --test bench/lib/options.test.mjs
import { describe, it } from "node:test"
import assert from "node:assert/strict"
import { MIN_RUNS, parseOptions, UsageError } from "./options.mjs"

const SECTIONS = ["cli-start", "runtime-reads", "rotation"]

describe("bench options", () => {
  it("defaults to 5 runs, every section, not quick", () => {
    assert.deepEqual(parseOptions([], SECTIONS), { runs: MIN_RUNS, quick: false, only: [], help: false })
  })

  it("takes --runs, --quick and --only (repeated or comma-separated)", () => {
    const options = parseOptions(["--runs", "9", "--quick", "--only", "cli-start,rotation", "--only", "runtime-reads"], SECTIONS)
    assert.deepEqual(options, { runs: 9, quick: true, only: ["cli-start", "rotation", "runtime-reads"], help: false })
  })

  const refused = [
    { argv: ["--runs", "4"], message: /--runs 4 is below the minimum of 5/ },
    { argv: ["--runs", "five"], message: /--runs must be a whole number, got "five"/ },
    { argv: ["--runs=-1"], message: /--runs must be a whole number, got "-1"/ },
    { argv: ["--only", "memry"], message: /unknown section "memry"; sections: cli-start, runtime-reads, rotation/ },
    { argv: ["--fast"], message: /Unknown option '--fast'/ },
    { argv: ["rotation"], message: /Unexpected argument 'rotation'/ },
  ]
  for (const { argv, message } of refused) {
    it(`refuses ${argv.join(" ")}`, () => {
      assert.throws(() => parseOptions(argv, SECTIONS), (error) => error instanceof UsageError && message.test(error.message))
    })
  }
})
