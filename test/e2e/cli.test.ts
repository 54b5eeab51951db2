/** The `layer` executable itself: help, version, argv errors, --json errors, debug, colour, --cwd. */
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, jsonOf, LAYER_BIN, REPO_ROOT, runLayer } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"

describe("layer (the executable)", () => {
  let project: TestProject
  before(async () => {
    project = await createProject()
  })
  after(async () => {
    await project.cleanup()
  })

  it("prints its version", async () => {
    const run = await project.layer(["--version"])
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, "packages", "cli", "package.json"), "utf8")) as { version: string }
    assert.equal(run.code, 0)
    assert.equal(run.stdout, `${version}\n`)
  })

  it("answers -v and --version alone (bin's fast path) exactly as the full command line does", async () => {
    const full = await project.layer(["--version", "--cwd", "."])
    assert.equal(full.code, 0, full.stderr)
    for (const args of [["--version"], ["-v"]]) {
      const run = await project.layer(args)
      assert.deepEqual({ code: run.code, stdout: run.stdout, stderr: run.stderr }, { code: 0, stdout: full.stdout, stderr: "" }, args.join(" "))
    }
    assert.deepEqual(JSON.parse((await project.layer(["--version", "--json"])).stdout), { version: full.stdout.trim() })
  })

  it("lists every command, the common flags and the exit codes in --help", async () => {
    const run = await project.layer(["--help"])
    assert.equal(run.code, 0)
    for (const command of ["login", "logout", "whoami", "secret set", "secret list", "secret delete", "secret rotate", "deploy", "dev"]) {
      assert.match(run.stdout, new RegExp(`^  ${command} `, "m"), command)
    }
    for (const text of ["--env <name>", "--json", "--cwd <dir>", "--debug", "Exit codes:", "130", "rotations are due"]) assert.ok(run.stdout.includes(text), text)
  })

  it("shows a command's flags and examples with --help, and a group's commands", async () => {
    const help = await project.layer(["secret", "set", "--help"])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /Usage: layer secret set NAME \[flags\]/)
    assert.match(help.stdout, /--value-env <VAR>/)
    assert.match(help.stdout, /Examples:\n  layer secret set STRIPE_SECRET --value-env STRIPE_SECRET/)
    const group = await project.layer(["secret"])
    assert.equal(group.code, 0)
    assert.match(group.stdout, /secret set +write a secret's value/)
  })

  it("refuses an unknown command, listing the commands", async () => {
    const run = await project.layer(["secrets", "list"])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /^error: unknown command "secrets"\nhint: commands: login, logout, whoami, secret set/)
  })

  it("names an unknown flag and points at the command's help", async () => {
    const run = await project.layer(["secret", "list", "--colour"])
    assert.equal(run.code, 1)
    assert.equal(run.stderr, "error: unknown flag --colour\nhint: see `layer secret list --help` for the flags this command takes\n")
    assert.equal(run.stdout, "")
  })

  it("with --json, prints the error as one document on stdout and the message on stderr", async () => {
    const run = await project.layer(["secret", "set", "--json"])
    assert.equal(run.code, 1)
    assert.deepEqual(jsonOf(run), { error: { code: "missing_argument", message: "layer secret set: missing NAME", hint: "usage: layer secret set NAME [flags]; see `layer secret set --help`" } })
    assert.match(run.stderr, /^error: layer secret set: missing NAME/)
  })

  it("writes debug lines on stderr with --debug or LAYERON_DEBUG=1, and none otherwise", async () => {
    const quiet = await project.layer(["secret", "list"])
    assert.doesNotMatch(quiet.stderr, /debug:/)
    for (const run of [await project.layer(["secret", "list", "--debug"]), await project.layer(["secret", "list"], { env: { LAYERON_DEBUG: "1" } })]) {
      assert.equal(run.code, 0)
      assert.match(run.stderr, /^debug: environment: dev \(from defaultEnvironment, provider local\)$/m)
      assert.doesNotMatch(run.stdout, /debug:/)
    }
  })

  it("finds the project from --cwd, and from a subdirectory", async () => {
    const elsewhere = await runLayer(["secret", "list", "--json", "--cwd", project.root], { cwd: REPO_ROOT, env: project.env() })
    assert.equal(elsewhere.code, 0, elsewhere.stderr)
    assert.equal(jsonOf<{ environment: string }>(elsewhere).environment, "dev")
    const below = await project.layer(["secret", "list", "--json"], { cwd: join(project.root, "src") })
    assert.equal(below.code, 0, below.stderr)
  })

  it("takes the environment from LAYERON_ENV when --env is absent, and --env over it", async () => {
    const fromEnv = await project.layer(["secret", "list", "--json"], { env: { LAYERON_ENV: "staging" } })
    assert.equal(jsonOf<{ environment: string }>(fromEnv).environment, "staging")
    const fromFlag = await project.layer(["secret", "list", "--json", "--env", "dev"], { env: { LAYERON_ENV: "staging" } })
    assert.equal(jsonOf<{ environment: string }>(fromFlag).environment, "dev")
  })

  it("colours at a terminal, and not with NO_COLOR", async () => {
    const coloured = await layerInPty(project, ["secret", "list"], [])
    assert.equal(coloured.exitCode, 0, coloured.output)
    assert.match(coloured.output, /\u001b\[1mSECRET/)
    const plain = await layerInPty(project, ["secret", "list"], [], { NO_COLOR: "1" })
    assert.equal(plain.exitCode, 0)
    assert.doesNotMatch(plain.output, /\u001b\[/)
  })

  it("exits 130 when the prompt is interrupted with Ctrl-C, writing nothing", async () => {
    const before = await project.snapshot()
    const run = await layerInPty(project, ["secret", "set", "INTERRUPTED"], [{ expect: "Value for", send: "abc\u0003" }])
    assert.equal(run.exitCode, 130, run.output)
    assert.match(run.output, /interrupted; nothing was written/)
    assert.deepEqual(await project.snapshot(), before)
  })

  it("keeps --version light: bin's static imports reach only node: built-ins and the CLI's own files", async () => {
    const run = await runLayer(["--version"], { cwd: "/", env: { PATH: process.env.PATH ?? "" } })
    assert.equal(run.code, 0)
    const packages = await staticImports(LAYER_BIN)
    assert.deepEqual([...packages].filter((specifier) => !specifier.startsWith("node:")), [])
  })
})

/** Bare specifiers reachable from `file` through static imports (dynamic import() is not followed). */
async function staticImports(file: string, seen = new Set<string>(), packages = new Set<string>()): Promise<Set<string>> {
  if (seen.has(file)) return packages
  seen.add(file)
  const source = await readFile(file, "utf8")
  for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"|^import\s+"([^"]+)"/gm)) {
    const specifier = match[1] ?? match[2] ?? ""
    if (specifier.startsWith(".")) await staticImports(resolve(dirname(file), specifier), seen, packages)
    else packages.add(specifier)
  }
  return packages
}
