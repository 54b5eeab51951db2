import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, it } from "node:test"
import { build } from "esbuild"
import { Request } from "miniflare"
import type { Response } from "miniflare"
import { SecretText } from "../../providers/provider.js"
import { clampCompatibilityDate } from "./compat-date.js"
import { listenExclusive, parsePort, portOwner } from "./port.js"
import { DEV_SECRETS_WORKER, DevSecrets } from "./secrets.js"
import { StackMapper } from "./sourcemap.js"
import { isIgnoredSourcePath } from "./watch.js"
import { sweepDeadSessions } from "./watchdog.js"

describe("layer dev: compatibility dates", () => {
  it("lowers a date newer than workerd supports, and says which was declared", () => {
    assert.deepEqual(clampCompatibilityDate("2026-05-24", "2026-04-26"), { date: "2026-04-26", declared: "2026-05-24" })
    assert.deepEqual(clampCompatibilityDate("2026-01-01", "2026-04-26"), { date: "2026-01-01" })
  })
})

describe("layer dev: the port", () => {
  it("--port takes 0 (any free port) to 65535 and defaults to 8787", () => {
    assert.equal(parsePort(undefined), 8787)
    assert.equal(parsePort("9000"), 9000)
    assert.equal(parsePort("0"), 0)
    for (const bad of ["65536", "80a", "-1", ""]) assert.throws(() => parsePort(bad), /--port must be a port number from 1 to 65535/)
  })

  it("a taken port is an error naming it and --port", async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const { port } = server.address() as AddressInfo
    try {
      await assert.rejects(listenExclusive(createServer(), port), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "port_in_use")
        assert.match(error.message, new RegExp(`^port ${port} on 127\\.0\\.0\\.1 is already in use`))
        assert.match(error.hint ?? "", /layer dev --port \d+/)
        return true
      })
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    const again = createServer()
    assert.equal(await listenExclusive(again, port), port)
    await new Promise<void>((resolve) => again.close(() => resolve()))
  })
})

describe("layer dev: the in-memory Secrets Store", () => {
  const ask = async (secrets: DevSecrets, name: string, token?: string) => {
    const worker = secrets.worker()
    const service = worker.serviceBindings?.VALUES as (request: Request) => Response
    const bindings = worker.bindings as { token: string }
    const headers: Record<string, string> = { "x-layeron-dev-secret": name }
    if (token !== null) headers["x-layeron-dev-token"] = token ?? bindings.token
    const response = service(new Request("http://layeron-dev/", { headers }))
    return { status: response.status, text: await response.text() }
  }

  it("serves the bound values, says which ones a sync changed, and forgets what is no longer bound or stored", async () => {
    const secrets = new DevSecrets()
    assert.deepEqual(secrets.sync(new Map([["A", new SecretText("one")], ["B", new SecretText("two")]]), ["A", "B"]), ["A", "B"])
    assert.deepEqual(await ask(secrets, "A"), { status: 200, text: "one" })
    assert.deepEqual(secrets.sync(new Map([["A", new SecretText("one")], ["B", new SecretText("three")]]), ["A", "B"]), ["B"])
    assert.deepEqual(secrets.sync(new Map([["B", new SecretText("three")]]), ["A", "B"]), ["A"])
    assert.equal((await ask(secrets, "A")).status, 404)
    secrets.sync(new Map([["B", new SecretText("three")]]), [])
    assert.equal((await ask(secrets, "B")).status, 404, "a secret no longer bound is not served")
  })

  it("refuses a request without this session's token (the loopback port is open to every local process)", async () => {
    const secrets = new DevSecrets()
    secrets.sync(new Map([["A", new SecretText("one")]]), ["A"])
    assert.deepEqual(await ask(secrets, "A", "0".repeat(64)), { status: 403, text: "forbidden" })
    assert.deepEqual(await ask(secrets, "A", ""), { status: 403, text: "forbidden" })
    assert.equal((await ask(secrets, "A")).status, 200)
  })

  it("binds each Secrets Store binding as a wrapped binding naming its secret", () => {
    assert.deepEqual(new DevSecrets().bindings({ S_X: { secret_name: "X" } }), { S_X: { scriptName: DEV_SECRETS_WORKER, bindings: { secret_name: "X" } } })
  })
})

