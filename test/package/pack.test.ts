/**
 * What a user installs: each package's tarball, as `npm pack` would make it, holds only what
 * runs or types the package (no tests, fixtures or build info), and @layeron/cli's runtime
 * dependencies stay lean (cloudflare is types only; miniflare is an optional peer for `layer dev`).
 * Each package would publish (`npm publish --dry-run`), and `npm run pack` writes the tarballs a
 * project installs today, refusing a stale build or mismatched versions with nothing written.
 */
import assert from "node:assert/strict"
import { execFileSync, spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
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
  /^bin\/(layer|run-bundle)\.cjs$/,
  // @layeron/cli's esbuild bundle (what bin/layer.cjs runs): one CommonJS file.
  /^bundle\/layer\.cjs$/,
  /^dist\/.+\.(js|js\.map|d\.ts|d\.ts\.map)$/,
  /^src\/.+\.ts$/,
  /^(dist|src)\/(naming|pack)\/vectors\.json$/,
  // The la1 ciphertext format's test vectors (docs/encryption-keys.md) are part of its published contract too.
  /^src\/keys\/aead-vectors\.json$/,
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
      if (workspace === "packages/cli") assert.ok(files.includes("bundle/layer.cjs"), "bundle/layer.cjs (what bin/layer.cjs runs) missing")
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
    const tracked = execFileSync("git", ["ls-files", "packages/cli/bin"], { cwd: root, encoding: "utf8" })
    assert.deepEqual(tracked.trim().split("\n").sort(), ["packages/cli/bin/layer.cjs", "packages/cli/bin/run-bundle.cjs"])
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

describe("npm publish --dry-run", () => {
  for (const workspace of ["packages/modules", "packages/core", "packages/cli"]) {
    it(`${workspace} would publish publicly, at the version the others depend on`, () => {
      const out = execFileSync("npm", ["publish", "--dry-run", "--json", "--ignore-scripts", "--access", "public", "-w", workspace], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      })
      const manifest = JSON.parse(readFileSync(join(root, workspace, "package.json"), "utf8")) as { name: string; version: string; publishConfig?: { access?: string } }
      const report = (JSON.parse(out) as Record<string, { id: string; files: PackedFile[] }>)[manifest.name]
      assert.equal(report?.id, `${manifest.name}@${manifest.version}`)
      assert.ok(report.files.some((file) => file.path === "dist/index.js"))
      assert.equal(manifest.publishConfig?.access, "public")
    })
  }
})

describe("npm run pack (scripts/pack.mjs)", () => {
  const PACK = join(root, "scripts", "pack.mjs")

  function pack(args: string[]): { code: number; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [PACK, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 })
    return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr }
  }

  /** A copy of the three packages (manifests, sources and builds) under a root of their own, to break on purpose. */
  function copyRepo(): string {
    const copy = mkdtempSync(join(tmpdir(), "layeron-pack-repo-"))
    writeFileSync(join(copy, "package.json"), JSON.stringify({ name: "copy", private: true, workspaces: ["packages/modules", "packages/core", "packages/cli"] }))
    for (const workspace of ["packages/modules", "packages/core", "packages/cli"]) {
      for (const part of ["package.json", "src", "dist", "bundle", "bin"]) {
        const from = join(root, workspace, part)
        if (existsSync(from)) cpSync(from, join(copy, workspace, part), { recursive: true })
      }
    }
    return copy
  }

  it("writes three tarballs into one folder, the @layeron dependencies as exact peers", () => {
    const out = mkdtempSync(join(tmpdir(), "layeron-packs-"))
    try {
      const result = pack(["--out", out])
      assert.equal(result.code, 0, result.stderr)
      assert.deepEqual(readdirSync(out).sort(), ["layeron-cli-0.1.0.tgz", "layeron-core-0.1.0.tgz", "layeron-modules-0.1.0.tgz"])
      const cli = JSON.parse(execFileSync("tar", ["-xzOf", join(out, "layeron-cli-0.1.0.tgz"), "package/package.json"], { encoding: "utf8" })) as {
        dependencies: Record<string, string>
        peerDependencies: Record<string, string>
      }
      assert.equal(cli.peerDependencies["@layeron/core"], "0.1.0")
      assert.equal(cli.peerDependencies["@layeron/modules"], "0.1.0")
      assert.ok(!Object.keys(cli.dependencies).some((name) => name.startsWith("@layeron/")), "an @layeron package is still a plain dependency")
      const files = execFileSync("tar", ["-tzf", join(out, "layeron-cli-0.1.0.tgz")], { encoding: "utf8" }).split("\n")
      assert.ok(files.includes("package/bundle/layer.cjs"))
      assert.ok(!files.some((file) => FORBIDDEN.test(file)), "a test file was packed")
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })

  it("refuses a stale build (an output whose source is gone), naming it, and writes nothing", () => {
    const copy = copyRepo()
    try {
      writeFileSync(join(copy, "packages/core/dist/removed-module.js"), "export {}\n")
      const out = join(copy, "packs")
      const result = pack(["--repo", copy, "--out", out])
      assert.equal(result.code, 1)
      assert.match(result.stderr, /packages\/core\/dist\/removed-module\.js has no source/)
      assert.match(result.stderr, /nothing was written/)
      assert.ok(!existsSync(out), "the packs folder was created")
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })

  it("refuses @layeron versions that do not match each other, naming both, and writes nothing", () => {
    const copy = copyRepo()
    try {
      const path = join(copy, "packages/core/package.json")
      const manifest = JSON.parse(readFileSync(path, "utf8")) as { dependencies: Record<string, string> }
      manifest.dependencies["@layeron/modules"] = "0.0.9"
      writeFileSync(path, JSON.stringify(manifest))
      const out = join(copy, "packs")
      const result = pack(["--repo", copy, "--out", out])
      assert.equal(result.code, 1)
      assert.match(result.stderr, /@layeron\/core .* depends on @layeron\/modules 0\.0\.9, but @layeron\/modules is 0\.1\.0/)
      assert.ok(!existsSync(out), "the packs folder was created")
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })
})
