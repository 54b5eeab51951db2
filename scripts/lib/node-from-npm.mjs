/**
 * Other Node versions for this machine, from the npm registry's `node` package (it ships the
 * binary; no other download works everywhere this runs). Used by the CI matrix
 * (scripts/ci.mjs) and by the Node 22 rows of `npm run bench`.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const REPO = fileURLToPath(new URL("../../", import.meta.url))

/** Exact versions per supported major, so a run is repeatable; raise them on purpose. */
export const NODE_VERSIONS = { 22: "22.23.3", 24: "24.21.0" }

/** Where `installNode(version)` puts that Node's bin folder (git-ignored). */
export function nodeBinFolder(version) {
  return join(REPO, ".ci", "cache", `node-${version}`, "node_modules", "node", "bin")
}

/**
 * The bin folder of Node `version`, installed into .ci/cache/ on first use; undefined (after
 * `onOutput` saw npm's output) if npm could not install it.
 */
export async function installNode(version, { onOutput = (chunk) => process.stdout.write(chunk) } = {}) {
  const bin = nodeBinFolder(version)
  if (existsSync(join(bin, "node"))) return bin
  const prefix = join(REPO, ".ci", "cache", `node-${version}`)
  mkdirSync(prefix, { recursive: true })
  const child = spawn("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--prefix", prefix, `node@${version}`], { cwd: prefix, stdio: ["ignore", "pipe", "pipe"] })
  child.stdout.on("data", onOutput)
  child.stderr.on("data", onOutput)
  const code = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)))
  return code === 0 && existsSync(join(bin, "node")) ? bin : undefined
}
