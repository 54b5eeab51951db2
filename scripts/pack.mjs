#!/usr/bin/env node
/**
 * `npm run pack`: the three packages as installable tarballs in one folder (packs/, or --out DIR),
 * for installing outside this repository while the packages are not on the npm registry.
 *
 * Each package is packed from a staged copy of exactly the files `npm pack` would ship, with one
 * change to its package.json: dependencies on the other @layeron packages become peer
 * dependencies of the same exact version. A project that installs the three tarballs then
 * provides them itself, so npm and pnpm resolve them from the tarballs (a plain dependency
 * `"@layeron/modules": "0.1.0"` would send pnpm to the registry). The packages published to the
 * registry keep plain dependencies (.github/workflows/publish.yml publishes the workspaces).
 *
 * Refused, with nothing written: a build that does not match the sources (an output in dist/
 * whose source file is gone would ship), and @layeron versions that do not match each other.
 *
 *   node scripts/pack.mjs [--out DIR] [--repo DIR]      (npm run pack builds first)
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { parseArgs } from "node:util"

const { values } = parseArgs({ options: { out: { type: "string" }, repo: { type: "string" } } })
/** --repo: another checkout's root (test/package packs a copy it has broken on purpose). */
const REPO = resolve(values.repo ?? new URL("..", import.meta.url).pathname)
export const WORKSPACES = ["packages/modules", "packages/core", "packages/cli"]

function fail(message) {
  process.stderr.write(`npm run pack: ${message}\nnothing was written\n`)
  process.exit(1)
}

const out = resolve(values.out ?? join(REPO, "packs"))

const manifests = new Map(WORKSPACES.map((workspace) => [workspace, JSON.parse(readFileSync(join(REPO, workspace, "package.json"), "utf8"))]))
const versions = new Map([...manifests.values()].map((manifest) => [manifest.name, manifest.version]))

// The versions must agree: a core 0.2.0 built against modules 0.1.0 is not what a user would get.
for (const [workspace, manifest] of manifests) {
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    if (!versions.has(name)) continue
    if (range !== versions.get(name)) fail(`${manifest.name} (${workspace}/package.json) depends on ${name} ${range}, but ${name} is ${versions.get(name)}: make them match`)
  }
}

for (const workspace of WORKSPACES) checkBuild(workspace)

const staging = mkdtempSync(join(tmpdir(), "layeron-pack-"))
try {
  const made = []
  for (const workspace of WORKSPACES) made.push(packOne(workspace, staging))
  mkdirSync(out, { recursive: true })
  for (const file of made) {
    const target = join(out, file.split("/").pop())
    rmSync(target, { force: true })
    cpSync(file, target)
  }
  process.stdout.write(`${made.map((file) => join(relative(process.cwd(), out) || ".", file.split("/").pop())).join("\n")}\n`)
} finally {
  rmSync(staging, { recursive: true, force: true })
}

/** Every built .js in dist/ has its source; stale outputs of a deleted source would ship. */
function checkBuild(workspace) {
  const dist = join(REPO, workspace, "dist")
  if (!existsSync(join(dist, "index.js"))) fail(`${workspace}/dist/index.js is missing: run npm run build`)
  for (const file of walk(dist)) {
    if (!file.endsWith(".js")) continue
    const source = join(REPO, workspace, "src", relative(dist, file)).replace(/\.js$/, ".ts")
    if (!existsSync(source)) fail(`${relative(REPO, file)} has no source (${relative(REPO, source)} is gone): the build is stale; delete ${workspace}/dist and run npm run build`)
  }
  if (workspace === "packages/cli" && !existsSync(join(REPO, workspace, "bundle", "layer.cjs"))) fail("packages/cli/bundle/layer.cjs is missing: run npm run build")
}

function walk(dir) {
  const found = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...walk(path))
    else found.push(path)
  }
  return found
}

/** Copies what `npm pack` would ship into a staging folder, rewrites its manifest, packs it. */
function packOne(workspace, staging) {
  const listing = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", "-w", workspace], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  const [report] = JSON.parse(listing)
  const folder = join(staging, workspace.split("/").pop())
  for (const { path } of report.files) {
    mkdirSync(dirname(join(folder, path)), { recursive: true })
    cpSync(join(REPO, workspace, path), join(folder, path))
  }
  const manifest = structuredClone(manifests.get(workspace))
  const peers = {}
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (!versions.has(name)) continue
    peers[name] = manifest.dependencies[name]
    delete manifest.dependencies[name]
  }
  if (Object.keys(peers).length > 0) manifest.peerDependencies = { ...peers, ...(manifest.peerDependencies ?? {}) }
  // The CLI's bundle/ holds its own copy of core and modules (packages/cli/scripts/bundle.mjs), so
  // for it they are optional: `npx --package packs/layeron-cli-….tgz layer init` installs it alone.
  if (manifest.name === "@layeron/cli") {
    for (const name of Object.keys(peers)) manifest.peerDependenciesMeta = { ...(manifest.peerDependenciesMeta ?? {}), [name]: { optional: true } }
  }
  writeFileSync(join(folder, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`)
  const packed = execFileSync("npm", ["pack", folder, "--json", "--ignore-scripts", "--pack-destination", staging], { cwd: staging, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  const [result] = JSON.parse(packed)
  return join(staging, result.filename)
}
