/**
 * Nothing is followed out of the project or the home (issue 24, docs/security.md#symlinks-and-ownership).
 * A committed `.layeron/…` or a planted LAYERON_HOME entry that is a symbolic link, a directory
 * or a file, at each place the CLI reads or writes, is refused: `path_is_symlink` naming it,
 * exit 1, nothing written in the project, the home or where the link points, and nothing of
 * the file it points to shown. A LAYERON_HOME owned by another user is refused the same way
 * (`path_not_owned`, the owner named). The places are a table: each row links one place to a
 * folder or a private file outside and runs the command that would have used it.
 */
import assert from "node:assert/strict"
import { chown, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises"
import { dirname, join, relative } from "node:path"
import { after, before, describe, it } from "node:test"
import { createCloudflareProject, startTestEmulator } from "../helpers/emulator-project.js"
import type { CloudflareProject, Emulator } from "../helpers/emulator-project.js"
import { createProject, jsonOf, listFiles, sha256 } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"

const VALUE = "whsec_Zm9vYmFyLWNhbmFyeS12YWx1ZS0xMjM0NTY3"
/** What a private file looks like: its first characters must never reach the output. */
const PRIVATE = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
const SET = ["secret", "set", "webhook-key", "--value-env", "V"]

interface Place {
  /** Where the link goes: under the project root (`.layeron/…`) or under LAYERON_HOME (`~/…`). `{record}` is a local record's file name. */
  at: string
  kind: "directory" | "file"
  args: readonly string[]
}

const LOCAL_PLACES: readonly Place[] = [
  { at: ".layeron", kind: "directory", args: SET },
  { at: ".layeron/local", kind: "directory", args: SET },
  { at: ".layeron/local/dev", kind: "directory", args: SET },
  { at: ".layeron/local/dev/{record}", kind: "file", args: SET },
  { at: ".layeron/local/dev/.key-id.json", kind: "file", args: SET },
  { at: ".layeron/local/dev/rotation", kind: "directory", args: ["secret", "rotate", "--apply", "--yes"] },
  { at: ".layeron/local/dev/rotation/public-key.json", kind: "file", args: ["secret", "rotate"] },
  { at: ".layeron/locks", kind: "directory", args: SET },
  { at: ".layeron/locks/dev.lock", kind: "file", args: SET },
  { at: ".layeron/deploy", kind: "directory", args: ["deploy", "--yes"] },
  { at: ".layeron/deploy/dev", kind: "directory", args: ["deploy", "--yes"] },
  { at: ".layeron/deploy/dev/shop-api-dev", kind: "directory", args: ["deploy", "--yes"] },
  { at: ".layeron/deploy/dev/shop-api-dev/index.js", kind: "file", args: ["deploy", "--yes"] },
  { at: ".layeron/deploy/dev/state.json", kind: "file", args: ["deploy", "--yes"] },
  { at: ".layeron/deploy/dev/shop-secret-dev/wrangler.jsonc", kind: "file", args: ["doctor"] },
  { at: "~/local-store.key", kind: "file", args: SET },
  { at: "~/fingerprint.key", kind: "file", args: SET },
  { at: "~/cache", kind: "directory", args: ["secret", "list"] },
  { at: "~/cache/projects", kind: "directory", args: ["secret", "list"] },
  { at: "~/credentials.json", kind: "file", args: ["whoami"] },
]

const CLOUDFLARE_PLACES: readonly Place[] = [
  { at: ".layeron/secret-rotation", kind: "directory", args: [...SET, "--env", "production"] },
  { at: ".layeron/secret-rotation/production", kind: "directory", args: [...SET, "--env", "production"] },
  { at: ".layeron/secret-rotation/production/public-key.json", kind: "file", args: ["secret", "rotate", "--env", "production"] },
  { at: ".layeron/secret-rotation/production/{state}", kind: "file", args: ["secret", "rotate", "--env", "production"] },
  { at: "~/cache/stores.json", kind: "file", args: ["secret", "list", "--env", "production"] },
]

/** Hashes of every file under the folders, by path (links not followed). */
async function snapshot(dirs: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>()
  for (const dir of dirs) for (const file of await listFiles(dir)) hashes.set(file, sha256(await readFile(file)))
  return hashes
}

interface Fixture {
  project: TestProject
  run(args: readonly string[]): Promise<LayerRun>
  /** Stand-ins for `{record}` and `{state}`. */
  names: Record<string, string>
}

/** Link `place` to a folder or a private file outside, run its command, check the refusal, and put everything back. */
async function refusesLink(fx: Fixture, place: Place): Promise<void> {
  const { project } = fx
  const at = place.at.replace(/\{(\w+)\}/g, (_, name: string) => fx.names[name] ?? `{${name}}`)
  const path = at.startsWith("~/") ? join(project.home, at.slice(2)) : join(project.root, at)
  const outside = join(project.base, "outside", at.replace(/[^\w.-]+/g, "_"))
  await mkdir(dirname(path), { recursive: true })
  await mkdir(dirname(outside), { recursive: true })
  // A linked folder holds what the real one held, so without the guard the command would just work, outside.
  const moved = await rename(path, outside).then(
    () => true,
    () => false,
  )
  if (place.kind === "directory" && !moved) await mkdir(outside)
  if (place.kind === "file") {
    if (moved) await rename(outside, `${outside}.original`)
    await writeFile(outside, PRIVATE)
  }
  await symlink(outside, path)
  try {
    const watched = [join(project.root, ".layeron"), project.home, join(project.base, "outside")]
    const before = await snapshot(watched)
    const run = await fx.run([...place.args, "--json"])
    const shown = `${run.stdout}${run.stderr}`
    assert.equal(run.code, 1, shown)
    const { error } = jsonOf<{ error: { code: string; message: string; details?: { path?: string } } }>(run)
    assert.equal(error.code, "path_is_symlink", shown)
    assert.ok(error.message.includes(path) || error.message.includes(relative(project.root, path)), `the link is named: ${error.message}`)
    assert.deepEqual(await snapshot(watched), before, "nothing written in the project, the home or outside")
    assert.ok(!shown.includes("PRIVATE KEY") && !shown.includes("b3BlbnNzaC1rZXkt"), "nothing of the linked file is shown")
    assert.ok(!shown.includes(VALUE), "no value shown")
  } finally {
    await rm(path)
    if (place.kind === "file") {
      await rm(outside)
      if (moved) await rename(`${outside}.original`, path)
    } else if (moved) await rename(outside, path)
    else await rm(outside, { recursive: true })
  }
}

/** The first file in `dir` whose name matches. */
async function fileIn(dir: string, pattern: RegExp): Promise<string> {
  const name = (await readdir(dir)).find((entry) => pattern.test(entry))
  assert.ok(name, `a file matching ${pattern} in ${dir}`)
  return name
}

describe("a symbolic link under .layeron or LAYERON_HOME (local environment)", () => {
  let fx: Fixture
  before(async () => {
    const project = await createProject()
    const run = (args: readonly string[]) => project.layer(args, { env: { V: VALUE } })
    for (const args of [SET, ["deploy", "--yes"]]) {
      const seeded = await run(args)
      assert.equal(seeded.code, 0, seeded.stderr)
    }
    // credentials.json only exists after a login: made here so it is a place.
    await writeFile(join(project.home, "credentials.json"), "{}\n", { mode: 0o600 })
    fx = { project, run, names: { record: await fileIn(join(project.root, ".layeron/local/dev"), /^lo_.+\.json$/) } }
  })
  after(() => fx?.project.cleanup())

  for (const place of LOCAL_PLACES) {
    it(`${place.kind} ${place.at}: ${place.args.join(" ")} refuses, writes nothing, shows nothing of it`, () => refusesLink(fx, place))
  }

  it("the honest path still works after every place was put back", async () => {
    const run = await fx.run(SET)
    assert.equal(run.code, 0, run.stderr)
  })
})

describe("a symbolic link under .layeron/secret-rotation (Cloudflare environment)", () => {
  let emulator: Emulator
  let project: CloudflareProject
  let fx: Fixture
  before(async () => {
    emulator = await startTestEmulator()
    project = await createCloudflareProject(emulator)
    const run = (args: readonly string[]) => project.cf(args, { env: { V: VALUE } })
    const seeded = await run([...SET, "--env", "production"])
    assert.equal(seeded.code, 0, seeded.stderr)
    const dir = join(project.root, ".layeron/secret-rotation/production")
    fx = { project, run, names: { state: await fileIn(dir, /^lo_.+\.json$/) } }
  })
  after(async () => {
    await project?.cleanup()
    await emulator?.close()
  })

  for (const place of CLOUDFLARE_PLACES) {
    it(`${place.kind} ${place.at}: ${place.args.join(" ")} refuses, writes nothing, shows nothing of it`, async () => {
      const stored = JSON.stringify(project.storedSecrets())
      await refusesLink(fx, place)
      assert.equal(JSON.stringify(project.storedSecrets()), stored, "the store is unchanged")
    })
  }

  it("a public-key.json that is not JSON (a private file committed in its place) is refused without quoting it", async () => {
    const file = join(project.root, ".layeron/secret-rotation/production/public-key.json")
    const original = await readFile(file, "utf8")
    await writeFile(file, "BEGIN OPENSSH PRIVATE KEY b3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n")
    try {
      for (const args of [["secret", "rotate", "--env", "production"], [...SET, "--env", "production"]]) {
        const run = await fx.run([...args, "--json"])
        assert.equal(run.code, 1, `${run.stdout}${run.stderr}`)
        assert.equal(jsonOf<{ error: { code: string } }>(run).error.code, "invalid_state", run.stdout)
        assert.ok(!`${run.stdout}${run.stderr}`.includes("BEGIN") && !`${run.stdout}${run.stderr}`.includes("b3BlbnNz"), `${run.stdout}${run.stderr}`)
      }
    } finally {
      await writeFile(file, original)
    }
  })
})

describe("a LAYERON_HOME that belongs to another user", () => {
  it("is refused with the owner named, and nothing is written (as root, the home given to nobody)", async (t) => {
    if (process.getuid?.() !== 0) return t.skip("needs root to give a folder to another user")
    const project = await createProject()
    try {
      await mkdir(project.home, { recursive: true, mode: 0o700 })
      // The other user's planted key: with it, they could decrypt every local value.
      await writeFile(join(project.home, "local-store.key"), Buffer.alloc(32, 7), { mode: 0o600 })
      for (const target of [join(project.home, "local-store.key"), project.home]) await chown(target, 65534, 65534)
      const before = await snapshot([join(project.root, ".layeron"), project.home])
      const run = await project.layer([...SET, "--json"], { env: { V: VALUE } })
      assert.equal(run.code, 1, `${run.stdout}${run.stderr}`)
      const { error } = jsonOf<{ error: { code: string; message: string; hint: string } }>(run)
      assert.equal(error.code, "path_not_owned")
      assert.ok(error.message.includes(project.home), error.message)
      assert.match(error.message, /belongs to (nobody \()?uid 65534\)?, not to root/)
      assert.match(error.hint, /LAYERON_HOME/)
      assert.deepEqual(await snapshot([join(project.root, ".layeron"), project.home]), before, "nothing written")
      assert.ok(!`${run.stdout}${run.stderr}`.includes(VALUE))

      // Only the key file foreign (the home is root's): refused as well, naming the file.
      await chown(project.home, 0, 0)
      const keyRun = await project.layer([...SET, "--json"], { env: { V: VALUE } })
      assert.equal(keyRun.code, 1, keyRun.stderr)
      const keyError = jsonOf<{ error: { code: string; message: string } }>(keyRun).error
      assert.equal(keyError.code, "path_not_owned")
      assert.ok(keyError.message.includes("local-store.key"), keyError.message)
      assert.deepEqual(await snapshot([join(project.root, ".layeron")]), new Map([...before].filter(([file]) => file.startsWith(join(project.root, ".layeron")))))
    } finally {
      await project.cleanup()
    }
  })
})
