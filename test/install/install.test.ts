/**
 * A user's install, outside the repository: the three packages as `npm run pack` writes them
 * (scripts/pack.mjs), installed from their tarballs into fresh temporary projects with their
 * own LAYERON_HOME, as README.md's "Use it in your project" says.
 *
 * 1. With npm and with pnpm (pnpm 9 from the npm registry, through npx), in an empty folder
 *    (`layer init` run from the CLI tarball) and in a folder that already has a package.json
 *    (the tarballs installed first, then `layer init` merges): the project `layer init` gives
 *    installs, passes `npm test`, type-checks with `tsc --noEmit` (skipLibCheck false), and
 *    `layer deploy --env dev` works without a terminal and without --yes.
 * 2. With npm: before `layer init`, no miniflare, workerd or cloudflare SDK is installed and
 *    `layer dev` says what to install; secret set and deploy leave no value in plain text; after
 *    the scaffold's `npm install` (the miniflare that fits this Node), `layer dev` serves the app.
 *
 * This runs on whichever Node runs the suite (scripts/ci.mjs runs it on 20, 22 and 24). It needs
 * the npm registry (for hono, esbuild, tsx, typescript, miniflare and pnpm), as `npm ci` does.
 */
import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { promisify } from "node:util"
import { startLayerDev } from "../helpers/dev.js"

const run = promisify(execFile)
const REPO = new URL("../../", import.meta.url).pathname
/** A session key the test writes itself (the scaffold declares `auth/session-key`, 32 random bytes). */
const CANARY = randomBytes(32).toString("base64url")
const NODE_MAJOR = Number(process.versions.node.split(".")[0])

let work: string
let packs: string
let home: string
let tarballs: string[]

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env, LAYERON_HOME: home, NO_COLOR: "1", ...extra }
  // NODE_TEST_CONTEXT: the project's own `node --test` must run its files, not report to this runner.
  // CI: these steps are a developer's on their own machine; under CI=true pnpm refuses to update
  // the lockfile that `layer init`'s added dependencies change (frozen-lockfile by default).
  for (const name of ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "LAYERON_ENV", "npm_config_prefix", "NODE_TEST_CONTEXT", "CI"]) delete clean[name]
  // npm sets these for scripts it runs; a nested npm or pnpm must not inherit the suite's.
  for (const name of Object.keys(clean)) if (name.startsWith("npm_") || name.startsWith("PNPM_")) delete clean[name]
  return clean
}

interface Outcome {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command without a terminal (stdin is not a TTY); never throws, returns the outcome. */
async function sh(command: string, args: string[], cwd: string, extra: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env: env(extra), maxBuffer: 32 * 1024 * 1024, timeout: 480_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" }
  }
}

function ok(outcome: Outcome, what: string): Outcome {
  assert.equal(outcome.code, 0, `${what} failed:\n${outcome.stdout}\n${outcome.stderr}`)
  return outcome
}

/** npm, or pnpm 9 from the npm registry through npx, with the same verbs. */
interface Manager {
  name: "npm" | "pnpm"
  run(args: string[], cwd: string, extra?: Record<string, string>): Promise<Outcome>
  /** Add the three tarballs as dev dependencies. */
  addTarballs(cwd: string): Promise<Outcome>
  /** Run a binary of the project's node_modules (tsc, layer). */
  exec(args: string[], cwd: string, extra?: Record<string, string>): Promise<Outcome>
}

const MANAGERS: Manager[] = [
  {
    name: "npm",
    run: (args, cwd, extra) => sh("npm", args, cwd, extra),
    addTarballs: (cwd) => sh("npm", ["install", "--no-audit", "--no-fund", "--save-dev", ...tarballs], cwd),
    exec: (args, cwd, extra) => sh("npx", ["--no-install", ...args], cwd, extra),
  },
  {
    name: "pnpm",
    run: (args, cwd, extra) => sh("npx", ["--yes", "pnpm@9", ...args], cwd, extra),
    addTarballs: (cwd) => sh("npx", ["--yes", "pnpm@9", "add", "--save-dev", ...tarballs], cwd),
    exec: (args, cwd, extra) => sh("npx", ["--yes", "pnpm@9", "exec", ...args], cwd, extra),
  },
]

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name)
    if (entry.name === "node_modules") continue
    if (entry.isDirectory()) found.push(...(await filesUnder(path)))
    else if (entry.isFile()) found.push(path)
  }
  return found
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "layeron-install-"))
  home = join(work, "home")
  packs = join(work, "packs")
  ok(await sh(process.execPath, [join(REPO, "scripts", "pack.mjs"), "--out", packs], REPO), "npm run pack")
  tarballs = (await readdir(packs)).filter((name) => name.endsWith(".tgz")).map((name) => join(packs, name))
  assert.equal(tarballs.length, 3, `expected three tarballs, found ${tarballs.join(", ")}`)
})

