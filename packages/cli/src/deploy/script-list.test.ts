/**
 * The Workers scripts list (upload.ts, listScriptNames), against the emulator: the names of the account's scripts, and a
 * success without a list (`result: null`, no `result`) refused as cloudflare_unexpected_answer
 * like every other endpoint, never read as "no scripts" (which would plan every Worker as new).
 */
import assert from "node:assert/strict"
import { after, afterEach, before, describe, test } from "node:test"
import { rejection, startCloudflareFixture } from "../../../../test/helpers/cloudflare.js"
import type { CloudflareFixture } from "../../../../test/helpers/cloudflare.js"
import { CloudflareApi } from "../providers/cloudflare/api.js"
import { buildUploadForm, listScriptNames } from "./upload.js"

describe("listScriptNames", () => {
  let fx: CloudflareFixture
  before(async () => {
    fx = await startCloudflareFixture()
  })
  after(() => fx.close())
  afterEach(() => fx.emulator.clearFaults())
  const client = () => new CloudflareApi({ apiToken: fx.token, baseUrl: fx.emulator.url, maxRetryWaitMs: 5_000, requestTimeoutMs: 5_000, backoffBaseMs: 10 })

  test("an account without scripts is an empty set; an uploaded one is listed", async () => {
    assert.deepEqual(await listScriptNames(client(), fx.accountId), new Set())
    const form = buildUploadForm({ metadata: { main_module: "index.js", compatibility_date: "2025-01-01" }, code: "export default { fetch() { return new Response('ok') } }" })
    await client().call({ method: "PUT", path: `/accounts/${fx.accountId}/workers/scripts/listed-worker`, form })
    assert.deepEqual(await listScriptNames(client(), fx.accountId), new Set(["listed-worker"]))
  })

  for (const result of ["null", "absent"] as const) {
    test(`result ${result} is cloudflare_unexpected_answer, not "no scripts"`, async () => {
      fx.emulator.setFault({ kind: "malformed_result", result, method: "GET", path: "/accounts/*/workers/scripts" })
      const error = await rejection(listScriptNames(client(), fx.accountId))
      assert.equal(error.code, "cloudflare_unexpected_answer")
      assert.match(error.message, new RegExp(`GET /accounts/[0-9a-f]{32}/workers/scripts with success \\(HTTP 200\\) but not with a list of Worker scripts: ${result === "null" ? "`result` is null" : "the answer has no `result`"}`))
    })
  }
})
