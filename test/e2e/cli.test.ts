/** The `layer` executable itself: help, version, argv errors, --json errors, debug, colour, --cwd. */
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { after, before, describe, it } from "node:test"
import { cloudflareConfig, createProject, jsonOf, LAYER_BIN, REPO_ROOT, runLayer } from "../helpers/project.js"
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
    assert.match(run.stderr, /^error: unknown command "secrets"; did you mean `layer secret`\?\nhint: commands: login, logout, whoami, secret set/)
  })

  it("suggests the command or flag meant by a typo", async () => {
    const cases: [string[], RegExp][] = [
      [["deply"], /^error: unknown command "deply"; did you mean `layer deploy`\?$/m],
      [["secret", "lsit"], /^error: unknown command "secret lsit"; did you mean `layer secret list`\?$/m],
      [["secret", "list", "--jsn"], /^error: unknown flag --jsn; did you mean --json\?$/m],
      [["secret", "rotate", "--aply"], /^error: unknown flag --aply; did you mean --apply\?$/m],
    ]
    for (const [args, message] of cases) {
      const run = await project.layer(args)
      assert.equal(run.code, 1, args.join(" "))
      assert.match(run.stderr, message)
    }
  })

  it("answers secret get, show and reveal with why values are write-only and what to use instead", async () => {
    for (const word of ["get", "show", "reveal"]) {
      const run = await project.layer(["secret", word, "auth/session-key", "--json"])
      assert.equal(run.code, 1)
      const { error } = jsonOf<{ error: { code: string; message: string; hint: string } }>(run)
      assert.equal(error.code, "values_are_write_only")
      assert.match(error.message, new RegExp(`there is no \`layer secret ${word}\`: values are write-only on purpose`))
      assert.match(error.hint, /fingerprints/)
      assert.match(error.hint, /layer dev/)
    }
  })

  it("takes -e for --env", async () => {
    const run = await project.layer(["secret", "list", "-e", "staging", "--json"])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(jsonOf<{ environment: string }>(run).environment, "staging")
    const before = await project.layer(["-e", "staging", "secret", "list", "--json"])
    assert.equal(jsonOf<{ environment: string }>(before).environment, "staging", "-e before the command words takes its value")
  })

  it("names a missing --cwd directory as such", async () => {
    const run = await project.layer(["secret", "list", "--cwd", "/nope/not-here"])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /^error: --cwd \/nope\/not-here: no such directory\nhint: /)
    const file = await project.layer(["secret", "list", "--cwd", "layeron.config.ts"])
    assert.match(file.stderr, /^error: --cwd layeron\.config\.ts: not a directory/)
  })

  it("shows in each command's --help only the exit codes that command returns", async () => {
    const set = (await project.layer(["secret", "set", "--help"])).stdout
    assert.match(set, /Exit codes:\n  0    success\n  1    error: .*\n  130  interrupted \(Ctrl-C\)\n/)
    assert.doesNotMatch(set, /rotations are due|^  2 /m)
    const rotate = (await project.layer(["secret", "rotate", "--help"])).stdout
    assert.match(rotate, /^  2    the plan \(without --apply\) has rotations due$/m)
    const deploy = (await project.layer(["deploy", "--help"])).stdout
    assert.match(deploy, /^  0    every node is ready, created or external_value_required$/m)
    assert.doesNotMatch(deploy, /^  2 /m)
  })

  it("refuses a Cloudflare deploy without a terminal unless --yes, deploys a local one without asking, and says the rule in --help", async () => {
    const own = await createProject({ "layeron.config.ts": cloudflareConfig("0123456789abcdef0123456789abcdef") })
    try {
      const before = await own.snapshot()
      const run = await own.layer(["deploy", "--env", "production"])
      assert.equal(run.code, 1)
      assert.match(run.stderr, /^error: deploying to Cloudflare needs confirmation, and stdin is not a terminal\nhint: pass --yes to confirm, or --dry-run to see the plan and write nothing$/m)
      assert.deepEqual(await own.snapshot(), before)
      // A local environment writes nothing shared: no --yes, no terminal, and it deploys.
      const local = await own.layer(["deploy", "--env", "dev", "--json"])
      assert.equal(local.code, 0, local.stderr)
      assert.equal((JSON.parse(local.stdout) as { provider: string; dryRun: boolean }).provider, "local")
      assert.notDeepEqual(await own.snapshot(), before, "the local deploy wrote its store")
    } finally {
      await own.cleanup()
    }
    assert.equal((await project.layer(["deploy", "--dry-run"])).code, 0, "a dry run needs no --yes")
    const help = (await project.layer(["--help"])).stdout
    assert.match(help, /Confirmation: Writers that change more than the one value typed/)
    assert.match(help, /A deploy to a local\nenvironment never asks/)
  })

  it("prints completion scripts for bash, zsh and fish that know the commands and flags", async () => {
    const bash = await project.layer(["completion", "bash"])
    assert.equal(bash.code, 0, bash.stderr)
    assert.match(bash.stdout, /complete -F _layer layer/)
    assert.match(bash.stdout, /"secret import"\) flags="--from-stdin --map --plain --dry-run --yes/)
    const run = await runLayer([], { cwd: project.root, env: project.env() })
    assert.equal(run.code, 0)
    // bash itself: completing `layer secret im` and `layer deploy --env ` in the project.
    const { execFileSync } = await import("node:child_process")
    const script = `${bash.stdout}\nCOMP_WORDS=(layer secret im); COMP_CWORD=2; _layer; echo "\${COMPREPLY[*]}"\nCOMP_WORDS=(layer deploy --env ""); COMP_CWORD=3; _layer; echo "\${COMPREPLY[*]}"\nCOMP_WORDS=(layer deploy --dr); COMP_CWORD=2; _layer; echo "\${COMPREPLY[*]}"`
    assert.equal(execFileSync("bash", ["-c", script], { cwd: project.root, encoding: "utf8" }), "import\ndev staging\n--dry-run\n")
    // From a subfolder the config is found above; a secret's name is never completed as a file
    // (src/api.ts would match "a"); secret import's FILE is; completion's SHELL is one of three.
    const more = `${bash.stdout}\nCOMP_WORDS=(layer deploy --env ""); COMP_CWORD=3; _layer; echo "\${COMPREPLY[*]}"\nCOMP_WORDS=(layer secret set a); COMP_CWORD=3; _layer; echo "[\${COMPREPLY[*]}]"\nCOMP_WORDS=(layer secret import a); COMP_CWORD=3; _layer; echo "\${COMPREPLY[*]}"\nCOMP_WORDS=(layer completion z); COMP_CWORD=2; _layer; echo "\${COMPREPLY[*]}"`
    assert.equal(execFileSync("bash", ["-c", more], { cwd: join(project.root, "src"), encoding: "utf8" }), "dev staging\n[]\napi.ts\nzsh\n")
    assert.match((await project.layer(["completion", "zsh"])).stdout, /^#compdef layer\n/)
    assert.match((await project.layer(["completion", "fish"])).stdout, /complete -c layer -n "__fish_seen_subcommand_from secret; and __fish_seen_subcommand_from import" -l map/)
    const bad = await project.layer(["completion", "powershell"])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /supports bash, zsh and fish, not powershell/)
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
