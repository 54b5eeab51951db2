#!/usr/bin/env node
// The sabotage check: a safety mechanism is tested by breaking it. On a temp copy of the built
// tree, each sabotage below rewrites a few bytes of the built JavaScript (dist/) so that one
// mechanism stops working, rebuilds the CLI's bundle from it (what `layer` runs), runs the
// test files that exist to notice, and requires them to fail. A sabotage the tests let through is a hole in the suite.
//
//   npm run test:sabotage                 every sabotage, its full list of test files
//   node scripts/sabotage.mjs --short     one quick file per sabotage (what .ci/run calls)
//   node scripts/sabotage.mjs --parallel 1   one sabotage at a time (default 2, each on its own copy)
//   node scripts/sabotage.mjs --only lock-not-taken,retries-disabled
//   node scripts/sabotage.mjs --list      the sabotages, their files and targets
//
// A run stops at its first failing test (that is the proof), so a caught sabotage costs little;
// a missed one costs its whole file list. Exit 0 only if every applicable sabotage was caught.
// Needs a build (`npm run build`): it copies what is there.
import { spawn, spawnSync } from "node:child_process"
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { parseArgs } from "node:util"

const root = new URL("..", import.meta.url).pathname

/**
 * Each sabotage: the dist file it edits, the exact text it replaces (which must occur exactly
 * `count` times, default 1, or the sabotage is reported as stale: the code moved), and the
 * test files that must fail. `short` is the one quick file used by --short.
 */
