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
// Node 22.1+ can keep compiled code between runs; a start then skips most parsing. Not in
// Node's default folder, os.tmpdir()/node-compile-cache: on a shared machine another user can
// create that folder first and plant compiled code for layer to run, with your keys in reach.
// layer's own is LAYERON_HOME/cache/compile, used only once a successful command has made it
// (bin.ts) and only while it is a real folder of yours that nobody else can enter. A
// NODE_COMPILE_CACHE you set is yours: Node has turned it on before this line.
var nodeModule = require("node:module")
if (typeof nodeModule.enableCompileCache === "function" && !process.env.NODE_COMPILE_CACHE) {
  var compileCache = privateCompileCache()
  if (compileCache) nodeModule.enableCompileCache(compileCache)
}
// The esbuild bundle of dist/ (scripts/bundle.mjs): the same code in ~35 files instead of ~110,
// which is most of a short command's start time.
var entry = path.join(__dirname, "..", "bundle", "bin.js")
if (!fs.existsSync(entry)) {
  process.stderr.write("layer: the CLI is not built (" + entry + " is missing)\nhint: run `npm run build` at the repository root\n")
  process.exit(1)
}
import(url.pathToFileURL(entry).href)


/**
 * LAYERON_HOME/cache/compile when it, cache/ and LAYERON_HOME are directories owned by this
 * user, the two below the home real ones (not links), the last closed to group and others;
 * otherwise undefined. LAYERON_HOME is found as src/paths.ts finds it.
 */
function privateCompileCache() {
  var env = process.env
  var os = require("node:os")
  var home = env.LAYERON_HOME
  if (!home) {
    if (process.platform === "win32") home = path.join(env.APPDATA || path.join(os.homedir(), "AppData", "Roaming"), "layeron")
    else if (process.platform === "darwin") home = path.join(os.homedir(), "Library", "Application Support", "layeron")
    else home = path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config"), "layeron")
  }
  var folders = [home, path.join(home, "cache"), path.join(home, "cache", "compile")]
  var uid = typeof process.getuid === "function" ? process.getuid() : undefined
  for (var i = 0; i < folders.length; i++) {
    var info
    try {
      // LAYERON_HOME itself may be a link (dotfile managers link ~/.config entries), as in src/fs/safe-path.ts.
      info = i === 0 ? fs.statSync(folders[i]) : fs.lstatSync(folders[i])
    } catch (error) {
      return undefined
    }
    if (!info.isDirectory()) return undefined
    if (uid !== undefined && info.uid !== uid) return undefined
  }
  if (uid !== undefined && (info.mode & 0o077) !== 0) return undefined
  return folders[folders.length - 1]
}
