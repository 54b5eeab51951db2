/**
 * The project's own Layeron packages, checked when the project is imported: a package the
 * config or a backend imports but node_modules lacks is named with the install to run (not
 * "fix the error in layeron.config.ts"), and @layeron/core, @layeron/modules and the running
 * @layeron/cli must be one version (the CLI bundles its own copies; a project built against
 * another version may declare what this CLI reads differently).
 */
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { LayerError } from "../errors.js"
import { cliVersion } from "../version.js"

/** For an import that failed because a package is not installed: the hint to install it. */
export function missingPackageHint(error: unknown, root?: string): string | undefined {
  const message = error instanceof Error ? error.message : String(error)
  const match = /Cannot find (?:package|module) '((?:@[a-z0-9._-]+\/)?[a-z0-9._-]+)[^']*'/i.exec(message)
  if (!match || match[1]!.startsWith(".")) return undefined
  return `${match[1]} is not installed: run \`npm install\` (or pnpm install) in ${root ?? "the project"}, and check that its package.json lists ${match[1]}`
}

/** Refuses @layeron packages whose versions differ from each other or from the running CLI. */
export function checkLayeronVersions(root: string): void {
  const found: Array<{ name: string; version: string; where: string }> = [{ name: "@layeron/cli", version: cliVersion(), where: "the running layer" }]
  for (const name of ["@layeron/core", "@layeron/modules"]) {
    const manifest = installedManifest(root, name)
    if (manifest) found.push({ name, version: manifest.version, where: manifest.file })
  }
  const [first] = found
  const other = found.find((entry) => entry.version !== first!.version)
  if (!first || !other) return
  throw new LayerError(
    "layeron_version_mismatch",
    `${first.name} ${first.version} (${first.where}) and ${other.name} ${other.version} (${other.where}) do not match: the Layeron packages must be one version; nothing was written`,
    { hint: `install the same version of @layeron/cli, @layeron/core and @layeron/modules (e.g. all ${first.version}), then run npm install`, details: { versions: Object.fromEntries(found.map((entry) => [entry.name, entry.version])) } },
  )
}

/** The package.json Node would find for `name` from `root` (node_modules folders upwards). */
function installedManifest(root: string, name: string): { version: string; file: string } | undefined {
  let directory = root
  for (;;) {
    const file = join(directory, "node_modules", name, "package.json")
    try {
      const { version } = JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }
      if (typeof version === "string") return { version, file }
    } catch {
      // Not here: look one folder up.
    }
    const parent = dirname(directory)
    if (parent === directory) return undefined
    directory = parent
  }
}
