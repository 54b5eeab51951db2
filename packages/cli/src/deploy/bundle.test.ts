import assert from "node:assert/strict"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { bundleBackend, bundleProductWorker } from "./bundle.js"

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), "layeron-bundle-"))
})
after(() => rm(root, { recursive: true, force: true }))

const backend = (file: string, compatibilityFlags: string[] = []) => ({ id: "api", file: join(root, file), workerName: "shop-api-dev", compatibilityDate: "2026-05-24", compatibilityFlags })

describe("bundling for workerd", () => {
  it("bundles a backend into one ES module, leaving cloudflare:* to the runtime", async () => {
    await writeFile(join(root, "ok.ts"), 'import { env } from "cloudflare:workers"\nconst n: number = 1\nexport default { fetch() { return new Response(String(n) + typeof env) } }\n')
    const code = await bundleBackend(backend("ok.ts"), root)
    assert.match(code, /from "cloudflare:workers"/)
    assert.match(code, /export \{[\s\S]*default/)
    assert.doesNotMatch(code, new RegExp(root.replaceAll("/", "\\/")), "no absolute path of the machine in the bundle")
  })

  it("names the backend, the file, the place and esbuild's message when it cannot bundle, and says how to get Node built-ins", async () => {
    await writeFile(join(root, "node.ts"), 'import { readFileSync } from "node:fs"\nexport default { fetch() { return new Response(typeof readFileSync) } }\n')
    await assert.rejects(bundleBackend(backend("node.ts"), root), (error: unknown) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "bundle_failed")
      assert.match(error.message, /^cannot bundle backend "api" \(node\.ts\) for workerd: node\.ts:1:29: Could not resolve "node:fs"/)
      assert.match(error.hint ?? "", /compatibilityFlags: \["nodejs_compat"\]/)
      return true
    })
    const withCompat = await bundleBackend(backend("node.ts", ["nodejs_compat"]), root)
    assert.match(withCompat, /from "node:fs"/)
  })

  it("reports a syntax error with its position", async () => {
    await writeFile(join(root, "syntax.ts"), "export default {\n  fetch( {\n")
    await assert.rejects(bundleBackend(backend("syntax.ts"), root), /syntax\.ts:\d+:\d+: /)
  })

  it("bundles the Secret Product Worker from @layeron/modules/worker", async () => {
    const code = await bundleProductWorker(root)
    assert.match(code, /SecretProduct = class extends WorkerEntrypoint/)
    assert.match(code, /export \{[^}]*SecretProduct/)
    assert.match(code, /from "cloudflare:workers"/)
  })
})
