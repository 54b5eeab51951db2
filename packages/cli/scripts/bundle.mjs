#!/usr/bin/env node
/**
 * Bundles the built CLI (dist/, from tsc) into one CommonJS file, bundle/layer.cjs: what
 * `layer` runs (bin/layer.cjs loads it with a V8 code cache).
 *
 * Why one CommonJS file: Node 20's ES module loader reads, links and compiles each module on
 * its own, asynchronously, and there is no compile cache for it before Node 22. A declared
 * `secret set` loaded 48 chunks (280 KB) that way, about 35 ms of a 95 ms command. One script
 * is read in one call and, with the code V8 compiled for it last time (a cache the launcher
 * keeps in LAYERON_HOME), starts without parsing (docs/performance.md). Each command's code
 * stays lazy: esbuild wraps a module reached only through `import()` in a function that runs
 * on first use, so `secret set` still runs only its own modules' top-level code.
 *
 * ES module features the CommonJS output lacks are given back: `import.meta.url` is the
 * bundle's own file URL (package-root.ts and version.ts find the package one folder up, as
 * from dist/), `import.meta.resolve` resolves through require.resolve (its one use, the Product
 * Worker's entry, is a plain `default` export).
 *
 * Left out, and loaded from node_modules when used: esbuild and tsx (only deploy and project
 * loading need them, and they ship native or worker parts), chokidar and miniflare (`layer dev`
 * only; miniflare is an optional peer). @layeron/modules and @layeron/core are bundled in: the
 * declarations a project builds with its own copy are recognised by Symbol.for brands, not by
 * class identity, so two copies agree.
 *
 *   node scripts/bundle.mjs        (run by the repository's `npm run build`, after tsc)
 */
import { rmSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const packageRoot = fileURLToPath(new URL("..", import.meta.url))

rmSync(`${packageRoot}bundle`, { recursive: true, force: true })
await build({
  absWorkingDir: packageRoot,
  entryPoints: ["dist/bin.js"],
  outfile: "bundle/layer.cjs",
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20.10",
  external: ["esbuild", "tsx", "tsx/*", "chokidar", "miniflare"],
  // Every import() becomes a require(): code run through node:vm cannot import() without an
  // experimental hook (and a warning on stderr). esbuild, tsx/esm/api and the rest all ship CommonJS.
  supported: { "dynamic-import": false },
  define: { "import.meta.url": "__layeronBundleUrl", "import.meta.resolve": "__layeronResolve" },
  banner: {
    js: [
      // The sources are ES modules, strict throughout; a CommonJS file is strict only if it says so.
      '"use strict";',
      'const __layeronBundleUrl = require("node:url").pathToFileURL(__filename).href;',
      'const __layeronResolve = (specifier) => require("node:url").pathToFileURL(require.resolve(specifier)).href;',
    ].join("\n"),
  },
  logLevel: "warning",
})
