#!/usr/bin/env node
/**
 * The `layer` executable. This is the only place where errors become exit codes:
 * a LayerError exits with its exitCode after its message and hint on stderr (and, with
 * --json, `{"error":{…}}` on stdout); anything else is a bug in layer and exits 1.
 */
import { runAfterSuccess } from "./after-success.js"
import { runCli } from "./cli.js"
import { isLayerError } from "./errors.js"
import { scanOutputFlags } from "./framework/argv.js"
import { createOutput } from "./output/index.js"

const argv = process.argv.slice(2)
const { json, debug } = scanOutputFlags(argv, process.env)
const output = createOutput({ json, debug, stdout: process.stdout, stderr: process.stderr, env: process.env })

// Ctrl-C outside a prompt (prompts handle it themselves, in raw mode).
process.once("SIGINT", () => {
  process.stderr.write("\ninterrupted\n")
  process.exit(130)
})

try {
  const exitCode = await runCli(argv, { env: process.env, cwd: process.cwd(), stdin: process.stdin, stderr: process.stderr }, output)
  // Only a command that did what it was asked may leave caches behind (after-success.ts).
  if (exitCode !== 1) await runAfterSuccess()
  process.exitCode = exitCode
} catch (error) {
  output.error(error)
  process.exitCode = isLayerError(error) ? error.exitCode : 1
}
