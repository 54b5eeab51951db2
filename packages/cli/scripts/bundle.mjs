#!/usr/bin/env node
/**
 * Bundles the built CLI (dist/, from tsc) into bundle/: what `layer` runs (bin/layer.cjs).
 *
 * Why: a `layer secret set` from dist/ loads ~110 ES modules, and Node's module loader, not the
 * command, is most of its start time (docs/performance.md). esbuild with code splitting keeps
 * every command's lazy import lazy (one chunk per command, shared code in shared chunks), so
 * `secret set` loads ~35 files and `--version` still loads one.
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
const outdir = `${packageRoot}bundle`

rmSync(outdir, { recursive: true, force: true })
await build({
  absWorkingDir: packageRoot,
  entryPoints: ["dist/bin.js"],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.10",
  external: ["esbuild", "tsx", "tsx/*", "chokidar", "miniflare"],
  // One flat folder, so every chunk finds the package one folder up (src/package-root.ts).
  chunkNames: "[name]-[hash]",
  logLevel: "warning",
})
