import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { copyFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { fileURLToPath, pathToFileURL } from "node:url"
import { isLayerError } from "../../errors.js"
import { SecretText } from "../provider.js"
import { providerCases } from "../provider.case.test.js"
import { createLocalProvider, LOCAL_PAGE_SIZE, UNREADABLE_RECORD_ANCHOR, unreadableRecordFile } from "./index.js"

const OWNER = { workspace: "acme", project: "shop" }

describe("local provider", () => {
  let base: string
  let projectRoot: string
  let home: string
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "layeron-local-"))
    projectRoot = join(base, "project")
    home = join(base, "home", "layeron")
  })
  after(async () => {
    await rm(base, { recursive: true, force: true })
  })

  const provider = (environment = "dev", now?: () => Date) => createLocalProvider({ projectRoot, environment, home, owner: OWNER, ...(now ? { now } : {}) })

  it("creates, then updates in place: same id and created, later modified", async () => {
    const store = provider()
    const created = await store.upsert("API_KEY", new SecretText("first"))
    assert.equal(created.action, "created")
    assert.match(created.id, /^[0-9a-f]{32}$/)
    const updated = await store.upsert("API_KEY", new SecretText("second"))
    assert.equal(updated.action, "updated")
    assert.equal(updated.id, created.id)
    assert.equal(updated.created, created.created)
    assert.ok(updated.modified > created.modified)
    assert.deepEqual(await store.find("API_KEY"), { name: "API_KEY", id: created.id, created: created.created, modified: updated.modified })
    assert.equal((await store.decryptAll()).get("API_KEY")?.reveal(), "second")
  })

  it("writes the documented file format with no plaintext, 0600 files in a 0700 store", async () => {
    const store = provider("fmt")
    await store.upsert("TOKEN", new SecretText("plain-canary-1234"))
    const file = join(projectRoot, ".layeron", "local", "fmt", "TOKEN.json")
    const text = await readFile(file, "utf8")
    assert.ok(!text.includes("plain-canary-1234"))
    const record = JSON.parse(text) as Record<string, string>
    assert.deepEqual(Object.keys(record), ["format", "name", "id", "created", "modified", "ciphertext"])
    assert.equal(record.format, "layeron.local/v2")
    assert.equal(record.name, "TOKEN")
    assert.match(record.modified ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    // iv (12) + ciphertext of {"value":"plain-canary-1234"} (29) + tag (16)
    assert.equal(Buffer.from(record.ciphertext ?? "", "base64").byteLength, 12 + 29 + 16)
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    assert.equal((await stat(join(projectRoot, ".layeron", "local", "fmt"))).mode & 0o777, 0o700)
    assert.equal((await stat(join(home, "local-store.key"))).mode & 0o777, 0o600)
    assert.equal((await stat(home)).mode & 0o777, 0o700)
  })

  it("moves modified forward on every write, even when the clock stands still or steps back", async () => {
    let clock = Date.parse("2026-05-01T00:00:00.000Z")
    const store = provider("clock", () => new Date(clock))
    const seen: string[] = []
    for (let i = 0; i < 5; i++) {
      seen.push((await store.upsert("TICK", new SecretText(`v${i}`))).modified)
      clock -= 1000
    }
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i] ?? "") > (seen[i - 1] ?? ""), `${seen[i]} after ${seen[i - 1]}`)
    assert.equal(seen[1], "2026-05-01T00:00:00.001Z")
  })

  it("keeps environments apart", async () => {
    await provider("one").upsert("SHARED", new SecretText("in one"))
    assert.equal(await provider("two").find("SHARED"), undefined)
    assert.deepEqual((await provider("two").listAll()).map((s) => s.name), [])
  })

  it("lists page by page, sorted by name", async () => {
    const store = provider("pages")
    const names = Array.from({ length: LOCAL_PAGE_SIZE + 5 }, (_, i) => `S${String(i).padStart(3, "0")}`)
    for (const name of names) await store.upsert(name, new SecretText("x"))
    const first = await store.listPage(1)
    assert.equal(first.secrets.length, LOCAL_PAGE_SIZE)
    assert.equal(first.nextPage, 2)
    const second = await store.listPage(2)
    assert.equal(second.secrets.length, 5)
    assert.equal(second.nextPage, undefined)
    assert.deepEqual((await store.listAll()).map((s) => s.name), names)
  })

  it("deletes by name and says whether anything was there", async () => {
    const store = provider("del")
    await store.upsert("GONE", new SecretText("x"))
    assert.equal(await store.delete("GONE"), true)
    assert.equal(await store.delete("GONE"), false)
    assert.equal(await store.find("GONE"), undefined)
  })

  it("refuses names outside Cloudflare's alphabet before touching the filesystem", async () => {
    const store = provider("names")
    for (const name of ["../escape", "a/b", "", "has space"]) {
      await assert.rejects(store.upsert(name, new SecretText("x")), (error) => isLayerError(error) && error.code === "invalid_secret_name")
    }
    await assert.rejects(stat(join(projectRoot, ".layeron", "local", "names")), { code: "ENOENT" })
  })

  it("binds each ciphertext to its name: a record copied under another name does not decrypt", async () => {
    const store = provider("aad")
    await store.upsert("ORIGINAL", new SecretText("bound"))
    const dir = join(projectRoot, ".layeron", "local", "aad")
    const record = JSON.parse(await readFile(join(dir, "ORIGINAL.json"), "utf8")) as Record<string, string>
    await writeFile(join(dir, "COPY.json"), JSON.stringify({ ...record, name: "COPY" }))
    await assert.rejects(store.decryptAll(), (error) => isLayerError(error) && error.code === "local_record_unreadable" && /COPY\.json/.test(error.message))
  })

  it("reports a corrupt record by file, with a way out", async () => {
    const store = provider("corrupt")
    await store.upsert("OK", new SecretText("x"))
    const dir = join(projectRoot, ".layeron", "local", "corrupt")
    await copyFile(join(dir, "OK.json"), join(dir, "BAD.json"))
    await assert.rejects(store.find("BAD"), (error) => isLayerError(error) && error.code === "local_store_corrupt" && /BAD\.json/.test(error.message) && /move it aside, keeping it \(`mv \S+BAD\.json \S+BAD\.json\.corrupt`/.test(error.hint ?? "") && !/delete/.test(error.hint ?? ""))
  })

  it("survives two processes writing the same secrets at once: one creation, one id, every write its own modified", async () => {
    const script = join(base, "writer.mts")
    const moduleUrl = pathToFileURL(fileURLToPath(new URL("./index.ts", import.meta.url))).href
    const textUrl = pathToFileURL(fileURLToPath(new URL("../provider.ts", import.meta.url))).href
    await writeFile(
      script,
      `import { createLocalProvider } from ${JSON.stringify(moduleUrl)}
import { SecretText } from ${JSON.stringify(textUrl)}
const [projectRoot, home, tag] = process.argv.slice(2)
const store = createLocalProvider({ projectRoot, environment: "race", home, owner: { workspace: "acme", project: "shop" } })
const results = []
for (let i = 0; i < 15; i++) {
  for (const name of ["SHARED_A", "SHARED_B", "OWN_" + tag]) {
    const r = await store.upsert(name, new SecretText(tag + "-" + i))
    results.push({ name, action: r.action, id: r.id, modified: r.modified })
  }
}
process.stdout.write(JSON.stringify(results))
`,
    )
    const runs = await Promise.all(["p1", "p2"].map((tag) => runScript(script, [projectRoot, home, tag])))
    const writes = runs.flat()
    for (const name of ["SHARED_A", "SHARED_B"]) {
      const mine = writes.filter((w) => w.name === name)
      assert.equal(mine.length, 30)
      assert.equal(mine.filter((w) => w.action === "created").length, 1, `${name} was created more than once`)
      assert.equal(new Set(mine.map((w) => w.id)).size, 1, `${name} got two ids`)
      assert.equal(new Set(mine.map((w) => w.modified)).size, 30, `${name}: two writes share a modified`)
    }
    const values = await provider("race").decryptAll()
    assert.deepEqual([...values.keys()].sort(), ["OWN_p1", "OWN_p2", "SHARED_A", "SHARED_B"])
    assert.equal(values.get("OWN_p1")?.reveal(), "p1-14")
    assert.match(values.get("SHARED_A")?.reveal() ?? "", /^p[12]-\d+$/)
    const leftovers = (await readdir(join(projectRoot, ".layeron", "local", "race"))).filter((f) => !f.endsWith(".json"))
    assert.deepEqual(leftovers, [], "no temp or lock file is left behind")
  })
})

