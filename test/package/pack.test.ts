/**
 * What a user installs: each package's tarball, as `npm pack` would make it, holds only what
 * runs or types the package (no tests, fixtures or build info), and @layeron/cli's runtime
 * dependencies stay lean (cloudflare is types only; miniflare is an optional peer for `layer dev`).
 */
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { describe, it } from "node:test"

const root = new URL("../../", import.meta.url).pathname

interface PackedFile {
  path: string
}

function packedFiles(workspace: string): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", "-w", workspace], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  })
  const [report] = JSON.parse(out) as Array<{ files: PackedFile[] }>
  assert.ok(report, `npm pack printed no report for ${workspace}`)
  return report.files.map((file) => file.path).sort()
}

/** Every path must match one of these; anything else (a test, a fixture, a tsbuildinfo) fails. */
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^bin\/layer\.cjs$/,
  // @layeron/cli's esbuild bundle (what bin/layer.cjs runs): flat, content-hashed chunks.
  /^bundle\/[\w-]+\.js$/,
  /^dist\/.+\.(js|js\.map|d\.ts|d\.ts\.map)$/,
  /^src\/.+\.ts$/,
  /^(dist|src)\/naming\/vectors\.json$/,
  // layer dev starts workerd through it (setpriv --pdeathsig), from the package's src/.
  /^src\/deploy\/dev\/workerd-guard\.sh$/,
]
const FORBIDDEN = /(\.test\.|test-support|\/fixtures\/|tsbuildinfo)/

for (const workspace of ["packages/modules", "packages/core", "packages/cli"]) {
  describe(`npm pack ${workspace}`, () => {
    const files = packedFiles(workspace)

    it("ships its built code", () => {
      assert.ok(files.includes("package.json"))
      assert.ok(files.includes("dist/index.js"), `dist/index.js missing from ${files.length} files`)
      if (workspace === "packages/cli") assert.ok(files.includes("bundle/bin.js"), "bundle/bin.js (what bin/layer.cjs runs) missing")
    })

    it("ships nothing outside the allow-list, and no test file", () => {
      const stray = files.filter((path) => FORBIDDEN.test(path) || !ALLOWED.some((pattern) => pattern.test(path)))
      assert.deepEqual(stray, [])
    })
  })
}

describe("@layeron/cli's manifest", () => {
  const manifest = JSON.parse(readFileSync(new URL("../../packages/cli/package.json", import.meta.url), "utf8")) as {
    bin: Record<string, string>
    dependencies: Record<string, string>
    peerDependencies?: Record<string, string>
    peerDependenciesMeta?: Record<string, { optional?: boolean }>
    engines: { node: string }
  }

  it("links layer to a committed launcher, which exists before any build", () => {
    assert.equal(manifest.bin.layer, "./bin/layer.cjs")
    const tracked = execFileSync("git", ["ls-files", "packages/cli/bin/layer.cjs"], { cwd: root, encoding: "utf8" })
    assert.equal(tracked.trim(), "packages/cli/bin/layer.cjs")
  })

  it("installs neither cloudflare (types only) nor miniflare (an optional peer, for layer dev) for its users", () => {
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ["@layeron/core", "@layeron/modules", "chokidar", "esbuild", "tsx"])
    assert.ok(manifest.peerDependencies?.miniflare)
    assert.equal(manifest.peerDependenciesMeta?.miniflare?.optional, true)
  })

  it("says which Node it supports", () => {
    assert.equal(manifest.engines.node, ">=20.10")
  })
})
