/**
 * The exact multipart body a Workers upload sends (reference §9): captured from the wire by
 * a local HTTP server standing in for Cloudflare, then split by its boundary.
 */
import assert from "node:assert/strict"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { after, before, describe, it } from "node:test"
import { CloudflareApi } from "../providers/cloudflare/api.js"
import { uploadScript } from "./upload.js"
import type { WorkerScript } from "./workers.js"

interface Captured {
  method: string
  url: string
  contentType: string
  body: Buffer
}

const TOKEN = "t".repeat(40)
const ACCOUNT = "0123456789abcdef0123456789abcdef"
let captured: Captured[] = []
let answer: { status: number; body: unknown } = { status: 200, body: { success: true, errors: [], messages: [], result: { id: "x" } } }
const server = createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    captured.push({ method: request.method ?? "", url: request.url ?? "", contentType: request.headers["content-type"] ?? "", body: Buffer.concat(chunks) })
    response.writeHead(answer.status, { "content-type": "application/json" })
    response.end(JSON.stringify(answer.body))
  })
})
let api: CloudflareApi

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  api = new CloudflareApi({ apiToken: TOKEN, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`, env: {}, backoffBaseMs: 1, maxRetryWaitMs: 50 })
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))

const script: WorkerScript = {
  role: "app",
  name: "shop-api-production",
  backend: "api",
  code: 'export default { fetch() { return new Response("ok") } }\n',
  metadata: {
    main_module: "index.js",
    compatibility_date: "2026-05-24",
    compatibility_flags: [],
    bindings: [{ type: "service", name: "LAYERON_SECRET", service: "shop-secret-production", entrypoint: "SecretProduct", props: { backend: "api" } }],
  },
  wrangler: {},
  digest: "d",
}
const context = { context: { environment: "production", secretIds: new Map<string, string>() } }

/** Parts of a multipart body: their header lines and content. */
function parts(capture: Captured): Array<{ headers: string[]; content: string }> {
  const boundary = /boundary=(.+)$/.exec(capture.contentType)?.[1]
  assert.ok(boundary, `no boundary in ${capture.contentType}`)
  const text = capture.body.toString("utf8")
  const sections = text.split(`--${boundary}`)
  assert.equal(sections.at(-1)?.trim(), "--", "the body ends with the closing boundary")
  return sections.slice(1, -1).map((section) => {
    const [head = "", ...rest] = section.replace(/^\r\n/, "").split("\r\n\r\n")
    return { headers: head.split("\r\n"), content: rest.join("\r\n\r\n").replace(/\r\n$/, "") }
  })
}

describe("Workers script upload", () => {
  it("PUTs a multipart body: a `metadata` part with the JSON, and the module part named by main_module, typed application/javascript+module", async () => {
    captured = []
    await uploadScript(api, ACCOUNT, script, context)
    assert.equal(captured.length, 1)
    const [request] = captured
    assert.equal(request!.method, "PUT")
    assert.equal(request!.url, `/client/v4/accounts/${ACCOUNT}/workers/scripts/shop-api-production`)
    assert.match(request!.contentType, /^multipart\/form-data; boundary=/)
    const [metadata, module, ...extra] = parts(request!)
    assert.deepEqual(extra, [], "exactly two parts")
    assert.deepEqual(metadata!.headers, ['Content-Disposition: form-data; name="metadata"'])
    assert.deepEqual(JSON.parse(metadata!.content), script.metadata)
    assert.deepEqual(module!.headers, ['Content-Disposition: form-data; name="index.js"; filename="index.js"', "Content-Type: application/javascript+module"])
    assert.equal(module!.content, script.code)
  })

  it("a 10021 refusal names the Worker and how to check it locally", async () => {
    answer = { status: 400, body: { success: false, errors: [{ code: 10021, message: "Uncaught SyntaxError: Unexpected token" }], messages: [], result: null } }
    try {
      await assert.rejects(uploadScript(api, ACCOUNT, script, context), (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "upload_rejected")
        assert.match(error.message, /Cloudflare rejected the upload of Worker shop-api-production \(Uncaught SyntaxError: Unexpected token \[code: 10021\]\)/)
        assert.match(error.hint ?? "", /wrangler deploy --dry-run --config \.layeron\/deploy\/production\/shop-api-production\/wrangler\.jsonc/)
        return true
      })
    } finally {
      answer = { status: 200, body: { success: true, errors: [], messages: [], result: { id: "x" } } }
    }
  })

  for (const wording of [
    "Secrets store binding authorization failed. Check your permissions and secret scopes.",
    "failed to fetch secrets store binding due to authorization error - check deploy permissions and secret scopes",
  ]) {
    it(`the 10021 wording "${wording.slice(0, 40)}…" is a binding authorization failure, with the permissions to add`, async () => {
      answer = { status: 400, body: { success: false, errors: [{ code: 10021, message: wording }], messages: [], result: null } }
      try {
        await assert.rejects(uploadScript(api, ACCOUNT, script, context), (error: Error & { code?: string; hint?: string }) => {
          assert.equal(error.code, "upload_binding_unauthorized")
          assert.match(error.hint ?? "", /Account Secrets Store Edit.*Workers Scripts Edit/)
          return true
        })
      } finally {
        answer = { status: 200, body: { success: true, errors: [], messages: [], result: { id: "x" } } }
      }
    })
  }

  it("a 10182 for a secret created moments ago is retried after the given waits, then succeeds", async () => {
    captured = []
    let refusals = 2
    answer = { status: 400, body: { success: false, errors: [{ code: 10182, message: "Secrets Store binding 'S_x' references store 's' and secret 'x' which were not found." }], messages: [], result: null } }
    const real = server.listeners("request")[0] as (...args: unknown[]) => void
    server.removeAllListeners("request")
    server.on("request", (request, response) => {
      if (--refusals < 0) answer = { status: 200, body: { success: true, errors: [], messages: [], result: { id: "x" } } }
      real(request, response)
    })
    try {
      await uploadScript(api, ACCOUNT, script, { ...context, pendingWaitsMs: [1, 1, 1] })
      assert.equal(captured.length, 3)
    } finally {
      server.removeAllListeners("request")
      server.on("request", real)
      answer = { status: 200, body: { success: true, errors: [], messages: [], result: { id: "x" } } }
    }
  })
})