export const SABOTAGES = [
  {
    id: "crash-points-inert",
    what: "crash points inert (LAYERON_TEST_CRASH_AT is never read)",
    file: "packages/cli/dist/testing/crash-point.js",
    find: "process.env.LAYERON_TEST_CRASH_AT",
    replace: "process.env.LAYERON_TEST_CRASH_AT_SABOTAGED",
    tests: ["test/reliability/crashes.test.ts", "test/e2e/secret-rotate-crash.test.ts"],
    short: "test/e2e/secret-rotate-crash.test.ts",
  },
  {
    id: "intent-skipped",
    what: "the write-ahead intent is not written before the provider write",
    file: "packages/cli/dist/rotation/record.js",
    find: `crashPoint("before-intent");\n    await writeSecretState(context.projectRoot, context.environment, { ...base, pending });`,
    replace: `crashPoint("before-intent");\n    /* sabotaged: no intent */`,
    tests: ["test/reliability/crashes.test.ts", "test/e2e/secret-rotate-crash.test.ts"],
    short: "test/e2e/secret-rotate-crash.test.ts",
  },
  {
    id: "lock-not-taken",
    what: "the environment lock is not taken",
    file: "packages/cli/dist/rotation/lock.js",
    find: "return withFileLock(path, held, {",
    replace: "return fn(); return withFileLock(path, held, {",
    tests: ["test/reliability/concurrency.test.ts", "test/e2e/secret-rotate-crash.test.ts"],
    short: "test/reliability/concurrency.test.ts",
  },
  {
    id: "retries-disabled",
    what: "retries disabled (one attempt per request, no rate-limit wait)",
    file: "packages/cli/dist/providers/cloudflare/retry.js",
    find: "export const MAX_ATTEMPTS = 5;",
    replace: "export const MAX_ATTEMPTS = 1;",
    extra: [{ file: "packages/cli/dist/providers/cloudflare/api.js", find: "if (!this.#budget.take(outcome.retryAfterMs)) {", replace: "if (true) {" }],
    tests: ["test/reliability/faults.test.ts", "test/e2e/secret-rotate-cloudflare.test.ts"],
    short: "test/reliability/faults.test.ts",
  },
  {
    id: "expires-at-ignored",
    what: "expiresAt ignored by version selection",
    file: "packages/modules/dist/envelope/select.js",
    find: "isExpired(",
    count: 2,
    replace: "((..._ignored) => false)(",
    tests: ["test/workerd/runtime-reads.test.ts", "test/workerd/rotation-runtime.test.ts"],
    short: "test/workerd/runtime-reads.test.ts",
  },
  {
    id: "value-in-error",
    what: "the value appended to an error message (invalid_encoding)",
    file: "packages/cli/dist/secrets/inspect.js",
    find: "but version ${id} is not: ${error.message}`",
    replace: "but version ${id} is not: ${error.message} (${version.value})`",
    tests: ["test/reliability/leak-sweep.test.ts", "test/e2e/secret-set-errors.test.ts"],
    short: "test/reliability/leak-sweep.test.ts",
  },
  {
    id: "integrity-anchor-skipped",
    what: "the integrity-anchor check of committed rotation state skipped",
    // verifyAnchor is the one comparison every seal and carry-forward goes through: made to vouch for anything.
    file: "packages/cli/dist/rotation/anchor.js",
    find: "export function verifyAnchor(expected, stored) {",
    replace: 'export function verifyAnchor(expected, stored) { return { status: "anchored" };',
    tests: ["test/e2e/hostile-commit.test.ts"],
    short: "test/e2e/hostile-commit.test.ts",
  },
  {
    id: "expose-current-removed",
    what: 'the expose: "current" check removed from the Secret Product Worker',
    file: "packages/modules/dist/worker/read.js",
    find: `entry.expose === "current"`,
    replace: "false",
    tests: ["test/workerd/runtime-reads.test.ts"],
    short: "test/workerd/runtime-reads.test.ts",
  },
  {
    id: "use-key-readable",
    what: 'a value reader returns a key declared with expose: "use" (the product\'s refusal removed)',
    file: "packages/modules/dist/worker/read.js",
    find: `if (entry.expose === "use")`,
    replace: "if (false)",
    tests: ["test/workerd/use-keys.test.ts", "examples/shop/test/shop.test.ts", "test/e2e/use-keys-dev.test.ts"],
    short: "test/workerd/use-keys.test.ts",
  },
  {
    id: "pack-parse-stale",
    what: "the Secret Product Worker serves a packed member from an older pack text (the parse memo ignores the text)",
    file: "packages/modules/dist/worker/packed-envelope.js",
    find: "if (memo !== undefined && memo.text === text && memo.name === pack.name)",
    replace: "if (memo !== undefined)",
    tests: ["test/workerd/packing.test.ts"],
    short: "test/workerd/packing.test.ts",
  },
  {
    id: "pack-name-unchecked",
    what: "a pack's text is read whatever pack it names (another pack's text copied in is served)",
    file: "packages/modules/dist/pack/parse.js",
    find: "if (data.pack !== expectedPackName) {",
    replace: "if (false) {",
    tests: ["test/workerd/packing.test.ts"],
    short: "test/workerd/packing.test.ts",
  },
  {
    id: "dev-requests-not-held",
    what: "layer dev's front lets requests through while workerd restarts after a save",
    file: "packages/cli/dist/deploy/dev/front.js",
    find: "this.#paused = { release, open };",
    replace: "/* sabotaged: requests not held */",
    tests: ["test/e2e/dev-front.test.ts"],
    short: "test/e2e/dev-front.test.ts",
  },
  {
    id: "dev-any-host",
    what: "layer dev's front serves any Host (DNS rebinding)",
    file: "packages/cli/dist/deploy/dev/front.js",
    find: "if (isAllowedHost(request.headers.host, this.#options.allowedHosts))",
    replace: "if (true)",
    tests: ["test/e2e/dev-front.test.ts"],
    short: "test/e2e/dev-front.test.ts",
  },
  {
    id: "dev-workerd-full-environment",
    what: "workerd inherits the CLI's whole environment (credentials, --value-env variables)",
    file: "packages/cli/dist/deploy/dev/environment.js",
    find: "process.env = workerdEnvironment(full);",
    replace: "/* sabotaged: environment not narrowed */",
    tests: ["test/e2e/dev-front.test.ts"],
    short: "test/e2e/dev-front.test.ts",
  },
  {
    id: "caller-check-removed",
    what: "the Secret Product Worker's caller check removed (any backend reads every secret)",
    file: "packages/modules/dist/worker/read.js",
    find: "checkRegistered(manifest, caller, secretId);",
    replace: "/* sabotaged: no caller check */",
    tests: ["test/workerd/isolation.test.ts", "test/e2e/isolation.test.ts"],
    short: "test/workerd/isolation.test.ts",
  },
  {
    id: "revoke-stale-state",
    what: "secret revoke writes from a state the store's `modified` says is behind (a value-only write elsewhere is overwritten)",
    file: "packages/cli/dist/rotation/revoke.js",
    find: "if (state.provider.modified !== metadata.modified) {",
    replace: "if (false) {",
    tests: ["test/e2e/secret-rotate-now.test.ts"],
    short: "test/e2e/secret-rotate-now.test.ts",
  },
  {
    id: "now-forces-recovered",
    what: "rotate --now forces again a rotation a killed run wrote but did not record (one command, two versions)",
    file: "packages/cli/dist/commands/secret-rotate.js",
    find: "const completedNow = new Set(inputs.recovered);",
    replace: "const completedNow = new Set();",
    tests: ["test/e2e/secret-rotate-now-crash.test.ts"],
    short: "test/e2e/secret-rotate-now-crash.test.ts",
  },
  {
    id: "symlink-check-removed",
    what: "the safe-path guard lets everything through (symlinks under .layeron and LAYERON_HOME followed, a foreign LAYERON_HOME used)",
    // assertSafePath is the one check every guarded read, write, mkdir and lock goes through.
    file: "packages/cli/dist/fs/safe-path.js",
    find: "export async function assertSafePath(path) {",
    replace: "export async function assertSafePath(path) { return;",
    tests: ["test/e2e/symlink-guard.test.ts"],
    short: "test/e2e/symlink-guard.test.ts",
  },
  {
    id: "redaction-exact-only",
    what: "API text redacted only where it holds the exact value, and printed with its control characters",
    file: "packages/cli/dist/providers/cloudflare/errors.js",
    find: "return escapeControls(redact(text, sensitive), { singleLine: true });",
    replace: 'return sensitive.reduce((result, secret) => result.split(secret).join("[redacted]"), text);',
    tests: ["test/e2e/hostile-api-answer.test.ts"],
    short: "test/e2e/hostile-api-answer.test.ts",
  },
  {
    id: "body-deadline-removed",
    what: "the Cloudflare request deadline stops at the headers (a dripped or stalled body waits for ever)",
    file: "packages/cli/dist/providers/cloudflare/api.js",
    find: "return { response, text: await response.text() };",
    replace: "clearTimeout(timer); return { response, text: await response.text() };",
    tests: ["test/reliability/answer-faults.test.ts"],
    short: "test/reliability/answer-faults.test.ts",
  },
  {
    id: "import-rollback-skipped",
    what: "a local import that fails part way is not rolled back (its first entries stay)",
    file: "packages/cli/dist/providers/local/transaction.js",
    find: "await rollback(root, before);",
    replace: "/* sabotaged: no rollback */",
    // Needs a tmpfs (root): where the mount is refused the file skips and cannot catch it.
    tests: ["test/reliability/disk-full.test.ts"],
    short: "test/reliability/disk-full.test.ts",
  },
  {
    id: "temp-file-kept",
    what: "an atomic write that fails leaves its temp file behind (neither the write nor the atomic replace removes it)",
    file: "packages/cli/dist/fs/atomic.js",
    find: "await unlink(temp).catch(() => { });",
    replace: "/* sabotaged: temp kept */",
    extra: [{ file: "packages/cli/dist/fs/io.js", find: "fs.rmSync(path, { force: true });", replace: "/* sabotaged: half-written file kept */" }],
    tests: ["test/reliability/disk-full.test.ts"],
    short: "test/reliability/disk-full.test.ts",
  },
  {
    id: "code-cache-unverified",
    what: "the launcher hands V8 a code cache file without checking its SHA-256 (a damaged or planted file runs)",
    file: "packages/cli/bin/run-bundle.cjs",
    find: "return crypto.createHash(\"sha256\").update(payload).digest().equals(data.subarray(0, 32)) ? payload : undefined",
    replace: "return payload",
    tests: ["test/e2e/compile-cache.test.ts"],
    short: "test/e2e/compile-cache.test.ts",
  },
  {
    id: "plain-set-replaces-all",
    what: "a plain secret set (or import) replaces every version, as if --replace-all were given",
    file: "packages/cli/dist/secrets/version-plan.js",
    find: "if (input.replaceAll)",
    replace: "if (true)",
    tests: ["test/e2e/secret-set-versions.test.ts", "test/e2e/secret-set-dev.test.ts"],
    short: "test/e2e/secret-set-versions.test.ts",
  },
  {
    id: "aead-associated-data-dropped",
    what: "aead() ignores the caller's associated data (a ciphertext copied to another row decrypts there)",
    file: "packages/modules/dist/keys/aead-format.js",
    find: "out.set(associatedData, head.byteLength);",
    replace: "/* sabotaged: associated data dropped */",
    tests: ["examples/shop/test/shop.test.ts"],
    short: "examples/shop/test/shop.test.ts",
  },
  {
    id: "pack-member-dropped",
    what: "a pack rewrite leaves out one of the other members (the first one that holds a value)",
    file: "packages/cli/dist/packing/provider.js",
    find: "else if (member.anchor !== undefined)\n                    envelopes[member.secret] = await carriedMember(this.#context, pack, member);",
    replace:
      "else if (member.anchor !== undefined && member !== pack.members.find((m) => m.anchor !== undefined && !written.has(m.physicalName)))\n                    envelopes[member.secret] = await carriedMember(this.#context, pack, member);",
    tests: ["test/e2e/packing.test.ts"],
    short: "test/e2e/packing.test.ts",
  },
  {
    id: "pack-rewrites-interleaved",
    what: "two members of one pack are rewritten at once in one process (rotate --apply runs several): the later write carries the other's old versions",
    file: "packages/cli/dist/packing/provider.js",
    find: "if (this.#writing > 0)\n            return;",
    replace: "/* sabotaged: rewrites not queued */",
    tests: ["test/e2e/packing.test.ts"],
    short: "test/e2e/packing.test.ts",
  },
]

