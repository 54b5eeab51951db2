import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { parseImportFile } from "./import-file.js"

const parse = (text: string | Uint8Array) => parseImportFile(typeof text === "string" ? Buffer.from(text, "utf8") : text, "FILE")

function refused(text: string | Uint8Array, pattern: RegExp): void {
  assert.throws(() => parse(text), (error) => {
    assert.ok(isLayerError(error), String(error))
    assert.match(error.message, pattern)
    assert.match(error.message, /nothing was written$/)
    return true
  })
}

describe("parseImportFile: dotenv", () => {
  it("reads export, comments, quotes, escapes and multi-line values, with each key's line", () => {
    const { format, entries } = parse(
      [
        "# a comment",
        "export A=plain value  # trailing comment",
        "B = 'single # kept \\n literal'",
        'C="tab\\there \\"quoted\\" back\\\\slash"',
        "D=\"first",
        "second\"",
        "E=`back tick`",
        "F=a#b",
        "G=${NOT_EXPANDED}",
      ].join("\n"),
    )
    assert.equal(format, "dotenv")
    assert.deepEqual(entries, [
      { key: "A", line: 2, value: "plain value" },
      { key: "B", line: 3, value: "single # kept \\n literal" },
      { key: "C", line: 4, value: 'tab\there "quoted" back\\slash' },
      { key: "D", line: 5, value: "first\nsecond" },
      { key: "E", line: 7, value: "back tick" },
      { key: "F", line: 8, value: "a#b" },
      { key: "G", line: 9, value: "${NOT_EXPANDED}" },
    ])
  })

  it("refuses what it cannot read unambiguously, naming the line and never the value", () => {
    refused("A=1\nB=\"C:\\path SECRETVALUE\"\n", /^FILE line 2: unknown escape in the double-quoted value of B/)
    refused("A=1\nB='open SECRETVALUE\n", /^FILE line 2: the single quote opening B's value is never closed/)
    refused("A='x' SECRETVALUE\n", /^FILE line 1: unexpected text after the closing quote of A/)
    refused("SECRETVALUE\n", /^FILE line 1: expected KEY=value/)
    refused("A=1\nA=2\n", /^FILE line 2: duplicate key A \(first on line 1\)/)
    refused("A=''\n", /^FILE line 1: A has an empty value/)
    refused("# only comments\n", /^FILE holds no entries/)
    for (const text of ["A=1\nB=\"C:\\path SECRETVALUE\"\n", "SECRETVALUE\n", "A='x' SECRETVALUE\n"]) {
      assert.throws(() => parse(text), (error) => !String((error as Error).message).includes("SECRETVALUE") && !String((error as { hint?: string }).hint).includes("SECRETVALUE"))
    }
  })

  it("reads CRLF line endings as LF (as wrangler and dotenv do), inside quoted values too; a lone CR stays", () => {
    assert.deepEqual(parse("A=1\r\nB=2\r\n").entries, [{ key: "A", line: 1, value: "1" }, { key: "B", line: 2, value: "2" }])
    assert.deepEqual(parse('A="one\r\ntwo"\r\nB=x\ry\r\n').entries, [{ key: "A", line: 1, value: "one\ntwo" }, { key: "B", line: 3, value: "x\ry" }])
    assert.deepEqual(parse('{\r\n  "A": "one"\r\n}\r\n').entries, [{ key: "A", line: 2, value: "one" }])
  })

  it("refuses a BOM, NUL bytes and invalid UTF-8 with the line, and a portable fix naming the file", () => {
    assert.throws(() => parse(Buffer.from([0xef, 0xbb, 0xbf, 0x41, 0x3d, 0x31])), (error) => isLayerError(error) && /line 1: .*byte-order mark/.test(error.message) && /tail -c \+4 FILE > FILE\.new/.test(error.hint ?? ""))
    assert.throws(() => parseImportFile(Buffer.from([0xef, 0xbb, 0xbf, 0x41, 0x3d, 0x31]), ".env.production"), (error) => isLayerError(error) && /tail -c \+4 \.env\.production > \.env\.production\.new/.test(error.hint ?? ""))
    refused(Buffer.from([0x41, 0x3d, 0x31, 0x0a, 0x42, 0x3d, 0x00]), /^FILE line 2: the file holds a NUL byte/)
    refused(Buffer.from([0x41, 0x3d, 0xc3, 0xa9, 0x0a, 0x0a, 0x42, 0x3d, 0xc3]), /^FILE line 3: the file is not valid UTF-8/)
  })
})

describe("parseImportFile: JSON", () => {
  it("names the key in an error, on a one-line object too", () => {
    refused('{"A": "1", "bad key": "2"}', /^FILE line 1: the key "bad key" is not a valid name/)
    refused('{"A": "1", "B": nope}', /^FILE line 1: the value of "B" is not valid JSON/)
    refused('{"A": "1" "B": "2"}', /^FILE line 1: expected "," or "}" after the value of "A"/)
    refused(`{"${"K".repeat(60)} x": "1"}`, new RegExp(`^FILE line 1: the key "${"K".repeat(40)}…" is not a valid name`))
  })

  it("reads a flat object of strings and envelope objects, with lines", () => {
    const { format, entries } = parse('{\n  "A": "one",\n  "auth/session-key": { "current": "v1", "versions": { "v1": { "value": "x" } } }\n}\n')
    assert.equal(format, "json")
    assert.deepEqual(entries, [
      { key: "A", line: 2, value: "one" },
      { key: "auth/session-key", line: 3, value: '{"current":"v1","versions":{"v1":{"value":"x"}}}' },
    ])
  })

  it("refuses duplicates, non-string values and broken JSON with the line", () => {
    refused('{\n "A": "1",\n "A": "2"\n}', /^FILE line 3: duplicate key A \(first on line 2\)/)
    refused('{\n "A": 42\n}', /^FILE line 2: the value of A is a number; values are strings/)
    refused('{\n "A": "1"\n "B": "2"\n}', /^FILE line 3: expected "," or "}"/)
    refused('{ "A": "1", }', /^FILE line 1: expected a key in double quotes/)
  })

  it("a key that is not a valid JSON string is a typed refusal naming the file and line, without echoing it", () => {
    for (const key of ['"\\x41"', '"\\u12"', '"A\\q"']) {
      const text = `{\n "OK": "1",\n ${key}: "sk_live_not_shown"\n}`
      assert.throws(() => parse(text), (error) => {
        assert.ok(isLayerError(error), `not a typed error: ${String(error)}`)
        assert.equal(error.code, "invalid_import_file")
        assert.match(error.message, /^FILE line 3: a key is not a valid JSON string .*; nothing was written$/)
        assert.equal(error.details?.line, 3)
        assert.doesNotMatch(error.message, /x41|u12|A\\q|sk_live/)
        return true
      })
    }
  })
})
