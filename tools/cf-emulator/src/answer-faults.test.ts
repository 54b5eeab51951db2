// Answer faults (issue #25): the request is carried out, then its answer is spoiled: dripped
// one byte at a time, stalled after the headers, cut mid-body, a success without `result`,
// endless pages. Read here with raw node:http so that what goes over the wire is what is seen.
import assert from "node:assert/strict"
import { request } from "node:http"
import { after, afterEach, before, describe, it } from "node:test"
import { startFixture, type Fixture } from "./emulator.test-support.js"

interface Raw {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Byte chunks in arrival order (a drip sends one byte per chunk). */
  chunks: Buffer[]
  /** How the body ended: complete, cut (connection closed early), or still open at `waitMs`. */
  ended: "complete" | "cut" | "open"
}

/** GET `path` and collect the answer for at most `waitMs`. */
function rawGet(f: Fixture, path: string, waitMs: number): Promise<Raw> {
  const url = new URL(`${f.emulator.url}${path}`)
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${f.token}` } }, (res) => {
      const chunks: Buffer[] = []
      const done = (ended: Raw["ended"]) => {
        clearTimeout(timer)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks, ended })
        req.destroy()
      }
      const timer = setTimeout(() => done("open"), waitMs)
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () => done("complete"))
      res.on("aborted", () => done("cut"))
      res.on("error", () => done("cut"))
    })
    req.on("error", reject)
    req.end()
  })
}

describe("answer faults", () => {
  let f: Fixture
  let stores: string
  before(async () => {
    f = await startFixture()
    await f.createStore()
    stores = `/accounts/${f.accountId}/secrets_store/stores`
  })
  afterEach(() => f.emulator.clearFaults())
  after(() => f.emulator.close())

  it("drip sends the headers, then the body one byte at a time", async () => {
    f.emulator.setFault({ kind: "drip", intervalMs: 5, next: 1 })
    const raw = await rawGet(f, stores, 200)
    assert.equal(raw.status, 200)
    assert.equal(raw.ended, "open", "a 300-byte body at 5 ms a byte is not done in 200 ms")
    assert.ok(raw.chunks.length > 5 && raw.chunks.every((chunk) => chunk.byteLength === 1), "one byte per chunk")
    assert.ok(Number(raw.headers["content-length"]) > raw.chunks.length)
    assert.deepEqual(f.emulator.requests.at(-1)?.faults, ["drip:5"])
  })

  it("stall_after_headers sends the headers and no body", async () => {
    f.emulator.setFault({ kind: "stall_after_headers", next: 1 })
    const raw = await rawGet(f, stores, 150)
    assert.equal(raw.status, 200)
    assert.equal(raw.ended, "open")
    assert.deepEqual(raw.chunks, [])
    assert.ok(Number(raw.headers["content-length"]) > 0, "the headers promise a body")
  })

  it("close_mid_body sends half the body, then closes the connection", async () => {
    f.emulator.setFault({ kind: "close_mid_body", next: 1 })
    const raw = await rawGet(f, stores, 2_000)
    assert.equal(raw.ended, "cut")
    const received = Buffer.concat(raw.chunks).byteLength
    assert.equal(received, Math.floor(Number(raw.headers["content-length"]) / 2))
  })

  it("malformed_result answers success with result null, or without result", async () => {
    f.emulator.setFault({ kind: "malformed_result", result: "null", next: 1 })
    const nulled = await f.call("GET", stores)
    assert.equal(nulled.json.success, true)
    assert.equal(nulled.json.result, null)
    f.emulator.setFault({ kind: "malformed_result", result: "absent", next: 1 })
    const absent = await f.call("GET", stores)
    assert.equal(absent.json.success, true)
    assert.equal("result" in absent.json, false)
  })

  it("a spoiled write still lands: the request was carried out", async () => {
    const [store] = (await f.call("GET", stores)).json.result as { id: string }[]
    f.emulator.setFault({ kind: "malformed_result", result: "absent", next: 1 })
    await f.call("POST", `${stores}/${store!.id}/secrets`, { body: [{ name: "LANDED", value: "v", scopes: ["workers"] }] })
    const listed = await f.call("GET", `${stores}/${store!.id}/secrets`)
    assert.deepEqual((listed.json.result as { name: string }[]).map((secret) => secret.name), ["LANDED"])
  })

  it("endless_pages: new items on every page, a total always one page ahead", async () => {
    const [store] = (await f.call("GET", stores)).json.result as { id: string }[]
    f.emulator.setFault({ kind: "endless_pages", pages: "new" })
    const secrets = `${stores}/${store!.id}/secrets?per_page=3`
    const one = await f.call("GET", `${secrets}&page=1`)
    const nine = await f.call("GET", `${secrets}&page=9`)
    assert.equal(one.json.result.length, 3)
    assert.deepEqual(nine.json.result_info, { page: 9, per_page: 3, count: 3, total_count: 30 })
    const ids = [...one.json.result, ...nine.json.result].map((item: { id: string }) => item.id)
    assert.equal(new Set(ids).size, 6, "no id repeats")
  })

  it("endless_pages: repeated sends the same items on every page, with the total asked for", async () => {
    const [store] = (await f.call("GET", stores)).json.result as { id: string }[]
    f.emulator.setFault({ kind: "endless_pages", pages: "repeated", totalCount: 1000 })
    const secrets = `${stores}/${store!.id}/secrets?per_page=3`
    const one = await f.call("GET", `${secrets}&page=1`)
    const two = await f.call("GET", `${secrets}&page=2`)
    assert.deepEqual(two.json.result, one.json.result)
    assert.equal(two.json.result_info?.total_count, 1000)
  })

  it("endless_pages leaves answers that are not lists alone", async () => {
    f.emulator.setFault({ kind: "endless_pages", pages: "new" })
    const quota = await f.call("GET", `/accounts/${f.accountId}/secrets_store/quota`)
    assert.equal(typeof quota.json.result.secrets.quota, "number")
  })

  it("refuses a bad answer fault, naming the field", () => {
    assert.throws(() => f.emulator.setFault({ kind: "drip" } as never), /fault\.intervalMs must be a positive integer/)
    assert.throws(() => f.emulator.setFault({ kind: "malformed_result", result: "empty" } as never), /fault\.result must be "null" or "absent"/)
    assert.throws(() => f.emulator.setFault({ kind: "endless_pages", pages: "some" } as never), /fault\.pages must be "new" or "repeated"/)
  })
})
