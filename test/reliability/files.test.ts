/**
 * Files (issue 9, part 6), after a full life cycle (login, set from every kind of source,
 * deploy, rotate) run under a permissive umask (000), on the local store and on Cloudflare:
 * - credentials.json is 0600 inside a 0700 LAYERON_HOME, and the token is in no other file;
 * - every file in LAYERON_HOME is 0600 and every directory 0700; the local store's records
 *   are 0600 in 0700 directories;
 * - the local store's key lives in LAYERON_HOME, outside the project, and no project file
 *   holds it in any encoding;
 * - rotation state, deploy state and artifacts, and local store records hold no plaintext:
 *   no value the store holds (nor its encodings) appears in any project file, and no state
 *   file has a "value" key.
 */
import assert from "node:assert/strict"
import { readFile, stat } from "node:fs/promises"
import { join, relative } from "node:path"
import { after, before, describe, it } from "node:test"
import { runProcess } from "../helpers/processes.js"
import { jsonOf, LAYER_BIN, listFiles } from "../helpers/project.js"
import { stateDirOf } from "../helpers/temp-project.mjs"
import type { LayerRun } from "../helpers/project.js"
import { CanarySet } from "./support/canary.js"
import { startTestEmulator } from "./support/cloudflare.js"
import type { Emulator } from "./support/cloudflare.js"
import { publishFigures } from "./support/figures.js"
import { scanTree } from "./support/leak-scan.js"
import { scenario, VALUE_A } from "./support/scenarios.js"
import { createCloudflareTarget, createLocalTarget } from "./support/targets.js"
import type { Target } from "./support/targets.js"

let emulator: Emulator
const checks: (string | number)[][] = []
const targets: Target[] = []

before(async () => {
  emulator = await startTestEmulator()
})
after(async () => {
  for (const target of targets) await target.cleanup()
  await emulator.close()
})

/** `layer …` through `sh -c 'umask 000; exec node …'`: files must not rely on the caller's umask. */
async function underOpenUmask(target: Target, args: readonly string[], env: Record<string, string | undefined> = {}, input?: string): Promise<LayerRun> {
  const argv = [...args, ...target.envArgs].map((arg) => `'${arg.replace(/'/g, "'\\''")}'`).join(" ")
  return runProcess("sh", ["-c", `umask 000; exec "${process.execPath}" "${LAYER_BIN}" ${argv}`], { cwd: target.project.root, env: target.project.env(target.env(env)), ...(input !== undefined ? { input } : {}) })
}

async function must(target: Target, args: readonly string[], env: Record<string, string | undefined> = {}, input?: string): Promise<void> {
  const run = await underOpenUmask(target, args, env, input)
  assert.equal(run.code, 0, `layer ${args.join(" ")}: ${run.stderr}`)
}

/** Login (Cloudflare), values from env, stdin and an envelope, deploy, then a rotation. */
async function lifeCycle(target: Target): Promise<void> {
  if (target.cloudflare) {
    const login = await underOpenUmask(target, ["login", "--from-stdin", "--json"], { CLOUDFLARE_API_TOKEN: undefined }, target.cloudflare.token)
    assert.equal(login.code, 0, login.stderr)
    assert.equal(jsonOf<{ storage: { kind: string } }>(login).storage.kind, "file")
  }
  // From here on Cloudflare commands use the stored token, as after a real login.
  const env = target.cloudflare ? { CLOUDFLARE_API_TOKEN: undefined } : {}
  await must(target, ["secret", "set", "auth/signing-key", "--from-stdin"], env, "AAECAwQFBgcICQoLDA0ODw")
  await must(target, ["secret", "set", "payments/stripe", "--value-env", "V"], { ...env, V: "sk_live_files_test_value_0123456789" })
  await must(target, ["secret", "set", "UNDECLARED_TOKEN", "--value-env", "V"], { ...env, V: "undeclared-files-test-value-abcdef" })
  await must(target, scenario("deploy").args, env)
  await must(target, ["secret", "set", "auth/session-key", "--value-env", "V"], { ...env, V: JSON.stringify({ current: "v1", versions: { v1: { value: VALUE_A, createdAt: "2026-01-01T00:00:00.000Z" } } }) })
  await must(target, scenario("rotate").args, env)
}

