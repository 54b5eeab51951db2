/**
 * The example is what a new user copies, so it must type-check with its own tsconfig (Workers
 * globals from lib DOM, @layeron/* through their published types). node:test runs this file;
 * it is not a vitest spec.
 */
import { test } from "node:test"
import assert from "node:assert/strict"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const shop = join(dirname(fileURLToPath(import.meta.url)), "..")

test("examples/shop type-checks with its own tsconfig.json", () => {
  const config = ts.getParsedCommandLineOfConfigFile(join(shop, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) })!
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options })
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName.slice(shop.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "(project)"
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0]}`
  })
  assert.deepEqual(errors, [])
})