interface Write {
  name: string
  action: string
  id: string
  modified: string
}

function runScript(script: string, args: string[]): Promise<Write[]> {
  return new Promise((resolve, reject) => {
    const repoRoot = fileURLToPath(new URL("../../../../../", import.meta.url))
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", script, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as Write[]) : reject(new Error(`writer exited ${code}: ${err}`))))
  })
}

providerCases("local", async () => {
  const base = await mkdtemp(join(tmpdir(), "layeron-local-cases-"))
  return {
    provider: createLocalProvider({ projectRoot: join(base, "project"), environment: "dev", home: join(base, "home"), owner: OWNER }),
    pageSize: LOCAL_PAGE_SIZE,
    cleanup: () => rm(base, { recursive: true, force: true }),
  }
})

describe("local provider: records bound to where they belong", () => {
  let base: string
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "layeron-local-bind-"))
  })
  after(async () => {
    await rm(base, { recursive: true, force: true })
  })
  const at = (environment: string, owner = OWNER) => createLocalProvider({ projectRoot: join(base, "project"), environment, home: join(base, "home"), owner })
  const file = (environment: string, name: string) => join(base, "project", ".layeron", "local", environment, `${name}.json`)
  const undecryptable = (error: unknown) => isLayerError(error) && error.code === "local_record_unreadable"

  it("keeps the comment inside the ciphertext and returns it with the metadata", async () => {
    const written = await at("one").upsert("NOTED", new SecretText("v"), { comment: "layeron:v1:s:1:abc" })
    assert.equal(written.comment, "layeron:v1:s:1:abc")
    assert.equal((await at("one").find("NOTED"))?.comment, "layeron:v1:s:1:abc")
    assert.ok(!(await readFile(file("one", "NOTED"), "utf8")).includes("layeron:v1"), "the anchor is not in clear")
    const annotated = await at("one").annotate("NOTED", "layeron:v1:s:1:def")
    assert.ok(annotated.modified > written.modified)
    assert.equal((await at("one").decryptAll()).get("NOTED")?.reveal(), "v", "annotate keeps the value")
  })

  it("refuses a record copied into another environment or project", async () => {
    await at("prod").upsert("STRIPE_SECRET", new SecretText("live"))
    await at("preview").upsert("OTHER", new SecretText("x"))
    await copyFile(file("prod", "STRIPE_SECRET"), file("preview", "STRIPE_SECRET"))
    await assert.rejects(at("preview").decryptAll(), undecryptable)
    await assert.rejects(at("prod", { workspace: "acme", project: "other" }).decryptAll(), undecryptable)
    // Still listed (so it can be overwritten), under an anchor that no state matches.
    assert.equal(unreadableRecordFile((await at("preview").find("STRIPE_SECRET"))?.comment), file("preview", "STRIPE_SECRET"))
  })

  it("refuses a record whose modified or id was edited (to hide a write from rotation)", async () => {
    await at("roll").upsert("ROLLED", new SecretText("first"))
    const record = JSON.parse(await readFile(file("roll", "ROLLED"), "utf8")) as Record<string, string>
    await writeFile(file("roll", "ROLLED"), JSON.stringify({ ...record, modified: "2020-01-01T00:00:00.000Z" }))
    await assert.rejects(at("roll").decryptAll(), undecryptable)
    assert.equal(unreadableRecordFile((await at("roll").find("ROLLED"))?.comment), file("roll", "ROLLED"))
    await writeFile(file("roll", "ROLLED"), JSON.stringify({ ...record, id: "0".repeat(32) }))
    assert.deepEqual((await at("roll").listAll()).map((m) => m.comment), [`${UNREADABLE_RECORD_ANCHOR}:${file("roll", "ROLLED")}`])
  })

  it("never replaces a record that does not decrypt unless asked; asked, it keeps the old file beside the store", async () => {
    await at("keep").upsert("BROKEN", new SecretText("first"))
    const record = JSON.parse(await readFile(file("keep", "BROKEN"), "utf8")) as Record<string, string>
    const changed = { ...record, ciphertext: `${record.ciphertext!.slice(0, 20)}${record.ciphertext![20] === "A" ? "B" : "A"}${record.ciphertext!.slice(21)}` }
    await writeFile(file("keep", "BROKEN"), JSON.stringify(changed))
    const bytes = await readFile(file("keep", "BROKEN"), "utf8")
    await assert.rejects(at("keep").upsert("BROKEN", new SecretText("second")), (error) => undecryptable(error) && (error as Error).message.includes(file("keep", "BROKEN")))
    await assert.rejects(at("keep").annotate("BROKEN", "note"), undecryptable)
    assert.equal(await readFile(file("keep", "BROKEN"), "utf8"), bytes, "the refused write left the record as it was")
    const replaced = await at("keep").upsert("BROKEN", new SecretText("second"), { replaceUnreadable: true })
    assert.equal(replaced.action, "created")
    assert.equal((await at("keep").decryptAll()).get("BROKEN")?.reveal(), "second")
    const aside = (await readdir(join(base, "project", ".layeron", "local", "keep"))).filter((name) => name.startsWith(".BROKEN.json.unreadable-"))
    assert.equal(aside.length, 1)
    assert.equal(await readFile(join(base, "project", ".layeron", "local", "keep", aside[0]!), "utf8"), bytes, "the unreadable bytes are kept")
  })

  it("still reads a record written before v2 (the name as associated data, no comment)", async () => {
    const { encryptValue } = await import("./cipher.js")
    const { loadOrCreateKeyFile } = await import("../../fs/key-file.js")
    const key = await loadOrCreateKeyFile(join(base, "home", "local-store.key"), 32, "the local store key")
    await at("legacy").upsert("SEED", new SecretText("x"))
    const legacy = { format: "layeron.local/v1", name: "OLD", id: "1".repeat(32), created: "2026-01-01T00:00:00.000Z", modified: "2026-01-01T00:00:00.000Z", ciphertext: encryptValue(key, "OLD", "old value") }
    await writeFile(file("legacy", "OLD"), JSON.stringify(legacy))
    assert.equal((await at("legacy").find("OLD"))?.comment, undefined)
    assert.equal((await at("legacy").decryptAll()).get("OLD")?.reveal(), "old value")
  })
})
