// How bin/layer.cjs runs the CLI's bundle: from V8's code cache, kept in a folder of the
// user's own. Plain CommonJS for any Node, like the launcher (committed, not built).
"use strict"
var path = require("node:path")
var fs = require("node:fs")
var nodeModule = require("node:module")

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

/**
 * Run the bundle as Node would require it, but compiled from V8's code cache when one was
 * kept: parsing and compiling the 700 KB bundle is most of a short command's start on Node 20,
 * which has no compile cache of its own (docs/performance.md). The cache file is named after
 * the Node and the bundle (size, mtime, inode), starts with the SHA-256 of what follows (a file
 * cut short or damaged is not handed to V8, which checks little), and is written, 0600, only
 * after a command that exited 0; without a cache folder the bundle is compiled afresh. Code run
 * through node:vm cannot import() without an experimental flag: the bundle holds no import()
 * of its own, and gets this file's as `__layeronImport` for the one package that needs it.
 */
function runBundle(file, folder) {
  var vm = require("node:vm")
  var crypto = folder ? require("node:crypto") : undefined
  var name = folder ? cacheName(fs.statSync(file)) : undefined
  var cached = folder ? readVerified(path.join(folder, name), crypto) : undefined
  // Node's CommonJS wrapper, plus `__layeronImport`: import() from here, where it works
  // (src/framework/import-esm.ts). The first line is a shebang (`#!`), which is not JavaScript
  // inside a function: blanked, so line numbers stay.
  var source = fs.readFileSync(file, "utf8").replace(/^#!.*/, "")
  var wrapped = "(function (exports, require, module, __filename, __dirname, __layeronImport) { " + source + "\n});"
  var script = new vm.Script(wrapped, { filename: file, cachedData: cached })
  if (folder && (!cached || script.cachedDataRejected)) {
    process.once("exit", function (code) {
      if (code === 0) saveCache(folder, name, script.createCachedData(), crypto)
    })
  }
  var bundleModule = new nodeModule(file, module)
  bundleModule.filename = file
  var importFromHere = function (specifier) {
    return import(specifier)
  }
  script.runInThisContext().call(bundleModule.exports, bundleModule.exports, nodeModule.createRequire(file), bundleModule, file, path.dirname(file), importFromHere)
}

/** The cache file's name: this Node, and the bundle by size, mtime and inode. */
function cacheName(bundleInfo) {
  return "layer-" + [process.version, process.arch, bundleInfo.size, Math.floor(bundleInfo.mtimeMs), bundleInfo.ino].join("-") + ".v8"
}

/** The code cache in `file` if its SHA-256 prefix matches it; otherwise undefined. */
function readVerified(file, crypto) {
  var data
  try {
    data = fs.readFileSync(file)
  } catch (error) {
    return undefined
  }
  if (data.length <= 32) return undefined
  var payload = data.subarray(32)
  return crypto.createHash("sha256").update(payload).digest().equals(data.subarray(0, 32)) ? payload : undefined
}

/**
 * Write the cache atomically (temp file, rename) and drop what older bundles left for this
 * Node (another Node's cache stays: two Nodes taking turns must not undo each other). Best effort.
 */
function saveCache(folder, name, payload, crypto) {
  var temp = path.join(folder, "." + name + "." + process.pid + ".tmp")
  var sameNode = "layer-" + process.version + "-" + process.arch + "-"
  try {
    fs.writeFileSync(temp, Buffer.concat([crypto.createHash("sha256").update(payload).digest(), payload]), { mode: 0o600, flag: "wx" })
    fs.renameSync(temp, path.join(folder, name))
    fs.readdirSync(folder).forEach(function (entry) {
      if (entry !== name && entry.startsWith(sameNode) && entry.endsWith(".v8")) fs.rmSync(path.join(folder, entry), { force: true })
    })
  } catch (error) {
    try {
      fs.rmSync(temp, { force: true })
    } catch (ignored) {}
  }
}

module.exports = { privateCompileCache: privateCompileCache, runBundle: runBundle }
