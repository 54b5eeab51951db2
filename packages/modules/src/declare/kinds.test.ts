/**
 * Declarations typed by kind (issue 26, point 3), proven with the type checker: the compiler
 * runs on packages/modules/type-tests/declarations.ts, whose `@ts-expect-error` lines are the
 * mistakes that fail at run time (`hmac(keyPair)`, `aead(keyPair)`, `aead(static)`,
 * `jwt(static)` without an algorithm, `jwks()` on a byte secret, `generate` with `bytes`,
 * `everyDays` below 7). It must compile
 * as written (so each directive met an error, and what fits compiles), and, with the
 * directives removed, report errors on exactly the lines they stood above.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const dir = join(dirname(fileURLToPath(import.meta.url)), "../../type-tests")
const file = join(dir, "declarations.ts")
const DIRECTIVE = /^\s*\/\/ @ts-expect-error\b.*$/

let previous: ts.Program | undefined

/** The compiler's errors for the type-test project, with `declarations.ts` read as `text`. */
function diagnose(text: string): { line: number; message: string }[] {
  const configPath = join(dir, "tsconfig.json")
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) })!
  const host = ts.createCompilerHost(config.options)
  const readFile = host.readFile.bind(host)
  host.readFile = (path) => (path === file ? text : readFile(path))
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (path, language, onError) => (path === file ? ts.createSourceFile(path, text, language) : getSourceFile(path, language, onError))
  // The second run reuses the first's parsed libraries and sources: only this file changed.
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host, ...(previous ? { oldProgram: previous } : {}) })
  previous = program
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    message: `${d.file ? d.file.fileName.slice(d.file.fileName.lastIndexOf("/") + 1) : "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0]}`,
  }))
}

test("declarations typed by kind: every mistake in type-tests/declarations.ts is a compile error on its line, and what fits compiles", () => {
  const source = readFileSync(file, "utf8")
  const lines = source.split("\n")
  const expected = lines.flatMap((line, index) => (DIRECTIVE.test(line) ? [index + 2] : []))
  assert.ok(expected.length >= 11, `the file lists its mistakes (${expected.length} found)`)

  // As written: no error at all (an unused @ts-expect-error is itself an error).
  assert.deepEqual(diagnose(source), [])

  // Without the directives: errors on exactly the lines they stood above, none elsewhere.
  const stripped = lines.map((line) => (DIRECTIVE.test(line) ? "//" : line)).join("\n")
  const errors = diagnose(stripped)
  assert.ok(errors.every((e) => e.message.startsWith("declarations.ts")), `errors outside the file: ${JSON.stringify(errors)}`)
  assert.deepEqual([...new Set(errors.map((e) => e.line))].sort((a, b) => a - b), expected, JSON.stringify(errors, null, 1))
})
