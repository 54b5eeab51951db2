/**
 * `layer dev` end to end: the built CLI serving a temporary project in workerd, answering
 * HTTP on 127.0.0.1, picking up `layer secret set` and source edits without a restart, and
 * stopping cleanly on SIGINT. Routes return fingerprints and version ids, never values.
 */
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { createServer } from "node:net"
import { after, describe, test } from "node:test"
import { supportedCompatibilityDate } from "miniflare"
import { LAYER_BIN, createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { startLayerDev } from "../helpers/dev.js"
import type { RunningDev } from "../helpers/dev.js"
import { listenOnFreePort } from "../helpers/ports.js"
import { runProcess } from "../helpers/processes.js"
import { get, until } from "./dev-process.js"
import { localStoreContents } from "../reliability/support/ground-truth.js"

/** The date the backends below declare; the installed workerd may support an older one only. */
const DECLARED_DATE = "2026-05-24"

const STRIPE_VALUE = "sk_live_CANARY_dev_7a41c9"
const NEW_VALUE = "CANARY_new_key_5d0e2b"

const api = (extra = "") => `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "${DECLARED_DATE}" })
const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
const stripe = secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" })
app.use(sessionKey)
app.use(stripe)

const digest = async (text: string) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 12)

app.get("/health", (c) => c.json({ ok: true, build: "first" }))
app.get("/session", async (c) => c.json({ versions: (await sessionKey.active()).map((v) => v.version) }))
app.get("/stripe", async (c) => {
  try {
    return c.json({ fingerprint: await digest(await stripe.current().text()) })
  } catch (error) {
    return c.json({ error: (error as { code?: string }).code }, 404)
  }
})
${extra}
export default app
`

const fingerprint = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 12)

const projects: TestProject[] = []
after(async () => {
  for (const project of projects) await project.cleanup()
})

/** `layer dev` through the launcher, as `npx layer dev` starts it, handed over once its URL line is out. */
function startDev(project: TestProject): Promise<RunningDev> {
  return startLayerDev(process.execPath, [LAYER_BIN], { cwd: project.root, env: project.env(), timeoutMs: 90_000 })
}

/** The value of the session key's `version` in the local store, decrypted (the store is the truth, not the CLI's output). */
async function currentValue(project: TestProject, version: string): Promise<string> {
  for (const stored of (await localStoreContents(project.root, project.home, "dev")).values()) {
    let parsed: { current?: string; versions?: Record<string, { value?: string }> }
    try {
      parsed = JSON.parse(stored.value) as typeof parsed
    } catch {
      continue // a plain value
    }
    if (parsed.current === version && parsed.versions?.[version]?.value) return parsed.versions[version].value
  }
  throw new Error(`no envelope with current ${version} in the local store`)
}

