/**
 * `layer dev` as something left running all day: ready means ready (polled from the instant
 * of spawn, every answer is correct), and however it ends (SIGINT, SIGTERM, SIGHUP, SIGKILL,
 * a closed stderr, an uncaught error) no workerd survives it, its port is free and no value
 * is left in a file under its temp directory, the project or LAYERON_HOME.
 */
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { after, describe, test } from "node:test"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { devTempEntries, get, isRunning, leftoversContaining, portIsFree, startDev, until, urls, withDevOnFreePort, workerdChildrenOf } from "./dev-process.js"
import type { DevOptions, DevProcess } from "./dev-process.js"

const CANARY = "sk_live_CANARY_lifecycle_93be1f"
const fingerprint = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 12)

const API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "2026-04-01" })
const stripe = secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" })
app.use(stripe)

const digest = async (text: string) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 12)

app.get("/stripe", async (c) => {
  try {
    return c.json({ fingerprint: await digest(await stripe.current().text()) })
  } catch (error) {
    return c.json({ error: (error as { code?: string }).code }, 503)
  }
})
app.get("/log", (c) => {
  console.log("a line from the Worker")
  return c.json({ logged: true })
})
export default app
`

const projects: TestProject[] = []
after(async () => {
  for (const project of projects) await project.cleanup()
})

async function projectWithSecret(): Promise<TestProject> {
  const project = await createProject({ "src/api.ts": API })
  projects.push(project)
  const set = await project.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "STRIPE"], { env: { STRIPE: CANARY } })
  assert.equal(set.code, 0, set.stderr)
  return project
}

describe("layer dev: ready means ready", () => {
  test("polled from the instant of spawn, every answer is the right value, and the URL line comes only once it is answered", async () => {
    const project = await projectWithSecret()
    // The port is known before the spawn, so polling can begin at its instant.
    const { dev, answers, refusedAfterLine } = await withDevOnFreePort(project, {}, async (dev, port) => {
      const answers: Array<{ status: number; body: string; lineShown: boolean }> = []
      let refusedAfterLine = 0
      try {
        const deadline = Date.now() + 60_000
        // Until ten answers after the URL line: connection refused is not an answer; any HTTP
        // answer, even one sent while workerd was still starting, must be the right value (a
        // 503 "not running" from the front counts as a wrong answer).
        while (answers.filter((a) => a.lineShown).length < 10) {
          assert.ok(Date.now() < deadline, `no answer within 60 s\n${dev.stderr()}`)
          assert.equal(dev.child.exitCode, null, `layer dev exited:\n${dev.stderr()}`)
          const lineShown = dev.stderr().includes(`on http://127.0.0.1:${port}`)
          let response: Response
          try {
            response = await fetch(`http://127.0.0.1:${port}/stripe`)
          } catch {
            if (lineShown) refusedAfterLine++
            await new Promise((resolve) => setTimeout(resolve, 10))
            continue
          }
          answers.push({ status: response.status, body: await response.text(), lineShown })
        }
      } finally {
        dev.child.kill("SIGINT")
      }
      assert.equal(await dev.exited, 0, dev.stderr())
      return { dev, answers, refusedAfterLine }
    })
    const right = JSON.stringify({ fingerprint: fingerprint(CANARY) })
    for (const answer of answers) assert.deepEqual({ status: answer.status, body: answer.body }, { status: 200, body: right })
    assert.equal(refusedAfterLine, 0, "a request after the URL line was refused")
    assert.ok(!dev.stderr().includes(CANARY) && !dev.stdout().includes(CANARY))
  })
})

interface Ending {
  name: string
  options?: DevOptions
  end(dev: DevProcess, url: string): Promise<void>
}

// An uncaught error, injected from outside the CLI: a preload that throws when SIGUSR2 arrives.
const THROW_ON_SIGUSR2 = `data:text/javascript,process.on("SIGUSR2", () => { throw new Error("injected by the test") })`

