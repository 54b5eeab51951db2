/**
 * `layer init` end to end: a new project in an empty folder (the repository's packages
 * resolvable through a node_modules symlink, as after `npm install`) that passes
 * `layer secret list`, `layer deploy --env dev` and `layer dev` at once; existing files kept
 * byte for byte; and each refusal (a folder that is already a project, an unwritable folder,
 * no terminal and no choice, a bad name) with nothing written.
 */
import assert from "node:assert/strict"
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { join, relative } from "node:path"
import { after, describe, it } from "node:test"
import { startLayerDev } from "../helpers/dev.js"
import { runProcess } from "../helpers/processes.js"
import { LAYER_BIN, REPO_ROOT, jsonOf, listFiles, runLayer, sha256 } from "../helpers/project.js"
import type { LayerOptions, LayerRun, TestProject } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"
import { cleanEnv, layTempProject } from "../helpers/temp-project.mjs"
import type { TempProjectPaths } from "../helpers/temp-project.mjs"

const NOW = "2026-05-24T09:00:00.000Z"
const bases: string[] = []
after(async () => {
  for (const base of bases) {
    await chmod(base, 0o700).catch(() => {})
    await rm(base, { recursive: true, force: true })
  }
})

/** An empty folder with node_modules linked to the repository's (so @layeron/* resolve). */
async function emptyFolder(): Promise<TempProjectPaths> {
  const paths = await layTempProject("layeron-init-", {})
  bases.push(paths.base)
  return paths
}

function layer(paths: TempProjectPaths, args: string[], options: LayerOptions = {}): Promise<LayerRun> {
  return runLayer(args, { ...options, cwd: options.cwd ?? paths.root, env: cleanEnv(paths, { LAYERON_TEST_NOW: NOW, ...options.env }) })
}