function parseOptions() {
  const { values } = parseArgs({ options: { short: { type: "boolean" }, only: { type: "string" }, list: { type: "boolean" }, keep: { type: "boolean" }, parallel: { type: "string", default: "2" } } })
  const parallel = Number(values.parallel)
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`--parallel must be a whole number of at least 1; got ${JSON.stringify(values.parallel)}`)
  return { short: values.short === true, only: values.only?.split(",").filter(Boolean), list: values.list === true, keep: values.keep === true, parallel }
}

/** What to replace in which file; undefined when the sabotage has nothing to act on yet. */
function edits(sabotage) {
  if (sabotage.find === undefined) return undefined
  return [{ file: sabotage.file, find: sabotage.find, replace: sabotage.replace, count: sabotage.count ?? 1 }, ...(sabotage.extra ?? []).map((edit) => ({ count: 1, ...edit }))]
}

/** Why a sabotage cannot be applied to this tree (its target is absent or has changed), or undefined. */
function notApplicable(sabotage, base) {
  const list = edits(sabotage)
  if (!list) return `not applicable yet: the check is not in dist (${sabotage.file} and its text are to be wired in scripts/sabotage.mjs)`
  for (const edit of list) {
    const path = join(base, edit.file)
    if (!existsSync(path)) return `stale: ${edit.file} does not exist (run npm run build, or update scripts/sabotage.mjs)`
    const found = readFileSync(path, "utf8").split(edit.find).length - 1
    if (found !== edit.count) return `stale: ${edit.file} holds the text to replace ${found} times, not ${edit.count} (update scripts/sabotage.mjs)`
  }
  return undefined
}

