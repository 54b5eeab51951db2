/**
 * A full disk and a read-only file system, met for real on a small tmpfs mounted over the
 * project's `.layeron/` (or over LAYERON_HOME). Each case: exit 1 with the documented code,
 * the path named, nothing lost (every file byte-identical, no temp file left), and the next
 * run, once there is room, converges. Skipped with the mount's own reason where the machine
 * refuses a tmpfs (not root, no CAP_SYS_ADMIN, not Linux).
 */
import assert from "node:assert/strict"
import { mkdir, readdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, DEFAULT_API, jsonOf, listFiles } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"
import { mountTmpfs } from "./support/tmpfs.js"
import type { Tmpfs } from "./support/tmpfs.js"

const KEY = "AAECAwQFBgcICQoLDA0ODwABAgMEBQYHCAkKCwwNDg8"

/** The default backend plus six more rotating random secrets: seven rotations due at once. */
const ROTATING_API = DEFAULT_API.replace(
  "app.use(sessionKey)",
  ["app.use(sessionKey)", ...Array.from({ length: 6 }, (_, i) => `app.use(secret.random({ name: "k${i}", namespace: "rot", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }))`)].join("\n"),
)

interface ErrorDocument {
  error: { code: string; message: string; hint: string | null; details?: Record<string, unknown> }
}

/** The files that matter (the filler and nothing else left out), by path → sha256. */
async function files(project: TestProject): Promise<Map<string, string>> {
  const all = await project.snapshot()
  for (const path of [...all.keys()]) if (path.endsWith("/.filler")) all.delete(path)
  return all
}

async function leftovers(dir: string): Promise<string[]> {
  return (await listFiles(dir)).filter((path) => /\.tmp$|\/\.undo-/.test(path))
}

