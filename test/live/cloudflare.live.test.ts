/**
 * The live Cloudflare API, when CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID are set:
 * the shared provider cases (throwaway LAYERON_CASE_… secrets, deleted afterwards) and the
 * checks `layer login` makes. Without them every case is reported as skipped, with why.
 * CLOUDFLARE_API_BASE_URL, if set, is honoured (so this file can also run against the emulator).
 *
 *   CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=… node --import tsx --conditions=source --test test/live/cloudflare.live.test.ts
 */
import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, it } from "node:test"
import { verifyLogin } from "../../packages/cli/src/credentials/verify.js"
import { CloudflareApi } from "../../packages/cli/src/providers/cloudflare/api.js"
import { createCloudflareProvider } from "../../packages/cli/src/providers/cloudflare/index.js"
import { listStores } from "../../packages/cli/src/providers/cloudflare/secrets.js"
import { providerCases } from "../../packages/cli/src/providers/provider.case.test.js"

const token = process.env.CLOUDFLARE_API_TOKEN
const accountId = process.env.CLOUDFLARE_ACCOUNT_ID
const skip = token && accountId ? undefined : "set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID to run against the live Cloudflare API"

providerCases(
  "cloudflare (live API)",
  async () => {
    const home = await mkdtemp(join(tmpdir(), "layeron-live-"))
    return {
      provider: createCloudflareProvider({ accountId: accountId ?? "", apiToken: token ?? "", home, debug: (line) => process.env.LAYERON_DEBUG && console.error(line) }),
      pageSize: 100,
      cleanup: () => rm(home, { recursive: true, force: true }),
    }
  },
  {
    skip,
    // 103 secrets would pass the open-beta quota of 100 and spend ~200 of the 1200 requests per 5 minutes.
    skipPaging: "the paging case writes 103 secrets: more than the live quota allows; the emulator run covers it",
  },
)

describe("layer login's checks on the live API", () => {
  it("the token is active, reaches the account, may read Secrets Store and Workers Scripts", skip ? { skip } : {}, async () => {
    const api = new CloudflareApi({ apiToken: token ?? "" })
    const verified = await verifyLogin(api, { accountId: accountId ?? "", source: "CLOUDFLARE_ACCOUNT_ID" })
    assert.equal(verified.status, "active")
    assert.equal(verified.accountId, accountId?.toLowerCase())
    // Cloudflare allows one store per account: login must see exactly what a direct list shows.
    const { items } = await listStores(api, verified.accountId)
    assert.equal(verified.storeCount, items.length)
    assert.ok(verified.storeCount <= 1, `one store per account, saw ${verified.storeCount}`)
    assert.deepEqual(verified.workersScripts.access, true, "the suite's token must be able to deploy (Workers Scripts)")
  })
})
