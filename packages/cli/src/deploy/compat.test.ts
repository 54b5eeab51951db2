import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { withRpc } from "./compat.js"

describe("RPC compatibility of app Workers", () => {
  it("adds the rpc flag before 2024-04-03, and only then", () => {
    assert.deepEqual(withRpc("api", "2024-01-01", []), { flags: ["rpc"], added: true })
    assert.deepEqual(withRpc("api", "2024-04-02", ["nodejs_compat"]), { flags: ["nodejs_compat", "rpc"], added: true })
    assert.deepEqual(withRpc("api", "2024-04-03", []), { flags: [], added: false })
    assert.deepEqual(withRpc("api", "2024-01-01", ["rpc"]), { flags: ["rpc"], added: false })
  })

  it("refuses no_rpc, naming the backend and the fix", () => {
    assert.throws(() => withRpc("api", "2026-01-01", ["no_rpc"]), (error: unknown) => isLayerError(error) && error.code === "rpc_disabled" && /backend "api"/.test(error.message) && /remove "no_rpc"/.test(error.hint ?? ""))
  })
})