/**
 * The copy: every file of the repository except .git, node_modules and results; node_modules
 * as a directory of symlinks to the real packages, except @layeron/*, which point at the
 * copy's own workspaces so that the sabotaged dist is what every import reaches.
 */
function copyTree() {
  const base = mkdtempSync(join(tmpdir(), "layeron-sabotage-"))
  const skip = new Set([".git", "node_modules", "results", ".layeron", ".wrangler"])
  cpSync(root, base, { recursive: true, filter: (source) => !skip.has(source.split("/").at(-1)) || source === root })
  for (const modules of findNodeModules(root)) linkNodeModules(join(root, modules), join(base, modules), base)
  return base
}

function findNodeModules(dir, rel = "") {
  const found = []
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = join(rel, entry.name)
    if (entry.name === "node_modules" && (entry.isDirectory() || entry.isSymbolicLink())) found.push(path)
    else if (!entry.isDirectory() || entry.name === ".git") continue
    else if (!["dist", "results"].includes(entry.name) && rel.split("/").length < 3) found.push(...findNodeModules(dir, path))
  }
  return found
}

function linkNodeModules(from, to, base) {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from)) {
    const source = join(from, entry)
    if (entry === "@layeron") {
      mkdirSync(join(to, entry), { recursive: true })
      for (const name of readdirSync(source)) {
        const link = join(source, name)
        const target = lstatSync(link).isSymbolicLink() ? resolve(dirname(link), readlinkSync(link)) : link
        const inCopy = join(base, relative(root, target))
        symlinkSync(existsSync(inCopy) ? inCopy : target, join(to, entry, name))
      }
      continue
    }
    symlinkSync(source, join(to, entry))
  }
}