/** sha256 of every file under the folder (node_modules is a symlink and not followed). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>()
  for (const file of await listFiles(dir)) hashes.set(relative(dir, file), sha256(await readFile(file)))
  return hashes
}

async function refused(paths: TempProjectPaths, args: string[], expected: { code: string; message: RegExp; hint: RegExp }, options: LayerOptions = {}, dir = paths.root): Promise<void> {
  const before = await snapshot(dir)
  const run = await layer(paths, [...args, "--json"], options)
  assert.equal(run.code, 1, `exit code; stderr:\n${run.stderr}`)
  const { error } = jsonOf<{ error: { code: string; message: string; hint: string } }>(run)
  assert.equal(error.code, expected.code, error.message)
  assert.match(error.message, expected.message)
  assert.match(error.hint, expected.hint)
  assert.deepEqual(await snapshot(dir), before, "layer init wrote something although it refused")
}

describe("layer init", () => {
  it("creates a project that passes secret list, deploy --env dev and layer dev at once", async () => {
    const paths = await emptyFolder()
    const run = await layer(paths, ["init", "--workspace", "acme", "--name", "shop", "--json"])
    assert.equal(run.code, 0, run.stderr)
    const doc = jsonOf<{ written: string[]; kept: string[]; workspace: string; name: string; install: string }>(run)
    assert.deepEqual(doc.written, ["layeron.config.ts", "src/api.ts", "test/api.test.ts", "tsconfig.json", ".gitignore", "package.json"])
    assert.deepEqual([doc.kept, doc.workspace, doc.name], [[], "acme", "shop"])
    // The CLI runs from this checkout: the project depends on its packages by path.
    assert.equal(doc.install, "checkout")

    const pkg = JSON.parse(await readFile(join(paths.root, "package.json"), "utf8")) as Record<string, Record<string, string> | string>
    assert.equal(pkg.type, "module")
    assert.deepEqual(Object.keys({ ...(pkg.dependencies as object), ...(pkg.devDependencies as object) }).sort(), ["@layeron/cli", "@layeron/core", "@layeron/modules", "@types/node", "miniflare", "tsx", "typescript"])
    assert.equal((pkg.dependencies as Record<string, string>)["@layeron/core"], `file:${relative(paths.root, join(REPO_ROOT, "packages", "core"))}`)
    assert.equal((pkg.devDependencies as Record<string, string>).miniflare, process.versions.node.startsWith("20.") ? "4.20260426.0" : "^4.20260426.0")
    assert.deepEqual(pkg.scripts, { dev: "layer dev", deploy: "layer deploy", test: "node --import tsx --test test/*.test.ts", typecheck: "tsc --noEmit" })
    assert.deepEqual(pkg.allowScripts, { esbuild: true, workerd: true, sharp: true })
    // The project's own test (testSecrets, no miniflare) passes as written.
    const ownRun = await runProcess(process.execPath, ["--import", "tsx", "--test", "test/api.test.ts"], { cwd: paths.root, env: cleanEnv(paths, {}) })
    const own = { code: ownRun.code, output: ownRun.stdout + ownRun.stderr }
    assert.equal(own.code, 0, own.output)
    // Node 20 and 22 print TAP when not on a terminal, Node 24 prints its spec summary.
    assert.match(own.output, /^(?:# |ℹ )pass 1$/m)
    assert.match(own.output, /^(?:# |ℹ )fail 0$/m)
    const ignored = (await readFile(join(paths.root, ".gitignore"), "utf8")).split("\n").filter((line) => line && !line.startsWith("#"))
    assert.deepEqual(ignored, [".layeron/local/", ".layeron/locks/", ".layeron/deploy/", "node_modules/"])
    // The day of `layer init`, or the newest date the installed workerd knows, whichever is older.
    const date = /compatibilityDate: "(\d{4}-\d\d-\d\d)"/.exec(await readFile(join(paths.root, "src", "api.ts"), "utf8"))?.[1]
    assert.ok(date && date <= NOW.slice(0, 10), `compatibilityDate ${date}`)

    const list = await layer(paths, ["secret", "list", "--json"])
    assert.equal(list.code, 0, list.stderr)
    assert.deepEqual(
      jsonOf<{ secrets: { namespace: string; name: string; status: string }[] }>(list).secrets.map((s) => `${s.namespace}/${s.name} ${s.status}`),
      ["auth/session-key missing"],
    )
    // A local deploy asks nothing, at a terminal or not.
    const deploy = await layer(paths, ["deploy", "--env", "dev"])
    assert.equal(deploy.code, 0, deploy.stderr)

    // Ready once its URL line is out: the first request must be answered, no polling for it.
    const dev = await startLayerDev(process.execPath, [LAYER_BIN], { cwd: paths.root, env: cleanEnv(paths), timeoutMs: 90_000 })
    try {
      const response = await fetch(`http://127.0.0.1:${dev.port}/session-key/versions`)
      assert.equal(response.status, 200, dev.stderr())
      assert.deepEqual(((await response.json()) as { version: string }[]).map((v) => v.version), ["v1"])
      assert.doesNotMatch(dev.stderr(), /newer than the installed workerd supports/)
      assert.equal(await (await fetch(`http://127.0.0.1:${dev.port}/`)).text(), "ok")
    } finally {
      dev.child.kill("SIGINT")
    }
    const stopped = await dev.done
    assert.equal(stopped.code, 0, stopped.stderr)
  })

  it("never overwrites: existing files are kept byte for byte and named; package.json gets only what it lacks; a .gitignore hiding .layeron/ is warned about", async () => {
    const paths = await emptyFolder()
    const pkg = '{\n    "name": "mine",\n    "private": true,\n    "scripts": { "test": "vitest run", "build": "tsc" },\n    "devDependencies": { "tsx": "4.0.0" }\n}\n'
    await writeFile(join(paths.root, "package.json"), pkg)
    await writeFile(join(paths.root, ".gitignore"), ".layeron/\nnode_modules\n")
    const tsconfig = '{ "compilerOptions": { "strict": true } }\n'
    await writeFile(join(paths.root, "tsconfig.json"), tsconfig)
    const run = await layer(paths, ["init", "--yes", "--json"])
    assert.equal(run.code, 0, run.stderr)
    const doc = jsonOf<{ written: string[]; kept: string[]; packageJsonAdded: string[]; packageJsonKept: string[] }>(run)
    assert.deepEqual(doc.kept, ["tsconfig.json", ".gitignore", "package.json"])
    assert.deepEqual(doc.written, ["layeron.config.ts", "src/api.ts", "test/api.test.ts"])
    assert.equal(await readFile(join(paths.root, "tsconfig.json"), "utf8"), tsconfig)
    assert.match(run.stderr, /warning: \.\/tsconfig\.json was kept: for a Worker it needs "lib": \["ES2022", "WebWorker"\]/)
    const merged = JSON.parse(await readFile(join(paths.root, "package.json"), "utf8")) as Record<string, Record<string, string> | string | boolean>
    assert.equal(merged.name, "mine")
    assert.equal(merged.type, "module")
    assert.deepEqual(merged.scripts, { test: "vitest run", build: "tsc", dev: "layer dev", deploy: "layer deploy", typecheck: "tsc --noEmit" })
    assert.equal((merged.devDependencies as Record<string, string>).tsx, "4.0.0", "the project's own tsx was kept")
    assert.ok((await readFile(join(paths.root, "package.json"), "utf8")).startsWith('{\n    "name": "mine"'), "the file's indentation was kept")
    assert.ok(doc.packageJsonAdded.includes("type") && doc.packageJsonAdded.includes("scripts.dev") && doc.packageJsonAdded.includes("dependencies.@layeron/core"), doc.packageJsonAdded.join(", "))
    assert.ok(!doc.packageJsonAdded.includes("scripts.test") && !doc.packageJsonAdded.includes("devDependencies.tsx"))
    assert.deepEqual(doc.packageJsonKept, ["scripts.test", "devDependencies.tsx"])
    assert.match(run.stderr, /package\.json already had scripts\.test, devDependencies\.tsx: kept as they are/)
    assert.equal(await readFile(join(paths.root, ".gitignore"), "utf8"), ".layeron/\nnode_modules\n")
    assert.match(run.stderr, /warning: \.\/\.gitignore ignores all of \.layeron\/, so shared environments' rotation state \(\.layeron\/secret-rotation\/\) would never be committed/)

    const human = await layer(paths, ["init", "sub", "--yes"])
    assert.equal(human.code, 0, human.stderr)
    assert.match(human.stdout, /wrote layeron\.config\.ts/)
  })

  it("refuses a CommonJS package.json (as npm init -y writes it), naming the fix, and writes nothing", async () => {
    const paths = await emptyFolder()
    await writeFile(join(paths.root, "package.json"), '{ "name": "mine", "type": "commonjs", "scripts": { "test": "echo \\"Error: no test specified\\" && exit 1" } }\n')
    await refused(paths, ["init", "--yes"], { code: "init_commonjs_package", message: /package\.json has "type": "commonjs", but a Layeron project's config and backends are ES modules; nothing was written/, hint: /npm pkg set type=module/ })
  })

  it("refuses a package.json that is not a JSON object, and writes nothing", async () => {
    const paths = await emptyFolder()
    await writeFile(join(paths.root, "package.json"), '{ "name": "mine", }\n')
    await refused(paths, ["init", "--yes"], { code: "init_package_json_invalid", message: /package\.json is not valid JSON/, hint: /fix package\.json/ })
  })

  it("refuses a read-only package.json it would have to add to, and writes nothing", async () => {
    const paths = await emptyFolder()
    const file = join(paths.root, "package.json")
    await writeFile(file, '{ "name": "mine", "private": true }\n')
    await chmod(file, 0o444)
    await refused(paths, ["init", "--yes"], { code: "init_unwritable", message: /package\.json: it is read-only, and `layer init` needs to add to it; nothing was written/, hint: /chmod u\+w/ })
  })

  it("replaces npm init's placeholder test script, which only fails, and names it among what it added", async () => {
    const paths = await emptyFolder()
    await writeFile(join(paths.root, "package.json"), '{ "name": "mine", "type": "module", "scripts": { "test": "echo \\"Error: no test specified\\" && exit 1" } }\n')
    const run = await layer(paths, ["init", "--yes", "--json"])
    assert.equal(run.code, 0, run.stderr)
    assert.ok(jsonOf<{ packageJsonAdded: string[] }>(run).packageJsonAdded.includes("scripts.test"))
    const merged = JSON.parse(await readFile(join(paths.root, "package.json"), "utf8")) as { scripts: Record<string, string> }
    assert.equal(merged.scripts.test, "node --import tsx --test test/*.test.ts")
  })

  it("refuses a folder that is already a project, and writes nothing", async () => {
    const paths = await emptyFolder()
    await writeFile(join(paths.root, "layeron.config.ts"), "export default {}\n")
    await refused(paths, ["init", "--yes"], { code: "already_a_project", message: /layeron\.config\.ts already exists: this folder is a Layeron project, so nothing was written/, hint: /layer init <dir>/ })
  })

  it("refuses an unwritable folder, and writes nothing", async () => {
    const paths = await emptyFolder()
    const target = join(paths.root, "locked")
    await mkdir(target)
    await chmod(target, 0o555)
    // root writes anywhere: run the CLI as nobody to make "unwritable" real.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}
    if (process.getuid?.() === 0) {
      await chmod(paths.base, 0o755)
      await chmod(paths.root, 0o755)
    }
    await refused(paths, ["init", "locked", "--yes"], { code: "init_unwritable", message: /cannot write into .*locked: permission denied; nothing was written/, hint: /choose a folder you can write to/ }, asNobody, target)
  })

  it("at a terminal without --workspace, asks for the workspace (the project's name is the default), then confirms", async () => {
    const paths = await emptyFolder()
    const asTestProject = { root: paths.root, env: (extra: Record<string, string | undefined> = {}) => cleanEnv(paths, { LAYERON_TEST_NOW: NOW, ...extra }) } as unknown as TestProject
    const run = await layerInPty(asTestProject, ["init", "--name", "shop"], [
      { expect: "Workspace (your team or company", send: "acme\r" },
      { expect: 'workspace "acme", name "shop"', send: "y\r" },
    ])
    assert.equal(run.exitCode, 0, run.output)
    assert.equal(run.steps, 2, run.output)
    assert.match(await readFile(join(paths.root, "layeron.config.ts"), "utf8"), /workspace: "acme",\n {2}name: "shop"/)
  })

  it("without a terminal, asks for --workspace or --yes; a bad name is refused; nothing written", async () => {
    const paths = await emptyFolder()
    await refused(paths, ["init"], { code: "init_needs_choice", message: /layer init needs a workspace, and stdin is not a terminal/, hint: /pass --workspace <your team> \(and --name\), or --yes/ })
    await refused(paths, ["init", "--workspace", "Acme Inc"], { code: "invalid_name", message: /workspace "Acme Inc" must match/, hint: /--workspace acme/ })
  })
})
