#!/usr/bin/env node
// The `layer` executable npm links at install time. It is committed (dist/ is built later,
// and npm links a bin only if its file exists when it installs), and it is written for any
// Node: an older Node gets one line saying what to install, before anything else loads.
"use strict"
var parts = process.versions.node.split(".")
var major = Number(parts[0])
var minor = Number(parts[1])
if (major < 20 || (major === 20 && minor < 10)) {
  process.stderr.write(
    "layer: Node " + process.versions.node + " is too old; @layeron/cli needs Node 20.10 or newer (20, 22 and 24 are supported)\n"
  )
  process.exit(1)
}
var path = require("node:path")
var fs = require("node:fs")
// A bare `layer --version` (what scripts and bug reports run) is answered here, from
// package.json, before Node's ES module loader starts: that loader alone costs a third of a
// bare Node start. The same bytes runCli prints for it.
var args = process.argv.slice(2)
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  process.stdout.write(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).version + "\n")
  return
}
// Compiled code is kept between runs in LAYERON_HOME/cache/compile (bin/run-bundle.cjs),
// never in a folder of os.tmpdir(), where Node's and tsx's own caches go by default: on a
// shared machine another user can create that folder first and plant compiled code for layer
// to run, with your keys in reach. The folder is used only once a successful command has made
// it (src/compile-cache.ts) and only while it is a real folder of yours that nobody else can
// enter. Node 22's enableCompileCache() is not turned on, even there: Node writes its cache at
// exit whatever the exit code, and a failing command must leave LAYERON_HOME as it found it.
var runner = require("./run-bundle.cjs")
var cacheFolder = runner.privateCompileCache()
// The esbuild bundle of dist/ (scripts/bundle.mjs): the whole CLI in one CommonJS file.
var bundle = path.join(__dirname, "..", "bundle", "layer.cjs")
if (!fs.existsSync(bundle)) {
  process.stderr.write("layer: the CLI is not built (" + bundle + " is missing)\nhint: run `npm run build` at the repository root\n")
  process.exit(1)
}
runner.runBundle(bundle, cacheFolder)

