/**
 * Operating-system refusals met for real where the machine allows: permission denied (the
 * CLI run as another user over a root-owned store) and too many open files (`ulimit -n`).
 * A full disk and a read-only file system are in disk-full.test.ts; out of memory, ENFILE and
 * EPERM cannot be produced safely here and are covered by errors.test.ts with Node-shaped errors.
 * Each: exit 1, the documented code, the path named, no "bug in layer", nothing changed, and
 * the next run (with the cause gone) converges.
 */
import assert from "node:assert/strict"
import { chmod, chown, readdir } from "node:fs/promises"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { runProcess } from "../helpers/processes.js"
import { createProject, jsonOf, LAYER_BIN } from "../helpers/project.js"
import type { LayerRun, TestProject } from "../helpers/project.js"

const NOBODY = 65534

function failedWith(run: LayerRun, code: string): { code: string; message: string; details?: Record<string, unknown> } {
  assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`)
  const { error } = jsonOf<{ error: { code: string; message: string; details?: Record<string, unknown> } }>(run)
  assert.equal(error.code, code, error.message)
  assert.doesNotMatch(run.stderr, /a bug in layer/)
  return error
}

describe("operating-system errors met for real", () => {
  const projects: TestProject[] = []
  after(async () => {
    for (const project of projects) await project.cleanup()
  })

  it("permission denied: permission_denied naming the path; the store is unchanged; the owner's rerun converges", async (t) => {
    if (process.getuid?.() !== 0) return t.skip("needs root, to run the CLI as another user over a store it cannot write")
    const project = await createProject()
    projects.push(project)
    assert.equal((await project.layer(["secret", "set", "TOKEN", "--value-env", "V"], { env: { V: "first" } })).code, 0)
    // The project readable by everyone, writable by root only; LAYERON_HOME handed to nobody.
    for (const dir of [project.base, project.root, join(project.root, ".layeron"), join(project.root, ".layeron", "local"), join(project.root, ".layeron", "local", "dev")]) await chmod(dir, 0o755)
    // Every file and folder of it: LAYERON_HOME and what is in it must belong to whoever runs layer.
    await chownTree(join(project.base, "home"), NOBODY)
    const before = await project.snapshot()
    const run = await project.layer(["secret", "set", "TOKEN", "--value-env", "V", "--json"], { env: { V: "second" }, uid: NOBODY, gid: NOBODY })
    const error = failedWith(run, "permission_denied")
    assert.ok(error.message.includes(join(project.root, ".layeron", "local", "dev")), error.message)
    assert.match(error.message, /permission denied \(EACCES\)/)
    assert.deepEqual(await project.snapshot(), before)
    await chownTree(join(project.base, "home"), 0)
    const again = await project.layer(["secret", "set", "TOKEN", "--value-env", "V", "--json"], { env: { V: "second" } })
    assert.equal(again.code, 0, again.stderr)
  })

  it("too many open files: too_many_open_files naming the file, not a bug; nothing changed; with the limit back it converges", async (t) => {
    if (process.platform === "win32") return t.skip("ulimit is a POSIX shell builtin")
    const project = await createProject()
    projects.push(project)
    assert.equal((await project.layer(["secret", "set", "TOKEN", "--value-env", "V"], { env: { V: "first" } })).code, 0)
    const before = await project.snapshot()
    const limited = (limit: number) => runProcess("sh", ["-c", `ulimit -n ${limit} && exec "${process.execPath}" "${LAYER_BIN}" secret set TOKEN --value-env V --json`], { cwd: project.root, env: project.env({ V: "second" }) })
    // How many descriptors the CLI needs to load its own code differs by Node version and bundle:
    // below that, Node itself fails (to read the launcher, or it crashes: no layer code runs).
    // The bundle is one file read synchronously, so layer's own work needs only a descriptor or
    // two more than loading it: the limit is raised one at a time until layer runs; the first
    // limit where it does must end in too_many_open_files, and no limit may end in "a bug in
    // layer" or change a file.
    let reported: { message: string } | undefined
    for (let limit = 12; limit <= 80 && !reported; limit += 1) {
      const run = await limited(limit)
      assert.doesNotMatch(run.stderr, /a bug in layer/)
      assert.deepEqual(await project.snapshot(), before, `the run with ulimit -n ${limit} changed a file`)
      if (run.code === 0) assert.fail(`with ulimit -n ${limit} the write succeeded before any limit gave too_many_open_files`)
      if (run.stdout.trim().startsWith("{")) reported = failedWith(run, "too_many_open_files")
    }
    assert.ok(reported, "no limit from 20 to 80 gave too_many_open_files")
    assert.match(reported.message, /\/\S+: this process has too many open files \(EMFILE\)/)
    const again = await limited(1024)
    assert.equal(again.code, 0, again.stderr)
  })
})

async function chownTree(path: string, uid: number): Promise<void> {
  await chown(path, uid, uid)
  for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    const child = join(path, entry.name)
    if (entry.isDirectory()) await chownTree(child, uid)
    else await chown(child, uid, uid)
  }
}