/** Test runs in flight (each the leader of its own process group), so an interrupted check can end them. */
const running = new Set()

/** Run the test files in the copy; resolves with { failed, summary } as soon as one test fails. */
function runTests(base, files) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ["scripts/run-tests.mjs", ...files], {
      cwd: base,
      env: { ...process.env, LAYERON_TEST_BUILT: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    })
    running.add(child.pid)
    let output = ""
    let failedTest
    const watch = (chunk) => {
      output += chunk.toString("utf8")
      const match = /^\s*✖ (.+)$/m.exec(output)
      if (match && failedTest === undefined) {
        failedTest = match[1].replace(/ \([\d.]+ms\)$/, "")
        // The first failure is the proof: stop the run (its whole process group, which this script started).
        try {
          process.kill(-child.pid, "SIGKILL")
        } catch {
          // already gone
        }
      }
    }
    child.stdout.on("data", watch)
    child.stderr.on("data", watch)
    child.on("close", (code) => {
      running.delete(child.pid)
      const summary = /^(\d+ passed, \d+ failed.*)$/m.exec(output)?.[1]
      resolvePromise({ failed: failedTest !== undefined || code !== 0, failedTest, summary, output })
    })
  })
}

function applyEdits(base, list) {
  const originals = new Map()
  for (const edit of list) {
    const path = join(base, edit.file)
    const text = originals.get(path) ?? readFileSync(path, "utf8")
    originals.set(path, text)
    writeFileSync(path, (readFileSync(path, "utf8")).split(edit.find).join(edit.replace))
  }
  rebundle(base)
  return () => {
    for (const [path, text] of originals) writeFileSync(path, text)
    rebundle(base)
  }
}

/** `layer` runs @layeron/cli's esbuild bundle of dist/ (bin/layer.cjs): rebuild it from the edited dist. */
function rebundle(base) {
  const run = spawnSync(process.execPath, [join(base, "packages/cli/scripts/bundle.mjs")], { cwd: base, encoding: "utf8" })
  if (run.status !== 0) throw new Error(`rebundling the CLI in ${base} failed:\n${run.stderr}`)
}

