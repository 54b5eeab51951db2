import assert from "node:assert/strict"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { detectInstallSource, packageSpecs, tarballName } from "./install-source.js"

const bases: string[] = []
after(async () => {
  for (const base of bases) await rm(base, { recursive: true, force: true })
})

async function tree(files: Record<string, string>): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), "layeron-install-source-"))
  bases.push(base)
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(base, path, ".."), { recursive: true })
    await writeFile(join(base, path), content)
  }
  return base
}

const PACKS = { "packs/layeron-core-0.1.0.tgz": "", "packs/layeron-modules-0.1.0.tgz": "", "packs/layeron-cli-0.1.0.tgz": "" }

describe("install source: how the running CLI was installed", () => {
  it("names tarballs as npm pack does", () => {
    assert.equal(tarballName("@layeron/cli", "0.1.0"), "layeron-cli-0.1.0.tgz")
  })

  it("a checkout: file: paths to its packages", async () => {
    const base = await tree({ "repo/packages/modules/package.json": "{}", "repo/packages/core/package.json": "{}", "repo/packages/cli/package.json": "{}" })
    const source = detectInstallSource(join(base, "repo/packages/cli"), "0.1.0")
    assert.deepEqual(source, { kind: "checkout", root: join(base, "repo") })
    assert.equal(packageSpecs(source, join(base, "my-app"))["@layeron/core"], "file:../repo/packages/core")
  })

  it("npm from the tarballs (a relative file: spec): file: paths to the same folder, relative to the new project", async () => {
    const base = await tree({ ...PACKS, "app/package.json": JSON.stringify({ devDependencies: { "@layeron/cli": "file:../packs/layeron-cli-0.1.0.tgz" } }) })
    const source = detectInstallSource(join(base, "app/node_modules/@layeron/cli"), "0.1.0")
    assert.deepEqual(source, { kind: "tarballs", folder: join(base, "packs"), version: "0.1.0" })
    assert.deepEqual(packageSpecs(source, join(base, "app", "sub")), {
      "@layeron/core": "file:../../packs/layeron-core-0.1.0.tgz",
      "@layeron/modules": "file:../../packs/layeron-modules-0.1.0.tgz",
      "@layeron/cli": "file:../../packs/layeron-cli-0.1.0.tgz",
    })
  })

  it("pnpm (the real path inside .pnpm, an absolute file: spec) and npx's cache read the project above the first node_modules", async () => {
    const base = await tree({ ...PACKS, "app/package.json": JSON.stringify({ devDependencies: { "@layeron/cli": "file:PACKS/layeron-cli-0.1.0.tgz" } }) })
    await writeFile(join(base, "app/package.json"), JSON.stringify({ devDependencies: { "@layeron/cli": `file:${join(base, "packs/layeron-cli-0.1.0.tgz")}` } }))
    const pnpmPath = join(base, "app/node_modules/.pnpm/@layeron+cli@file+packs_abc/node_modules/@layeron/cli")
    assert.equal(detectInstallSource(pnpmPath, "0.1.0").kind, "tarballs")
  })

  it("the registry otherwise: a version range, also when a tarball named is gone", async () => {
    const base = await tree({ "app/package.json": JSON.stringify({ dependencies: { "@layeron/cli": "^0.1.0" } }), "other/package.json": JSON.stringify({ dependencies: { "@layeron/cli": "file:../gone/layeron-cli-0.1.0.tgz" } }) })
    const source = detectInstallSource(join(base, "app/node_modules/@layeron/cli"), "0.1.0")
    assert.deepEqual(source, { kind: "registry", version: "0.1.0" })
    assert.equal(packageSpecs(source, base)["@layeron/cli"], "^0.1.0")
    assert.equal(detectInstallSource(join(base, "other/node_modules/@layeron/cli"), "0.1.0").kind, "registry")
  })
})
