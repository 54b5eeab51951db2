import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { withFileLock } from "./lock.js"

describe("withFileLock", () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "layeron-lock-"))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("runs holders one at a time and removes the lock afterwards", async () => {
    const lock = join(dir, "serial.lock")
    let inside = 0
    let maxInside = 0
    const order: number[] = []
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withFileLock(lock, async () => {
          inside++
          maxInside = Math.max(maxInside, inside)
          await new Promise((resolve) => setTimeout(resolve, 5))
          order.push(i)
          inside--
        }, { describe: "the test store" }),
      ),
    )
    assert.equal(maxInside, 1)
    assert.equal(order.length, 8)
    await assert.rejects(stat(lock), { code: "ENOENT" })
  })

  it("lets its holder take it again (a batch whose writes lock as usual), while others still wait", async () => {
    const lock = join(dir, "reentrant.lock")
    const events: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const holder = withFileLock(lock, async () => {
      events.push("outer")
      await withFileLock(lock, async () => {
        events.push("inner")
        await gate
      }, { describe: "x", timeoutMs: 1_000 })
      events.push("outer done")
    }, { describe: "x" })
    await new Promise((resolve) => setTimeout(resolve, 20))
    const other = withFileLock(lock, async () => void events.push("other"), { describe: "x", timeoutMs: 5_000 })
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(events, ["outer", "inner"], "the other caller waits while the holder runs nested")
    release()
    await Promise.all([holder, other])
    assert.deepEqual(events, ["outer", "inner", "outer done", "other"])
    await assert.rejects(stat(lock), { code: "ENOENT" })
  })

  it("releases the lock when the holder throws", async () => {
    const lock = join(dir, "throws.lock")
    await assert.rejects(withFileLock(lock, async () => { throw new Error("boom") }, { describe: "x" }), /boom/)
    await assert.rejects(stat(lock), { code: "ENOENT" })
  })

  it("takes over a lock whose process is gone", async () => {
    const lock = join(dir, "stale.lock")
    const deadPid = await exitedPid()
    await writeFile(lock, JSON.stringify({ pid: deadPid, host: hostname(), token: "old", createdAt: new Date().toISOString() }))
    const result = await withFileLock(lock, async () => "ran", { describe: "x", timeoutMs: 2_000 })
    assert.equal(result, "ran")
  })

  it("waits for a live holder, then refuses with an error that names the lock file", async () => {
    const lock = join(dir, "held.lock")
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: "someone", createdAt: new Date().toISOString() }))
    await assert.rejects(withFileLock(lock, async () => "never", { describe: 'the local store of "dev"', timeoutMs: 100 }), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "lock_timeout")
      assert.match(error.message, /the local store of "dev"/)
      assert.match(error.hint ?? "", /held\.lock/)
      return true
    })
    // The other holder's lock is untouched.
    assert.match(await readFile(lock, "utf8"), /someone/)
  })
})

/** The pid of a process that has already exited. */
function exitedPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", "0"])
    child.on("exit", () => resolve(child.pid ?? 999_999))
  })
}