after(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

/** What `layer init` promises: the project installs, tests, type-checks and deploys locally without a terminal. */
async function passesItsOwnChecks(manager: Manager, project: string): Promise<void> {
  ok(await manager.run(["install"], project), `${manager.name} install`)
  const manifest = JSON.parse(await readFile(join(project, "package.json"), "utf8")) as { type: string; devDependencies: Record<string, string> }
  assert.equal(manifest.type, "module")
  assert.ok(manifest.devDependencies.tsx, "the test script's tsx is declared")
  assert.equal(manifest.devDependencies.miniflare, NODE_MAJOR === 20 ? "4.20260426.0" : "^4.20260426.0", "the miniflare that runs on this Node")
  const test = ok(await manager.run(["test"], project), `${manager.name} test`)
  // The project's own summary: TAP on Node 20 and 22 off a terminal (`# pass 1`), spec on Node 24 (`ℹ pass 1`).
  assert.match(`${test.stdout}${test.stderr}`, /^(#|ℹ) pass 1\b/m)
  assert.match(`${test.stdout}${test.stderr}`, /^(#|ℹ) fail 0\b/m)
  const tsconfig = JSON.parse(await readFile(join(project, "tsconfig.json"), "utf8")) as { compilerOptions: { skipLibCheck: boolean }; include: string[] }
  assert.equal(tsconfig.compilerOptions.skipLibCheck, false)
  assert.ok(tsconfig.include.includes("test") && tsconfig.include.includes("src"))
  ok(await manager.exec(["tsc", "--noEmit"], project), "tsc --noEmit")
  const deploy = ok(await manager.exec(["layer", "deploy", "--env", "dev", "--json"], project), "layer deploy --env dev (no terminal, no --yes)")
  assert.equal((JSON.parse(deploy.stdout) as { provider: string }).provider, "local")
}

for (const manager of MANAGERS) {
  describe(`${manager.name} on Node ${process.versions.node}: a project layer init gives passes its own checks`, { timeout: 900_000 }, () => {
    it("in an empty folder (layer init run from the CLI tarball)", async () => {
      const base = join(work, `${manager.name}-empty`)
      await mkdir(base, { recursive: true })
      const cli = tarballs.find((file) => file.includes("layeron-cli-"))!
      const init = ok(await sh("npx", ["--yes", "--package", cli, "layer", "init", "my-app", "--workspace", "acme", "--json"], base), "layer init")
      const document = JSON.parse(init.stdout) as { install: string; written: string[] }
      assert.equal(document.install, "tarballs", "the project depends on the tarballs the CLI came from")
      assert.ok(document.written.includes("package.json"))
      await passesItsOwnChecks(manager, join(base, "my-app"))
    })

    it("in a folder with a package.json (the tarballs installed first; init merges and says what it added)", async () => {
      const project = join(work, `${manager.name}-existing`)
      await mkdir(project, { recursive: true })
      if (manager.name === "npm") {
        ok(await sh("npm", ["init", "-y"], project), "npm init -y")
        // npm init -y writes "type": "commonjs": layer init refuses it, naming the fix, and writes nothing.
        const commonjs = await readFile(join(project, "package.json"), "utf8")
        const cli = tarballs.find((file) => file.includes("layeron-cli-"))!
        const refused = await sh("npx", ["--yes", "--package", cli, "layer", "init", "--workspace", "acme", "--json"], project)
        assert.equal(refused.code, 1)
        assert.equal((JSON.parse(refused.stdout) as { error: { code: string } }).error.code, "init_commonjs_package")
        assert.match(refused.stderr + refused.stdout, /npm pkg set type=module/)
        assert.equal(await readFile(join(project, "package.json"), "utf8"), commonjs, "package.json was changed")
        assert.deepEqual((await readdir(project)).sort(), ["package.json"], "init wrote a file")
        ok(await sh("npm", ["pkg", "set", "type=module"], project), "npm pkg set type=module")
      } else {
        ok(await manager.run(["init"], project), "pnpm init")
      }
      const before = JSON.parse(await readFile(join(project, "package.json"), "utf8")) as Record<string, unknown>
      ok(await manager.addTarballs(project), `${manager.name} add the tarballs`)
      const init = ok(await manager.exec(["layer", "init", "--workspace", "acme", "--json"], project), "layer init")
      const document = JSON.parse(init.stdout) as { install: string; kept: string[]; packageJsonAdded: string[] }
      assert.equal(document.install, "tarballs")
      assert.ok(document.kept.includes("package.json"))
      assert.ok(document.packageJsonAdded.includes("scripts.test") && document.packageJsonAdded.includes("devDependencies.tsx"), document.packageJsonAdded.join(", "))
      const merged = JSON.parse(await readFile(join(project, "package.json"), "utf8")) as Record<string, unknown>
      assert.equal(merged.name, before.name, "the project's own name was kept")
      assert.equal(merged.version, before.version)
      await passesItsOwnChecks(manager, project)
    })
  })
}

describe(`npm on Node ${process.versions.node}: the installed CLI before and after layer dev is wanted`, { timeout: 900_000 }, () => {
  let project: string

  async function layer(args: string[], extra: Record<string, string> = {}): Promise<Outcome> {
    return sh("npx", ["--no-install", "layer", ...args], project, extra)
  }

  before(async () => {
    project = join(work, "my-app")
    await mkdir(project, { recursive: true })
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "my-app", private: true, type: "module" }, null, 2))
    ok(await sh("npm", ["install", "--no-audit", "--no-fund", "--save-dev", ...tarballs], project), "npm install the tarballs")
  })

  it("installs no miniflare, workerd or cloudflare SDK until layer dev is wanted", async () => {
    const installed = await readdir(join(project, "node_modules"))
    for (const heavy of ["miniflare", "workerd", "cloudflare", "sharp"]) assert.ok(!installed.includes(heavy), `${heavy} was installed`)
  })

  it("layer init makes a project that lists its secrets", async () => {
    const init = await layer(["init", "--yes", "--workspace", "acme", "--name", "my-app"])
    assert.equal(init.code, 0, init.stderr)
    assert.match(init.stderr, /added to \.\/package\.json: scripts\.dev, scripts\.deploy, scripts\.test, scripts\.typecheck/)
    const list = await layer(["secret", "list", "--json"])
    assert.equal(list.code, 0, list.stderr)
    const document = JSON.parse(list.stdout) as { environment: string; secrets: unknown[] }
    assert.equal(document.environment, "dev")
    assert.ok(document.secrets.length > 0, "the scaffolded backend declares at least one secret")
  })

  it("without miniflare, layer dev says what to install and exits 1", async () => {
    const dev = await layer(["dev"])
    assert.equal(dev.code, 1)
    assert.match(dev.stderr, /miniflare, which is not installed/)
    assert.match(dev.stderr, new RegExp(`npm install --save-dev miniflare@4`))
  })

  it("secret set and deploy --env dev work from the installed packages, with no value printed or written in plain text", async () => {
    const set = await layer(["secret", "set", "auth/session-key", "--value-env", "INSTALL_CANARY", "--json"], { INSTALL_CANARY: CANARY })
    assert.equal(set.code, 0, set.stderr)
    const deploy = await layer(["deploy", "--env", "dev"])
    assert.equal(deploy.code, 0, deploy.stderr)
    const list = await layer(["secret", "list", "--json"])
    assert.equal(list.code, 0, list.stderr)
    const rows = (JSON.parse(list.stdout) as { secrets: Array<{ namespace: string; name: string; status: string }> }).secrets
    assert.equal(rows.find((row) => row.namespace === "auth" && row.name === "session-key")?.status, "present")
    const printed = [set.stdout, set.stderr, deploy.stdout, deploy.stderr, list.stdout, list.stderr].join("\n")
    assert.ok(!printed.includes(CANARY), "a value reached the output")
    for (const file of [...(await filesUnder(project)), ...(await filesUnder(home))]) {
      assert.ok(!(await readFile(file, "utf8")).includes(CANARY), `${file} holds the value in plain text`)
    }
  })

  it("after the scaffold's npm install (the miniflare that fits this Node), layer dev serves the app and answers a read of the secret set above", async () => {
    ok(await sh("npm", ["install", "--no-audit", "--no-fund"], project), "npm install")
    // The installed bin itself (npx does not pass Ctrl-C on to the program it runs).
    const dev = await startLayerDev(join(project, "node_modules", ".bin", "layer"), [], { cwd: project, env: env(), timeoutMs: 180_000, readyTimeoutMs: 120_000 })
    try {
      const response = await fetch(`http://127.0.0.1:${dev.port}/session-key/versions`)
      assert.equal(response.status, 200, await response.clone().text())
      assert.deepEqual(((await response.json()) as { version: string }[]).map((entry) => entry.version), ["v1"])
      assert.equal(await (await fetch(`http://127.0.0.1:${dev.port}/`)).text(), "ok")
    } finally {
      dev.child.kill("SIGINT")
    }
    const stopped = await dev.done
    assert.equal(stopped.code, 0, stopped.stderr)
    assert.ok(![stopped.stdout, stopped.stderr].join("\n").includes(CANARY), "layer dev printed the value")
    assert.doesNotMatch(stopped.stderr, /compatibility date/i, "layer dev had to lower the scaffold's compatibility date")
  })
})
