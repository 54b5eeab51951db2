#!/usr/bin/env node
/**
 * The `layer` executable. This is the only place where errors become exit codes:
 * a LayerError exits with its exitCode after its message and hint on stderr (and, with
 * --json, `{"error":{…}}` on stdout); an operating-system refusal (disk full, read-only, permission
 * denied, too many open files, out of memory) becomes a LayerError naming the path and the cause
 * (errors.ts); anything else is a bug in layer and exits 1.
 *
 * A bare `layer --version` (or `-v`) is answered first, from package.json alone: scripts
 * and bug reports run it, and loading the command table, argv parsing and output would
 * make it cost 1.7x a bare Node start instead of 1.3x (docs/performance.md). Its output is
 * the same bytes runCli prints for it; every other command line goes through runCli.
 */
import { cliVersion } from "./version.js"

/** How long a finished command may take to close what is still open before it is ended. */
const EXIT_GRACE_MS = 3_000

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) process.stdout.write(`${cliVersion()}\n`)
else void run(argv) // not a top-level await: the bundle is CommonJS (scripts/bundle.mjs)

async function run(argv: string[]): Promise<void> {
  const [{ afterSuccess, runAfterSuccess }, { runCli }, { asLayerError, isLayerError }, { scanOutputFlags }, { createOutput }, { ensureCompileCacheFolder }] = await Promise.all([
    import("./after-success.js"),
    import("./cli.js"),
    import("./errors.js"),
    import("./framework/argv.js"),
    import("./output/index.js"),
    import("./compile-cache.js"),
  ])
  // The launcher's compile cache folder, made once a command has succeeded (compile-cache.ts).
  afterSuccess(() => ensureCompileCacheFolder(process.env))
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
  } catch (thrown) {
    const error = asLayerError(thrown)
    output.error(error)
    process.exitCode = isLayerError(error) ? error.exitCode : 1
  }
  // The command has answered, so the process must end: a socket an aborted request left open
  // (a Cloudflare answer still dripping in after its deadline) would otherwise keep Node alive
  // until the far end closes it. Unref'd: a process with nothing left ends at once, as before.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref()
}