function check(target: Target, what: string, problems: string[]): void {
  checks.push([target.kind, what, problems.length === 0 ? "ok" : `FAILED: ${problems.join("; ")}`])
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

/** Every directory under `dir`, `dir` included. */
async function directories(dir: string): Promise<string[]> {
  const found = new Set<string>([dir])
  for (const file of await listFiles(dir)) {
    for (let parent = join(file, ".."); parent.startsWith(dir) && parent !== dir; parent = join(parent, "..")) found.add(parent)
  }
  return [...found]
}

function valueKeys(data: unknown, at = "$"): string[] {
  if (Array.isArray(data)) return data.flatMap((item, index) => valueKeys(item, `${at}[${index}]`))
  if (typeof data !== "object" || data === null) return []
  return Object.entries(data).flatMap(([key, inner]) => [...(key === "value" ? [`${at}.value`] : []), ...valueKeys(inner, `${at}.${key}`)])
}

for (const kind of ["local", "cloudflare"] as const) {
  describe(`files on ${kind}, after login, set, deploy and rotate under umask 000`, () => {
    let target: Target
    before(async () => {
      target = kind === "local" ? await createLocalTarget() : await createCloudflareTarget(emulator)
      targets.push(target)
      await lifeCycle(target)
    })

    it("LAYERON_HOME is 0700, with every file 0600 and every directory 0700 (credentials.json included)", async () => {
      const home = target.project.home
      const problems: string[] = []
      for (const dir of await directories(home)) if ((await modeOf(dir)) !== 0o700) problems.push(`${relative(home, dir) || "LAYERON_HOME"} is ${(await modeOf(dir)).toString(8)}`)
      for (const file of await listFiles(home)) if ((await modeOf(file)) !== 0o600) problems.push(`${relative(home, file)} is ${(await modeOf(file)).toString(8)}`)
      if (kind === "cloudflare") {
        const credentials = join(home, "credentials.json")
        assert.equal(await modeOf(credentials), 0o600)
        assert.equal(await modeOf(home), 0o700)
        const tokenFiles = await target.project.filesContaining(target.cloudflare!.token)
        if (tokenFiles.join() !== "home/layeron/credentials.json") problems.push(`the token is in ${tokenFiles.join(", ")}`)
      }
      check(target, kind === "cloudflare" ? "credentials.json 0600 in 0700 LAYERON_HOME; token in no other file; every LAYERON_HOME file 0600" : "every LAYERON_HOME file 0600, every directory 0700", problems)
      assert.deepEqual(problems, [])
    })

    it("the local store's key is in LAYERON_HOME, outside the project, and no project file holds it", async (t) => {
      if (kind !== "local") {
        t.skip("Cloudflare holds the values: there is no local key")
        return
      }
      const keyPath = join(target.project.home, "local-store.key")
      const key = await readFile(keyPath)
      const problems: string[] = []
      if (relative(target.project.root, keyPath).startsWith("..") === false) problems.push("the key is inside the project")
      if ((await modeOf(keyPath)) !== 0o600) problems.push(`the key file is ${(await modeOf(keyPath)).toString(8)}`)
      const keyForms = new CanarySet()
      keyForms.add("local-store.key", key.toString("latin1"))
      keyForms.add("local-store.key (base64)", key.toString("base64"))
      keyForms.add("local-store.key (hex)", key.toString("hex"))
      const scanned = await scanTree(target.project.root, keyForms)
      problems.push(...scanned.leaks.map((leak) => `${leak.canary} (${leak.form}) in ${leak.where}`))
      const storeDir = join(target.project.root, ".layeron", "local", "dev")
      for (const dir of await directories(storeDir)) if ((await modeOf(dir)) !== 0o700) problems.push(`${relative(target.project.root, dir)} is ${(await modeOf(dir)).toString(8)}`)
      for (const file of await listFiles(storeDir)) if (file.endsWith(".json") && (await modeOf(file)) !== 0o600) problems.push(`${relative(target.project.root, file)} is ${(await modeOf(file)).toString(8)}`)
      check(target, `local store key outside the project (${scanned.files} project files scanned); store records 0600 in 0700 directories`, problems)
      assert.deepEqual(problems, [])
    })

    it("rotation state, deploy state and artifacts, and store records hold no plaintext", async () => {
      const values = new CanarySet()
      let count = 0
      for (const secret of (await target.store()).values()) {
        values.add(`${secret.name}`, secret.value)
        try {
          const parsed = JSON.parse(secret.value) as { versions?: Record<string, { value?: string }>; d?: string }
          for (const [id, version] of Object.entries(parsed.versions ?? {})) if (version.value) values.add(`${secret.name}/${id}`, version.value)
          if (parsed.d) values.add(`${secret.name} (private scalar)`, parsed.d)
        } catch {
          // a plain value
        }
        count++
      }
      const scanned = await scanTree(target.project.root, values)
      const problems = scanned.leaks.map((leak) => `${leak.canary} (${leak.form}) in ${leak.where}`)
      const stateDir = stateDirOf(target.project.root, target.environment)
      const stateFiles = (await listFiles(stateDir)).filter((file) => file.endsWith(".json"))
      for (const file of stateFiles) {
        const keys = valueKeys(JSON.parse(await readFile(file, "utf8")))
        if (keys.length) problems.push(`${relative(target.project.root, file)} has ${keys.join(", ")}`)
      }
      const deployFiles = await listFiles(join(target.project.root, ".layeron", "deploy", target.environment))
      check(target, `no plaintext: ${count} stored values (and their versions) against ${scanned.files} project files, ${stateFiles.length} state files, ${deployFiles.length} deploy files`, problems)
      assert.ok(count >= 4, "the life cycle stored values")
      assert.deepEqual(problems, [])
    })
  })
}

// The figures are published after every case, whatever ran: no test depends on running after the others.
after(async () => {
  await publishFigures("files", {
    figures: { checks: checks.length, failed: checks.filter((row) => String(row[2]).startsWith("FAILED")).length },
    tables: [{ title: "file modes and plaintext checks (life cycle under umask 000)", columns: ["target", "check", "result"], rows: checks }],
  })
})