const endings: Ending[] = [
  { name: "SIGINT", end: async (dev) => void dev.child.kill("SIGINT") },
  { name: "SIGTERM", end: async (dev) => void dev.child.kill("SIGTERM") },
  { name: "SIGHUP (the terminal closed)", end: async (dev) => void dev.child.kill("SIGHUP") },
  { name: "SIGKILL", end: async (dev) => void dev.child.kill("SIGKILL") },
  {
    name: "EPIPE (nobody reads stderr any more)",
    end: async (dev, url) => {
      dev.child.stderr?.destroy()
      // The Worker's console line is the next thing dev writes to stderr.
      await get(url, "/log").catch(() => {})
    },
  },
  { name: "an uncaught error", options: { nodeArgs: ["--import", THROW_ON_SIGUSR2] }, end: async (dev) => void dev.child.kill("SIGUSR2") },
]

describe("layer dev: nothing outlives it", () => {
  for (const ending of endings) {
    test(`ended by ${ending.name}: no workerd left, the port free, no value in any file`, async () => {
      const project = await projectWithSecret()
      const dev = await startDev(project, 0, ending.options)
      const url = (await urls(dev)).get("api") ?? ""
      const port = Number(new URL(url).port)
      await until("the right value", async () => ((await get(url, "/stripe")).body.fingerprint === fingerprint(CANARY) ? true : undefined), dev)
      const workerd = workerdChildrenOf(dev.child.pid ?? 0)
      assert.ok(workerd.length > 0, "dev runs a workerd")

      await ending.end(dev, url)
      await dev.exited
      await until(
        "workerd gone and the port free (5 s)",
        async () => (workerd.every((pid) => !isRunning(pid)) && (await portIsFree(port)) ? true : undefined),
        dev,
        5_000,
      )
      assert.deepEqual(await leftoversContaining(project, dev, CANARY), [], "a file holds the value in plain text")
      if (!ending.name.startsWith("SIGKILL") && !ending.name.startsWith("an uncaught")) {
        assert.deepEqual(await devTempEntries(dev), [], "a clean stop leaves nothing in the temp directory")
        assert.deepEqual(await readdir(join(project.home, "dev")), [], "a clean stop removes its session record")
      }
    })
  }

  test("the next start removes what a killed session left (its record and temp directory)", async () => {
    const project = await projectWithSecret()
    const first = await startDev(project, 0)
    await urls(first)
    first.child.kill("SIGKILL")
    await first.exited
    assert.equal((await readdir(join(project.home, "dev"))).length, 1, "the killed session's record is there")
    assert.ok((await readdir(first.tmp)).some((entry) => entry.startsWith(`layeron-dev-${first.child.pid}-`)))

    const second = await startDev(project, 0)
    try {
      await urls(second)
      assert.deepEqual(await readdir(join(project.home, "dev")), [`${second.child.pid}.json`])
      assert.ok(!(await readdir(second.tmp)).some((entry) => entry.startsWith(`layeron-dev-${first.child.pid}-`)), "the dead session's temp directory was removed")
    } finally {
      second.child.kill("SIGTERM")
    }
    assert.equal(await second.exited, 0, second.stderr())
  })

  test("without setpriv (no parent-death signal), a killed session's workerd is stopped by the next start, which says so", async () => {
    const project = await projectWithSecret()
    // PATH without setpriv: the guard is off, as on a machine without util-linux.
    const first = await startDev(project, 0, { env: { PATH: "/nonexistent" } })
    // Any free port (dev binds it), then the second start asks for the same one.
    const port = Number(new URL((await urls(first)).get("api") ?? "").port)
    const orphans = workerdChildrenOf(first.child.pid ?? 0)
    assert.ok(orphans.length > 0)
    first.child.kill("SIGKILL")
    await first.exited
    try {
      assert.ok(orphans.some(isRunning), "without the guard, workerd outlives a killed layer dev")
      // The port users know belongs to the CLI's front, not to workerd: it died with the CLI,
      // so nobody answers there any more (the orphan listens only on a port of its own).
      assert.equal(await portIsFree(port), true, "the front's port is free once the CLI is gone")

      const second = await startDev(project, port)
      try {
        await urls(second)
        assert.match(second.stderr(), new RegExp(`layer dev: removed workerd \\(pid ${orphans[0]}\\) left by layer dev pid ${first.child.pid}`))
        assert.ok(!orphans.some(isRunning))
        assert.equal((await get(port, "/stripe")).body.fingerprint, fingerprint(CANARY))
      } finally {
        second.child.kill("SIGINT")
      }
      assert.equal(await second.exited, 0, second.stderr())
    } finally {
      for (const pid of orphans.filter(isRunning)) process.kill(pid, "SIGKILL")
    }
  })
})
