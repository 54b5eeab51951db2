/**
 * Where the running CLI came from, so that `layer init` writes dependencies a new project can
 * install the same way: the registry (`^0.1.0`), the tarballs of `npm run pack` (file: specs to
 * the same folder), or a local checkout of this repository (file: specs to its packages).
 *
 * - Not under a node_modules folder: the CLI runs from a checkout (packages/cli of the repository).
 * - Under node_modules: the project that installed it (the folder above the first node_modules,
 *   which also holds for pnpm's .pnpm store and npx's cache) says how in its package.json; a
 *   `file:…/layeron-cli-<version>.tgz` spec means the tarballs of one `npm run pack` folder.
 * - Anything else: the registry.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path"

export const LAYERON_PACKAGES = ["@layeron/core", "@layeron/modules", "@layeron/cli"] as const
export type LayeronPackage = (typeof LAYERON_PACKAGES)[number]

export type InstallSource =
  | { kind: "registry"; version: string }
  | { kind: "tarballs"; folder: string; version: string }
  | { kind: "checkout"; root: string }

/** `cliRoot`: the running CLI's package folder (packages/cli, or node_modules/@layeron/cli). */
export function detectInstallSource(cliRoot: string, version: string): InstallSource {
  const marker = `${sep}node_modules${sep}`
  const at = cliRoot.indexOf(marker)
  if (at === -1) {
    const root = resolve(cliRoot, "..", "..")
    if (existsSync(join(root, "packages", "modules", "package.json")) && existsSync(join(root, "packages", "core", "package.json"))) return { kind: "checkout", root }
    return { kind: "registry", version }
  }
  const installer = cliRoot.slice(0, at)
  const spec = dependencySpec(join(installer, "package.json"), "@layeron/cli")
  if (spec?.startsWith("file:") && spec.endsWith(".tgz")) {
    const path = spec.slice("file:".length)
    const folder = dirname(isAbsolute(path) ? path : resolve(installer, path))
    if (LAYERON_PACKAGES.every((name) => existsSync(join(folder, tarballName(name, version))))) return { kind: "tarballs", folder, version }
  }
  return { kind: "registry", version }
}

/** The three packages' dependency specs for a project in `projectDir`. */
export function packageSpecs(source: InstallSource, projectDir: string): Record<LayeronPackage, string> {
  const spec = (name: LayeronPackage): string => {
    if (source.kind === "registry") return `^${source.version}`
    if (source.kind === "tarballs") return `file:${relativePath(projectDir, join(source.folder, tarballName(name, source.version)))}`
    return `file:${relativePath(projectDir, join(source.root, "packages", name.slice("@layeron/".length)))}`
  }
  return { "@layeron/core": spec("@layeron/core"), "@layeron/modules": spec("@layeron/modules"), "@layeron/cli": spec("@layeron/cli") }
}

/** What `npm pack` names a scoped package's tarball: @layeron/cli 0.1.0 → layeron-cli-0.1.0.tgz. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`
}

function relativePath(from: string, to: string): string {
  const path = relative(from, to).split(sep).join("/")
  return path.startsWith(".") ? path : `./${path}`
}

function dependencySpec(manifestFile: string, name: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Record<string, unknown>
    for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
      const spec = (manifest[field] as Record<string, unknown> | undefined)?.[name]
      if (typeof spec === "string") return spec
    }
  } catch {
    // No readable manifest: nothing says how the CLI was installed.
  }
  return undefined
}
