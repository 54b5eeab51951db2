import assert from "node:assert/strict"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { describe, it } from "node:test"
import { clampCompatibilityDate } from "./compat-date.js"
import { ensurePortFree, parsePort } from "./port.js"

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
      await assert.rejects(ensurePortFree(port), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "port_in_use")
        assert.equal(error.message, `port ${port} on 127.0.0.1 is already in use`)
        assert.match(error.hint ?? "", /layer dev --port \d+/)
        return true
      })
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    await ensurePortFree(port)
  })
})
