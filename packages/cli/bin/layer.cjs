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
// bare Node start. The same bytes as bundle/bin.js and runCli print for it.
var args = process.argv.slice(2)
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  process.stdout.write(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).version + "\n")
  return
}
var url = require("node:url")
// Node 22.1+ can keep compiled code between runs; a start then skips most parsing.
var nodeModule = require("node:module")
if (typeof nodeModule.enableCompileCache === "function") nodeModule.enableCompileCache()
// The esbuild bundle of dist/ (scripts/bundle.mjs): the same code in ~35 files instead of ~110,
// which is most of a short command's start time.
var entry = path.join(__dirname, "..", "bundle", "bin.js")
if (!fs.existsSync(entry)) {
  process.stderr.write("layer: the CLI is not built (" + entry + " is missing)\nhint: run `npm run build` at the repository root\n")
  process.exit(1)
}
import(url.pathToFileURL(entry).href)