async function main() {
  const options = parseOptions()
  const chosen = SABOTAGES.filter((sabotage) => !options.only || options.only.includes(sabotage.id))
  if (options.list) {
    for (const sabotage of chosen) console.log(`${sabotage.id}: ${sabotage.what}\n  edits ${sabotage.file}\n  must fail: ${sabotage.tests.join(", ")} (short: ${sabotage.short})`)
    return 0
  }
  if (chosen.length === 0) {
    console.error(`no sabotage named ${options.only?.join(", ")}; known: ${SABOTAGES.map((sabotage) => sabotage.id).join(", ")}`)
    return 1
  }
  const started = Date.now()
  // One copy per parallel lane: a sabotage edits its copy's dist while its tests run.
  const lanes = Array.from({ length: Math.min(options.parallel, chosen.length) }, () => copyTree())
  console.log(`sabotage check on ${lanes.length} cop${lanes.length === 1 ? "y" : "ies"} of the built tree (${lanes.join(", ")})${options.short ? ", short form" : ""}`)
  const cleanup = () => {
    if (!options.keep) for (const base of lanes) rmSync(base, { recursive: true, force: true })
  }
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      for (const pid of running) {
        try {
          process.kill(-pid, "SIGKILL")
        } catch {
          // already gone
        }
      }
      cleanup()
      process.exit(130)
    })
  }
  // The copy must pass unsabotaged, or every "caught" below would mean nothing.
  const control = await runTests(lanes[0], ["bench/lib/options.test.mjs", "test/e2e/cli.test.ts"])
  if (control.failed) {
    console.error(`the unsabotaged copy fails its control tests (${control.failedTest ?? control.summary}): fix that first\n${control.output.slice(-2000)}`)
    cleanup()
    return 1
  }
  const rows = new Array(chosen.length)
  let next = 0
  const lane = async (base) => {
    for (let index = next++; index < chosen.length; index = next++) {
      const sabotage = chosen[index]
      const reason = notApplicable(sabotage, base)
      if (reason) {
        rows[index] = { sabotage, status: reason.startsWith("stale") ? "STALE" : "n/a", detail: reason }
        console.log(`- ${sabotage.id}: ${reason}`)
        continue
      }
      // Short: one file, stop at its first failure. Full: each file on its own, so the report says which files notice.
      const files = options.short ? [sabotage.short] : sabotage.tests
      const restore = applyEdits(base, edits(sabotage))
      const at = Date.now()
      const verdicts = []
      try {
        for (const file of files) verdicts.push({ file, ...(await runTests(base, [file])) })
      } finally {
        restore()
      }
      const seconds = Math.round((Date.now() - at) / 1000)
      const caughtBy = verdicts.filter((verdict) => verdict.failed)
      const missedBy = verdicts.filter((verdict) => !verdict.failed)
      const status = caughtBy.length > 0 ? "caught" : "MISSED"
      const detail = [
        ...caughtBy.map((verdict) => `caught by ${verdict.file} ("${verdict.failedTest ?? verdict.summary}")`),
        ...missedBy.map((verdict) => `missed by ${verdict.file} (${verdict.summary ?? "no summary"})`),
      ].join("; ")
      rows[index] = { sabotage, status, detail, caughtBy: caughtBy.map((verdict) => verdict.file), missedBy: missedBy.map((verdict) => verdict.file) }
      console.log(`${caughtBy.length ? "✔" : "✖"} ${sabotage.id}: ${status}: ${detail} [${seconds} s]`)
    }
  }
  await Promise.all(lanes.map(lane))
  cleanup()
  const applicable = rows.filter((row) => row.status === "caught" || row.status === "MISSED")
  const caught = applicable.filter((row) => row.status === "caught").length
  const stale = rows.filter((row) => row.status === "STALE").length
  const notYet = rows.filter((row) => row.status === "n/a").length
  console.log(`\nsabotages caught ${caught} / ${applicable.length}` + (notYet ? `, ${notYet} not applicable yet` : "") + (stale ? `, ${stale} STALE` : "") + ` (${Math.round((Date.now() - started) / 1000)} s)`)
  return caught === applicable.length && stale === 0 ? 0 : 1
}

process.exitCode = await main()
