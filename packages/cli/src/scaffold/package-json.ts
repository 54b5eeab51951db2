/**
 * package.json for `layer init`: written whole in a new folder, merged into one that is there.
 * A merge adds what the project needs (`"type": "module"`, the scripts, the dependencies,
 * allowScripts) and never changes a key the file already has (except npm init's placeholder
 * test script, which only fails): it says what it added and which of its own entries it kept. A package that is CommonJS, or a file that is not a JSON object,
 * is refused before anything is written: Layeron's config and backends are ES modules.
 */
import { LayerError } from "../errors.js"
import type { ScaffoldOptions } from "./templates/types.js"

type Json = Record<string, unknown>

/** The test script `npm init -y` writes. */
const NPM_INIT_TEST_SCRIPT = 'echo "Error: no test specified" && exit 1'

export interface PackageJsonPlan {
  /** The file's new text; undefined when nothing needs to change. */
  content: string | undefined
  /** What was added, as `type`, `scripts.test`, `devDependencies.tsx`. */
  added: string[]
  /** Entries the project already had with another value, kept as they are. */
  kept: string[]
}

/** The project's package.json as `layer init` writes it in an empty folder. */
export function packageJsonFields(options: ScaffoldOptions): Json {
  return {
    name: options.name,
    private: true,
    type: "module",
    scripts: {
      dev: "layer dev",
      deploy: "layer deploy",
      // npm runs scripts through sh, which expands the glob (Node 20's --test takes no globs).
      test: "node --import tsx --test test/*.test.ts",
      typecheck: "tsc --noEmit",
    },
    dependencies: { "@layeron/core": options.packages["@layeron/core"], "@layeron/modules": options.packages["@layeron/modules"] },
    devDependencies: {
      "@layeron/cli": options.packages["@layeron/cli"],
      // `layer dev` runs the Workers in workerd through miniflare (an optional peer of the CLI).
      miniflare: options.devTools.miniflare,
      tsx: options.devTools.tsx,
      typescript: options.devTools.typescript,
      "@types/node": options.devTools.typesNode,
    },
    // npm 11 runs a dependency's install script only when allowScripts lists it (else it warns).
    allowScripts: { esbuild: true, workerd: true, sharp: true },
  }
}

export function planPackageJson(existing: string | undefined, options: ScaffoldOptions, shown: string): PackageJsonPlan {
  const wanted = packageJsonFields(options)
  if (existing === undefined) return { content: `${JSON.stringify(wanted, null, 2)}\n`, added: [], kept: [] }
  const manifest = parseManifest(existing, shown)
  const type = manifest.type
  if (type !== undefined && type !== "module") {
    throw new LayerError("init_commonjs_package", `${shown} has "type": ${JSON.stringify(type)}, but a Layeron project's config and backends are ES modules; nothing was written`, {
      hint: `if the package can be an ES module package (\`npm init -y\` writes "commonjs" by default), run \`npm pkg set type=module\` and \`layer init\` again; else run \`layer init <subfolder>\` to start the project in a folder of its own`,
      details: { file: shown },
    })
  }
  const added: string[] = []
  const kept: string[] = []
  if (type === undefined) {
    manifest.type = "module"
    added.push("type")
  }
  for (const field of ["scripts", "dependencies", "devDependencies", "allowScripts"] as const) {
    const entries = wanted[field] as Json
    const current = manifest[field]
    if (current !== undefined && (typeof current !== "object" || current === null || Array.isArray(current))) {
      throw new LayerError("init_package_json_invalid", `${shown}: "${field}" is not an object; nothing was written`, { hint: `fix "${field}" in ${shown}, then run \`layer init\` again`, details: { file: shown } })
    }
    const target: Json = (current as Json | undefined) ?? {}
    for (const [key, value] of Object.entries(entries)) {
      // A dependency listed in the other dependency field counts as there.
      const elsewhere = field === "dependencies" ? (manifest.devDependencies as Json | undefined)?.[key] : field === "devDependencies" ? (manifest.dependencies as Json | undefined)?.[key] : undefined
      // npm init's placeholder test script only fails: it is replaced, and named among what was added.
      const placeholder = field === "scripts" && key === "test" && target[key] === NPM_INIT_TEST_SCRIPT
      const have = placeholder ? undefined : (target[key] ?? elsewhere)
      if (have === undefined) {
        target[key] = value
        added.push(`${field}.${key}`)
      } else if (have !== value && field !== "allowScripts") kept.push(`${field}.${key}`)
    }
    if (current === undefined && Object.keys(target).length > 0) manifest[field] = target
  }
  if (added.length === 0) return { content: undefined, added, kept }
  return { content: `${JSON.stringify(manifest, null, indentationOf(existing))}${existing.endsWith("\n") ? "\n" : ""}`, added, kept }
}

function parseManifest(text: string, shown: string): Json {
  let parsed: unknown
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""))
  } catch (error) {
    throw new LayerError("init_package_json_invalid", `${shown} is not valid JSON (${(error as Error).message}); nothing was written`, { hint: `fix ${shown}, then run \`layer init\` again`, details: { file: shown } })
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new LayerError("init_package_json_invalid", `${shown} is not a JSON object; nothing was written`, { hint: `fix ${shown}, then run \`layer init\` again`, details: { file: shown } })
  }
  return parsed as Json
}

/** The file's own indentation (two spaces when it has none to copy). */
function indentationOf(text: string): string | number {
  const match = /^[{[]\s*\n([ \t]+)\S/.exec(text)
  return match?.[1] ?? 2
}