describe("layer dev: stack traces", () => {
  it("maps script-<index>:line:column through the bundle's inline source map", async () => {
    const source = "export default {\n  fetch() {\n    throw new Error('boom')\n  },\n}\n"
    const result = await build({ stdin: { contents: source, sourcefile: "src/api.ts", loader: "ts" }, bundle: true, format: "esm", write: false, sourcemap: "inline", sourcesContent: false })
    const code = result.outputFiles[0]?.text ?? ""
    const line = code.split("\n").findIndex((text) => text.includes("throw new Error")) + 1
    const column = (code.split("\n")[line - 1] ?? "").indexOf("throw") + 1
    const mapper = new StackMapper()
    mapper.update(["", code])
    assert.equal(mapper.map(`    at Object.fetch (script-1:${line}:${column})`), "    at Object.fetch (src/api.ts:3:5)")
    assert.equal(mapper.map(`    at x (script-0:${line}:${column})`), `    at x (script-0:${line}:${column})`, "a bundle without a map is left as it is")
    assert.equal(mapper.map("a plain line"), "a plain line")
  })
})

describe("layer dev: leftovers", () => {
  it("names the process that holds a port", async (t) => {
    if (process.platform !== "linux") return t.skip("the owner is read from /proc (Linux only)")
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const { port } = server.address() as AddressInfo
    try {
      assert.equal(portOwner(port), `node (pid ${process.pid})`)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    assert.equal(portOwner(port), undefined)
  })

  it("removes the records and temp directories of dead sessions, and keeps a live one's", async () => {
    const base = await mkdtemp(join(tmpdir(), "dev-sweep-"))
    const saved = process.env.TMPDIR
    process.env.TMPDIR = base
    try {
      const dead = spawnSync(process.execPath, ["-e", "0"]).pid
      await mkdir(join(base, "home", "dev"), { recursive: true })
      await writeFile(join(base, "home", "dev", `${dead}.json`), JSON.stringify({ pid: dead, workerd: [] }))
      await writeFile(join(base, "home", "dev", `${process.pid}.json`), JSON.stringify({ pid: process.pid, workerd: [] }))
      for (const dir of ["layeron-dev-Ab12Cd", `layeron-dev-${dead}-x`, `layeron-dev-${process.pid}-y`]) await mkdir(join(base, dir))
      const swept = await sweepDeadSessions(join(base, "home"))
      assert.deepEqual(swept, [`${join(base, "layeron-dev-Ab12Cd")} (a copy of the secrets in plain text left by an earlier version of layer dev)`])
      assert.deepEqual(await readdir(join(base, "home", "dev")), [`${process.pid}.json`])
      assert.deepEqual((await readdir(base)).filter((entry) => entry.startsWith("layeron-dev-")), [`layeron-dev-${process.pid}-y`])
    } finally {
      if (saved === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = saved
      await rm(base, { recursive: true, force: true })
    }
  })
})

describe("layer dev: what a save is", () => {
  it("leaves out dependencies, state, build output and editors' temp files, and nothing else", () => {
    for (const path of ["node_modules/x/index.js", ".layeron/local/dev/A.json", "dist/index.js", ".git/HEAD", "src/.api.ts.swp", "src/.api.ts.swx", "src/4913", "src/api.ts~", "src/.#api.ts", "src/#api.ts#", "src/api.ts___jb_tmp___", "src/api.ts___jb_old___"]) {
      assert.equal(isIgnoredSourcePath(path), true, path)
    }
    for (const path of ["src/api.ts", "layeron.config.ts", "src/lib/words/greeting.ts", "src/swp.ts", "src/data.json", "src/distance.ts"]) assert.equal(isIgnoredSourcePath(path), false, path)
  })
})