function failedWith(run: LayerRun, code: string): ErrorDocument["error"] {
  assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`)
  const { error } = jsonOf<ErrorDocument>(run)
  assert.equal(error.code, code, error.message)
  assert.doesNotMatch(run.stderr, /a bug in layer/)
  return error
}

/** A project whose `.layeron/` is a tmpfs of `sizeKiB`, or the reason it cannot be. */
async function projectOnTmpfs(sizeKiB: number, over: "project" | "home" = "project", files: Record<string, string> = {}): Promise<{ project: TestProject; disk: Tmpfs } | { skip: string }> {
  const project = await createProject(files)
  const disk = await mountTmpfs(over === "project" ? join(project.root, ".layeron") : project.home, sizeKiB)
  if ("skip" in disk) {
    await project.cleanup()
    return disk
  }
  return { project, disk }
}

describe("a full disk and a read-only file system (tmpfs)", () => {
  const mounted: { project: TestProject; disk: Tmpfs }[] = []
  let skip: string | undefined
  before(async () => {
    const probe = await projectOnTmpfs(64)
    if ("skip" in probe) skip = probe.skip
    else mounted.push(probe)
  })
  after(async () => {
    for (const { project, disk } of mounted) {
      await disk.unmount()
      await project.cleanup()
    }
  })
  async function setUp(sizeKiB: number, over: "project" | "home" = "project", files: Record<string, string> = {}) {
    const made = await projectOnTmpfs(sizeKiB, over, files)
    if ("skip" in made) throw new Error(made.skip)
    mounted.push(made)
    return made
  }

  it("secret import on a full disk lands none of its entries, says so, and the rerun lands them all", async (t) => {
    if (skip) return t.skip(skip)
    const { project, disk } = await setUp(512)
    const seeded = await project.layer(["secret", "set", "auth/session-key", "--value-env", "V"], { env: { V: KEY } })
    assert.equal(seeded.code, 0, seeded.stderr)
    const names = Array.from({ length: 10 }, (_, i) => `IMPORTED_${i}`)
    await project.write("import.env", names.map((name, i) => `${name}=value-${i}-${"x".repeat(1500)}`).join("\n") + "\n")
    // Room for a few records, not for ten: the import must stop part way through.
    await disk.fill(5 * 4096)
    const before = await files(project)

    const run = await project.layer(["secret", "import", "import.env", "--yes", "--json"])
    const error = failedWith(run, "disk_full")
    assert.match(error.message, /no space left on the device \(ENOSPC\)/)
    assert.match(error.message, new RegExp(`${join(project.root, ".layeron").replace(/[/.]/g, "\\$&")}/\\S+`), "names the path")
    assert.match(error.message, /nothing was written/)
    assert.ok((error.details?.line as number) > 1, `the import wrote some entries before the disk filled (stopped at line ${error.details?.line})`)
    assert.equal(error.details?.rolledBack, true)
    assert.deepEqual(error.details?.writtenSecrets, [])
    assert.equal((error.details?.notWrittenSecrets as string[]).length, 10)
    assert.deepEqual(await files(project), before, "every file of the store and the state is as it was")
    assert.deepEqual(await leftovers(project.root), [], "no temp file, no undo folder")

    await disk.free()
    const rerun = await project.layer(["secret", "import", "import.env", "--yes", "--json"])
    assert.equal(rerun.code, 0, rerun.stderr)
    const listed = jsonOf<{ secrets: { physicalName: string; status: string }[] }>(await project.layer(["secret", "list", "--json"]))
    for (const name of names) assert.equal(listed.secrets.find((secret) => secret.physicalName === name)?.status, "present", name)
  })

  it("secret set on a full disk: disk_full naming the record, the old value kept, no temp file; then it converges", async (t) => {
    if (skip) return t.skip(skip)
    const { project, disk } = await setUp(256)
    assert.equal((await project.layer(["secret", "set", "TOKEN", "--value-env", "V"], { env: { V: "first" } })).code, 0)
    // No room at all (the lock cannot be taken), then one page (the lock is, the record is not).
    const failedAt: string[] = []
    for (const room of [0, 4096]) {
      await disk.fill(room)
      const before = await files(project)
      const run = await project.layer(["secret", "set", "TOKEN", "--value-env", "V", "--json"], { env: { V: "second" } })
      const error = failedWith(run, "disk_full")
      assert.ok(error.message.includes(join(project.root, ".layeron")), error.message)
      failedAt.push(String(error.details?.path))
      assert.deepEqual(await files(project), before)
      assert.deepEqual(await leftovers(project.root), [])
      await disk.free()
    }
    assert.deepEqual(failedAt.map((path) => path.slice(path.lastIndexOf("/") + 1)), [".lock", "TOKEN.json"], "the lock, then the record itself, named")
    const again = await project.layer(["secret", "set", "TOKEN", "--value-env", "V", "--json"], { env: { V: "second" } })
    assert.equal(again.code, 0, again.stderr)
    assert.equal(jsonOf<{ action: string }>(again).action, "updated")
  })

  it("a key write on a full LAYERON_HOME: disk_full naming the key file, no 0-byte key or temp file; then it converges", async (t) => {
    if (skip) return t.skip(skip)
    const { project, disk } = await setUp(64, "home")
    await disk.fill(0)
    const run = await project.layer(["secret", "set", "TOKEN", "--value-env", "V", "--json"], { env: { V: "first" } })
    const error = failedWith(run, "disk_full")
    assert.match(error.message, /\.key\b/, "names the key file")
    const home = await readdir(project.home)
    assert.deepEqual(home.filter((name) => name !== ".filler"), [], `nothing half-made in LAYERON_HOME: ${home.join(", ")}`)
    assert.deepEqual(await listFiles(join(project.root, ".layeron", "local")), [], "no record written without its key")
    await disk.free()
    const again = await project.layer(["secret", "set", "TOKEN", "--value-env", "V", "--json"], { env: { V: "first" } })
    assert.equal(again.code, 0, again.stderr)
  })

  it("rotate --apply on a full disk says, per secret, rotated or disk_full with the path; the rerun rotates the rest", async (t) => {
    if (skip) return t.skip(skip)
    const { project, disk } = await setUp(512, "project", { "src/api.ts": ROTATING_API })
    const deployed = await project.layer(["deploy", "--yes"])
    assert.equal(deployed.code, 0, deployed.stderr)
    const later = { LAYERON_TEST_NOW: "2027-03-01T00:00:00.000Z" }
    await disk.fill(2 * 4096)
    const run = await project.layer(["secret", "rotate", "--apply", "--yes", "--json"], { env: later })
    assert.equal(run.code, 1, run.stderr)
    const report = jsonOf<{ secrets: { physicalName: string; status: string; error?: { code: string; message: string } }[] }>(run)
    const failed = report.secrets.filter((secret) => secret.status === "failed")
    assert.ok(failed.length > 0, "the disk stopped some rotations")
    for (const secret of report.secrets) assert.ok(["rotated", "failed"].includes(secret.status), `${secret.physicalName}: ${secret.status}`)
    for (const secret of failed) {
      assert.equal(secret.error?.code, "disk_full", secret.error?.message)
      assert.match(secret.error?.message ?? "", /\.layeron\/local\/dev\/\S+\.json: no space left on the device/)
    }
    assert.doesNotMatch(run.stderr, /unexpectedly|a bug in layer/)
    assert.deepEqual(await leftovers(project.root), [])
    await disk.free()
    const rerun = await project.layer(["secret", "rotate", "--apply", "--yes", "--json"], { env: later })
    assert.equal(rerun.code, 0, rerun.stderr)
    const plan = jsonOf<{ secrets: { physicalName: string; status: string; lastRotation: string | null }[] }>(await project.layer(["secret", "rotate", "--json"], { env: later }))
    const rotating = plan.secrets.filter((secret) => secret.physicalName !== "STRIPE_SECRET" && secret.lastRotation !== null)
    assert.equal(rotating.length, 7)
    for (const secret of rotating) assert.equal(secret.lastRotation, later.LAYERON_TEST_NOW, `${secret.physicalName} converged`)
  })

  it("a read-only file system: read_only_file_system naming the path, nothing changed; then it converges", async (t) => {
    if (skip) return t.skip(skip)
    const { project, disk } = await setUp(256)
    assert.equal((await project.layer(["secret", "set", "TOKEN", "--value-env", "V"], { env: { V: "first" } })).code, 0)
    await project.write("import.env", "A_ONE=1\nA_TWO=2\n")
    const before = await files(project)
    await disk.readOnly(true)
    try {
      for (const args of [["secret", "set", "TOKEN", "--value-env", "V"], ["secret", "import", "import.env", "--yes"], ["secret", "delete", "TOKEN", "--yes"]]) {
        const run = await project.layer([...args, "--json"], { env: { V: "second" } })
        const error = failedWith(run, "read_only_file_system")
        assert.ok(error.message.includes(join(project.root, ".layeron")), `${args.join(" ")}: ${error.message}`)
      }
    } finally {
      await disk.readOnly(false)
    }
    assert.deepEqual(await files(project), before)
    const again = await project.layer(["secret", "import", "import.env", "--yes", "--json"])
    assert.equal(again.code, 0, again.stderr)
  })
})
