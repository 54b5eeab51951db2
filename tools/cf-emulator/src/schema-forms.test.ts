// The two forms of Secrets Store answers (FACTS.md 2.10, 2.11): `published` (the default)
// follows Cloudflare's published schema; `legacy` is the emulator's former answers, kept so
// that the client can be tested against both.
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { startFixture, type Fixture } from "./emulator.test-support.js"

for (const schema of ["published", "legacy"] as const) {
  describe(`schema: ${schema}`, () => {
    let f: Fixture
    let secrets: string
    before(async () => {
      f = await startFixture({ schema })
      const storeId = await f.createStore()
      secrets = `/accounts/${f.accountId}/secrets_store/stores/${storeId}/secrets`
      await f.createSecrets(storeId, ["A", "B", "C"])
    })
    after(() => f.emulator.close())

    it(schema === "published" ? "lists carry no total_pages" : "lists carry total_pages", async () => {
      const listed = await f.call("GET", `${secrets}?per_page=2`)
      const expected = { count: 2, page: 1, per_page: 2, total_count: 3, ...(schema === "legacy" ? { total_pages: 2 } : {}) }
      assert.deepEqual(listed.json.result_info, expected)
      const stores = await f.call("GET", `/accounts/${f.accountId}/secrets_store/stores`)
      assert.equal("total_pages" in (stores.json.result_info ?? {}), schema === "legacy")
    })

    it(schema === "published" ? "DELETE answers 202 with the deleted secret" : "DELETE answers 200 with result null", async () => {
      const [first] = (await f.call("GET", secrets)).json.result as { id: string }[]
      const res = await f.call("DELETE", `${secrets}/${first!.id}`)
      assert.equal(res.status, schema === "published" ? 202 : 200)
      if (schema === "published") assert.equal(res.json.result.status, "deleted")
      else assert.equal(res.json.result, null)
    })
  })
}

it("refuses an unknown schema form", async () => {
  await assert.rejects(startFixture({ schema: "newest" as never }), /schema must be "published" or "legacy"/)
})