describe("layer dev", () => {
  test("serves the app, picks up secret writes and source edits without a restart, and stops on SIGINT with exit 0", async () => {
    const project = await createProject({ "src/api.ts": api() })
    projects.push(project)
    const dev = await startDev(project)
    const { port } = dev
    try {
      // What dev says about the date depends on the installed workerd, read here rather than assumed.
      const clampLine = `compatibilityDate ${DECLARED_DATE}, newer than the installed workerd supports (${supportedCompatibilityDate}); layer dev runs it with`
      if (DECLARED_DATE > supportedCompatibilityDate) assert.ok(dev.stderr().includes(clampLine), `expected the clamp line for workerd ${supportedCompatibilityDate}:\n${dev.stderr()}`)
      else assert.doesNotMatch(dev.stderr(), /newer than the installed workerd supports/)
      await until("the list of missing values", async () => (/no value yet for auth\/session-key: `layer deploy --env dev` creates random secrets/.test(dev.stderr()) ? true : undefined), dev)
      assert.deepEqual((await get(port, "/health")).body, { ok: true, build: "first" })
      assert.equal((await fetch(`http://127.0.0.1:${port}/session`)).status, 500, "no session key before the first deploy")

      // The local deploy creates the random secrets while dev runs: they are served without a restart.
      assert.equal((await project.layer(["deploy", "--yes"])).code, 0)
      await until("the random secret created by deploy", async () => (JSON.stringify((await get(port, "/session")).body) === '{"versions":["v1"]}' ? true : undefined), dev)
      assert.deepEqual(await get(port, "/stripe"), { status: 404, body: { error: "secret_not_found" } })

      // A value written while dev runs is served without a restart.
      const set = await project.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "STRIPE"], { env: { STRIPE: STRIPE_VALUE } })
      assert.equal(set.code, 0, set.stderr)
      await until("the new value", async () => ((await get(port, "/stripe")).body.fingerprint === fingerprint(STRIPE_VALUE) ? true : undefined), dev)
      await until("the reload line", async () => (/reloaded secrets: payments\/stripe \(STRIPE_SECRET\)/.test(dev.stderr()) ? true : undefined), dev)

      // An edit of the source is rebuilt and served; a newly declared secret gets its binding.
      await project.write(
        "src/api.ts",
        api(`const added = secret.static({ name: "new-key" })
app.use(added)
app.get("/new", async (c) => c.json({ fingerprint: await digest(await added.current().text()) }))`).replace('build: "first"', 'build: "second"'),
      )
      await until("the rebuilt app", async () => ((await get(port, "/health")).body.build === "second" ? true : undefined), dev)
      await until("the rebuild line", async () => (/rebuilt api \(src\/api\.ts changed\)/.test(dev.stderr()) ? true : undefined), dev)
      const added = await project.layer(["secret", "set", "new-key", "--value-env", "NEW"], { env: { NEW: NEW_VALUE } })
      assert.equal(added.code, 0, added.stderr)
      await until("the newly declared secret", async () => ((await get(port, "/new")).body.fingerprint === fingerprint(NEW_VALUE) ? true : undefined), dev)

      // A broken edit keeps the previous build serving, and says why.
      await project.write("src/api.ts", `${api()}\nimport "node:child_process"\n`)
      await until("the rebuild failure", async () => (/rebuild failed, still serving the previous build: .*Could not resolve "node:child_process"/.test(dev.stderr()) ? true : undefined), dev)
      assert.equal((await get(port, "/health")).body.build, "second")
    } finally {
      dev.child.kill("SIGINT")
    }
    assert.equal((await dev.done).code, 0, dev.stderr())
    assert.match(dev.stdout(), /layer dev stopped \(SIGINT\)/)
    for (const output of [dev.stdout(), dev.stderr()]) {
      assert.ok(!output.includes(STRIPE_VALUE) && !output.includes(NEW_VALUE), "a value appeared in the output")
    }
    assert.deepEqual(await project.filesContaining(STRIPE_VALUE), [], "no file in the project holds the value in plain")
  })

  test("`secret rotate --apply` while dev runs: the running app reads the old version before and the new one after, without a restart", async () => {
    const project = await createProject({
      "src/api.ts": api(`app.get("/session-current", async (c) => {
  try {
    const current = await sessionKey.current().resolve()
    return c.json({ version: current.version, fingerprint: await digest(await current.text()) })
  } catch (error) {
    return c.json({ error: (error as { code?: string }).code }, 404)
  }
})`),
    })
    projects.push(project)
    const dev = await startDev(project)
    const { port } = dev
    try {
      assert.equal((await project.layer(["deploy", "--yes"])).code, 0)
      const before = await until("v1 served", async () => {
        const answer = (await get(port, "/session-current")).body
        return answer.version === "v1" ? answer : undefined
      }, dev)
      assert.equal(before.fingerprint, fingerprint(await currentValue(project, "v1")), "the app reads the value the store holds")

      // A rotation 31 days from now (the secret rotates every 30): dev picks up the new version.
      const rotated = await project.layer(["secret", "rotate", "--apply", "--yes", "--json"], { env: { LAYERON_TEST_NOW: new Date(Date.now() + 31 * 86_400_000).toISOString() } })
      assert.equal(rotated.code, 0, rotated.stderr)
      const after = await until("v2 served", async () => {
        const answer = (await get(port, "/session-current")).body
        return answer.version === "v2" ? answer : undefined
      }, dev)
      assert.equal(after.fingerprint, fingerprint(await currentValue(project, "v2")), "the app reads the rotated value the store holds")
      assert.notEqual(after.fingerprint, before.fingerprint)
      assert.deepEqual((await get(port, "/session")).body, { versions: ["v2", "v1"] }, "the retained version stays readable")
    } finally {
      dev.child.kill("SIGINT")
    }
    assert.equal((await dev.done).code, 0, dev.stderr())
  })

  test("a port in use: a clear error naming the port and --port, exit 1, nothing started", async () => {
    const project = await createProject({ "src/api.ts": api() })
    projects.push(project)
    const blocker = createServer()
    const port = await listenOnFreePort(blocker)
    try {
      const run = await runProcess(process.execPath, [LAYER_BIN, "dev", "--port", String(port)], { cwd: project.root, env: project.env(), timeoutMs: 90_000 })
      assert.equal(run.code, 1)
      assert.match(run.stderr, new RegExp(`error: port ${port} on 127\\.0\\.0\\.1 is already in use`))
      assert.match(run.stderr, /hint: .*`layer dev --port \d+`/)
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })

  test("a Cloudflare environment is refused with the local one to use instead", async () => {
    const project = await createProject({
      "src/api.ts": api(),
      "layeron.config.ts": `import { project } from "@layeron/core"
export default project({ workspace: "acme", name: "shop", backends: { api: "./src/api.ts" }, environments: { dev: { provider: "local" }, production: { provider: "cloudflare" } } })
`,
    })
    projects.push(project)
    const run = await project.layer(["dev", "--env", "production"])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /layer dev runs against a local store, and environment "production" uses Cloudflare/)
    assert.match(run.stderr, /hint: use --env dev/)
  })

  test("--port that is not a port number is refused before anything starts", async () => {
    const project = await createProject({ "src/api.ts": api() })
    projects.push(project)
    const run = await project.layer(["dev", "--port", "80x"])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /--port must be a port number from 1 to 65535 \(or 0 for any free port\); got "80x"/)
  })
})
