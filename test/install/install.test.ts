/**
 * A user's install, outside the repository: the three packages as `npm pack` makes them,
 * installed from their tarballs into a fresh temporary project with its own LAYERON_HOME,
 * then `layer init`, `secret set`, `deploy --env dev`, and `layer dev` answering a read once
 * miniflare is added. This runs on whichever Node runs the suite (scripts/ci.mjs runs it on 20,
 * 22 and 24), with the miniflare the repository has installed for that Node. Without miniflare
 * `layer dev` must say what to install while every other command works.
 *
 * It needs the npm registry (for hono, esbuild, tsx and miniflare), as `npm ci` does.
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

let work: string
let project: string
let home: string

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env, LAYERON_HOME: home, NO_COLOR: "1", ...extra }
  for (const name of ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID", "LAYERON_ENV", "npm_config_prefix"]) delete clean[name]
  return clean
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run("npm", args, { cwd, env: env(), maxBuffer: 32 * 1024 * 1024 })
  return stdout
}

/** Runs the installed `layer` through npx, as a user would; never throws, returns the outcome. */
async function layer(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npx", ["--no-install", "layer", ...args], { cwd: project, env: env(extra) })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" }
  }
}

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

describe(`installed from tarballs on Node ${process.versions.node}`, { timeout: 600_000 }, () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "layeron-install-"))
    project = join(work, "my-app")
    home = join(work, "home")
    const packs = join(work, "packs")
    await mkdir(packs, { recursive: true })
    for (const workspace of ["packages/modules", "packages/core", "packages/cli"]) {
      await run("npm", ["pack", "--silent", "--pack-destination", packs, "-w", workspace], { cwd: REPO, env: env() })
    }
    const tarballs = (await readdir(packs)).filter((name) => name.endsWith(".tgz")).map((name) => join(packs, name))
    assert.equal(tarballs.length, 3, `expected three tarballs, found ${tarballs.join(", ")}`)
    await mkdir(project, { recursive: true })
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "my-app", private: true, type: "module" }, null, 2))
    await npm(["install", "--no-audit", "--no-fund", "--save-dev", ...tarballs], project)
  })

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true })
  })

  it("installs no miniflare, workerd or cloudflare SDK until layer dev is wanted", async () => {
    const installed = await readdir(join(project, "node_modules"))
    for (const heavy of ["miniflare", "workerd", "cloudflare", "sharp"]) assert.ok(!installed.includes(heavy), `${heavy} was installed`)
  })

  it("layer init makes a project that lists its secrets", async () => {
    const init = await layer(["init", "--yes", "--workspace", "acme", "--name", "my-app"])
    assert.equal(init.code, 0, init.stderr)
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
    const deploy = await layer(["deploy", "--env", "dev", "--yes"])
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

  it("with miniflare added, the installed layer dev serves the app and answers a read of the secret set above", async () => {
    // The miniflare that fits this Node: the pinned one on 20, the newest 4.x on 22 and 24 (scripts/ci.mjs).
    const { version } = JSON.parse(await readFile(join(REPO, "node_modules", "miniflare", "package.json"), "utf8")) as { version: string }
    await npm(["install", "--no-audit", "--no-fund", "--save-dev", `miniflare@${version}`], project)
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
  })
})
