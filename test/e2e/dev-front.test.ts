/**
 * What stands between a browser and `layer dev`'s Workers:
 * - a request whose Host is not a local name (DNS rebinding) is refused with 403 before any
 *   Worker sees it; `--allow-host` adds a name, and nothing else;
 * - workerd starts without the CLI's Cloudflare credentials or `--value-env` variables;
 * - saves lose no request: a steady stream of requests across several rebuilds gets only
 *   answers (no 5xx, no refused connection), and the new build's answer after each.
 */
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { request } from "node:http"
import { connect } from "node:net"
import { after, describe, test } from "node:test"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { startDev, until, urls, workerdChildrenOf } from "./dev-process.js"

const api = (build: string) => `import { backend } from "@layeron/core"
const app = backend({ name: "api", compatibilityDate: "2026-04-01" })
app.get("/build", (c) => c.json({ build: "${build}", host: new URL(c.req.url).host }))
export default app
`

const projects: TestProject[] = []
after(async () => {
  for (const project of projects) await project.cleanup()
})

/** A GET with the Host header set by hand (fetch does not allow it). */
async function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  const target = new URL(url)
  return await new Promise((resolve, reject) => {
    const sent = request({ host: target.hostname, port: target.port, path: "/build", headers: { host } }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (body += chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }))
    })
    sent.on("error", reject)
    sent.end()
  })
}

async function rawRequest(url: string, text: string): Promise<string> {
  const target = new URL(url)
  return await new Promise((resolve, reject) => {
    let reply = ""
    const socket = connect(Number(target.port), target.hostname, () => socket.write(text))
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => (reply += chunk))
    socket.on("end", () => resolve(reply))
    socket.on("error", reject)
  })
}

describe("layer dev: only local Host names", () => {
  test("Host evil.example gets 403 naming --allow-host; localhost, 127.0.0.1, [::1] and an allowed name are served", async () => {
    const project = await createProject({ "src/api.ts": api("one") })
    projects.push(project)
    const dev = await startDev(project, 0, { args: ["--allow-host", "dev.myapp.test"] })
    try {
      const url = (await urls(dev)).get("api") ?? ""
      const port = new URL(url).port
      for (const host of ["evil.example", `evil.example:${port}`, "127.0.0.1.nip.io", "localhost.evil.example"]) {
        const refused = await getWithHost(url, host)
        assert.equal(refused.status, 403, `Host ${JSON.stringify(host)}`)
        assert.match(refused.body, /not a local name/)
        assert.match(refused.body, /--allow-host/)
        assert.doesNotMatch(refused.body, /"build"/)
      }
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`, "dev.myapp.test", `DEV.MYAPP.TEST:${port}`]) {
        const served = await getWithHost(url, host)
        assert.equal(served.status, 200, `Host ${JSON.stringify(host)}: ${served.body}`)
        // The Worker sees the Host the browser sent, not workerd's own port.
        assert.equal(String(JSON.parse(served.body).host).toLowerCase(), host.toLowerCase())
      }
      // No Host at all (HTTP/1.0): refused too.
      assert.match(await rawRequest(url, "GET /build HTTP/1.0\r\n\r\n"), /^HTTP\/1\.1 403 /)
      // One warning per refused name, naming it escaped.
      assert.equal(dev.stderr().match(/refused a request for Host "evil\.example"/g)?.length, 1)
    } finally {
      dev.child.kill("SIGINT")
      assert.equal(await dev.exited, 0)
    }
  })

  test("--allow-host with a scheme, port or path is refused before anything starts", async () => {
    const project = await createProject({ "src/api.ts": api("one") })
    projects.push(project)
    for (const bad of ["http://evil.example", "evil.example:80", "evil.example/x", "a b"]) {
      const dev = await startDev(project, 0, { args: ["--allow-host", bad] })
      assert.equal(await dev.exited, 1)
      assert.match(dev.stderr(), /--allow-host takes a host name/)
      assert.doesNotMatch(dev.stderr(), /backend "api" on/)
    }
  })
})

describe("layer dev: workerd's environment", () => {
  test("workerd has no Cloudflare credentials and no --value-env variable, while the CLI has them", async () => {
    const project = await createProject({ "src/api.ts": api("one") })
    projects.push(project)
    const canaries = { CLOUDFLARE_API_TOKEN: "cf-token-canary-5d1f0e", STRIPE_SECRET: "sk_live_canary_9a8b7c", LAYERON_SECRET_VALUE: "value-canary-77aa" }
    const dev = await startDev(project, 0, { env: canaries })
    try {
      await urls(dev)
      const pid = dev.child.pid ?? 0
      const workerd = await until("workerd's pid", async () => workerdChildrenOf(pid)[0], dev)
      const environ = (which: number) => readFileSync(`/proc/${which}/environ`, "utf8")
      // The probe sees the CLI's environment: an empty read would prove nothing.
      for (const value of Object.values(canaries)) assert.ok(environ(pid).includes(value), "the CLI's own environment holds the canary")
      const inWorkerd = environ(workerd)
      assert.match(inWorkerd, /(^|\0)PATH=/)
      for (const [name, value] of Object.entries(canaries)) {
        assert.ok(!inWorkerd.includes(value), `workerd's environment holds ${name}`)
        assert.ok(!inWorkerd.includes(`${name}=`), `workerd's environment names ${name}`)
      }
    } finally {
      dev.child.kill("SIGINT")
      assert.equal(await dev.exited, 0)
    }
  })
})

describe("layer dev: saves lose no request", () => {
  test("requests sent without pause across three rebuilds all get 200, and each build answers after its save", async () => {
    const project = await createProject({ "src/api.ts": api("build-0") })
    projects.push(project)
    const dev = await startDev(project, 0)
    const failures: string[] = []
    let answered = 0
    let stop = false
    try {
      const url = (await urls(dev)).get("api") ?? ""
      const seen = new Set<string>()
      // Four clients, each sending its next request as soon as the last one is answered.
      const client = async () => {
        while (!stop) {
          try {
            const response = await fetch(`${url}/build`)
            const text = await response.text()
            if (response.status !== 200) failures.push(`${response.status} ${text.slice(0, 200)}`)
            else {
              seen.add(JSON.parse(text).build)
              answered += 1
            }
          } catch (error) {
            failures.push(String((error as { cause?: unknown }).cause ?? error))
          }
        }
      }
      const clients = [client(), client(), client(), client()]
      for (const build of ["build-1", "build-2", "build-3"]) {
        await project.write("src/api.ts", api(build))
        await until(`${build} answering`, async () => (seen.has(build) ? true : undefined), dev)
      }
      stop = true
      await Promise.all(clients)
      assert.equal((dev.stderr().match(/^rebuilt api \(/gm) ?? []).length, 3, dev.stderr())
      assert.deepEqual(failures, [], `${failures.length} of ${failures.length + answered} requests failed`)
      assert.ok(answered > 20, `only ${answered} requests were answered`)
    } finally {
      stop = true
      dev.child.kill("SIGINT")
      assert.equal(await dev.exited, 0)
    }
  })
})
