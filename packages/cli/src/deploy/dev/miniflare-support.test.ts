import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { isLayerError } from "../../errors.js"
import { checkMiniflare, findMiniflare } from "./miniflare-support.js"

function refusal(run: () => void): { code: string; message: string; hint: string } {
  try {
    run()
  } catch (error) {
    assert.ok(isLayerError(error), `expected a LayerError, got ${String(error)}`)
    return { code: error.code, message: error.message, hint: error.hint ?? "" }
  }
  assert.fail("expected a refusal")
}

describe("layer dev's miniflare check", () => {
  it("finds the miniflare this repository installs, with its engines range", () => {
    const found = findMiniflare()
    assert.ok(found, "miniflare is a devDependency of the repository")
    assert.match(found.version, /^4\.\d{8}\.\d+$/)
  })

  it("names what to install when miniflare is missing, per Node major", () => {
    const on20 = refusal(() => checkMiniflare(undefined, "20.19.0"))
    assert.equal(on20.code, "miniflare_missing")
    assert.match(on20.hint, /npm install --save-dev miniflare@4\.20260426\.0/)
    assert.match(on20.hint, /every other layer command works without it/)
    const on22 = refusal(() => checkMiniflare(undefined, "22.12.0"))
    assert.match(on22.hint, /npm install --save-dev miniflare@4 /)
  })

  it("refuses a miniflare that needs a newer Node, saying which versions work", () => {
    const r = refusal(() => checkMiniflare({ version: "4.20260730.0", nodeRange: ">=22.0.0" }, "20.19.0"))
    assert.equal(r.code, "miniflare_needs_newer_node")
    assert.match(r.message, /miniflare 4\.20260730\.0 needs Node >=22\.0\.0, but this is Node 20\.19\.0/)
    assert.match(r.message, /on Node 20, miniflare@4\.20260426\.0 works/)
  })

  it("refuses a miniflare too old or of another major", () => {
    assert.equal(refusal(() => checkMiniflare({ version: "4.20250101.0", nodeRange: ">=18.0.0" }, "22.1.0")).code, "miniflare_unsupported")
    assert.equal(refusal(() => checkMiniflare({ version: "3.20240101.0", nodeRange: ">=16.13" }, "20.19.0")).code, "miniflare_unsupported")
    assert.equal(refusal(() => checkMiniflare({ version: "5.0.0", nodeRange: ">=22.0.0" }, "24.0.0")).code, "miniflare_unsupported")
  })

  it("accepts the pinned miniflare on Node 20 and a current one on Node 22 and 24", () => {
    checkMiniflare({ version: "4.20260426.0", nodeRange: ">=18.0.0" }, "20.10.0")
    checkMiniflare({ version: "4.20260730.0", nodeRange: ">=22.0.0" }, "22.0.0")
    checkMiniflare({ version: "4.20260730.0", nodeRange: ">=22.0.0" }, "24.21.0")
  })
})
