/**
 * The cases every SecretProvider must pass (STYLE §3): each implementation's test calls
 * `providerCases` with a factory, so a difference between providers fails a case here
 * instead of surfacing in production. Named like a test so the build leaves it out; run on
 * its own it declares no tests.
 */
import assert from "node:assert/strict"
import { after, describe, it } from "node:test"
import { SecretText } from "./provider.js"
import type { SecretProvider } from "./provider.js"

export interface ProviderFixture {
  provider: SecretProvider
  /** Page size of `listPage`, to check paging with a few more secrets than one page. */
  pageSize?: number
  cleanup(): Promise<void>
}

export function providerCases(name: string, create: () => Promise<ProviderFixture>): void {
  describe(`SecretProvider cases: ${name}`, () => {
    const fixtures: ProviderFixture[] = []
    const fresh = async () => {
      const fixture = await create()
      fixtures.push(fixture)
      return fixture
    }
    after(async () => {
      for (const fixture of fixtures) await fixture.cleanup()
    })

    it("resolves its store", async () => {
      const { provider } = await fresh()
      const store = await provider.resolveStore()
      assert.equal(typeof store.id, "string")
      assert.ok(store.id.length > 0)
    })

    it("creates, then updates in place with the same id and a new modified", async () => {
      const { provider } = await fresh()
      const created = await provider.upsert("CASE_UPSERT", new SecretText("one"))
      assert.equal(created.action, "created")
      assert.equal(created.name, "CASE_UPSERT")
      const updated = await provider.upsert("CASE_UPSERT", new SecretText("two"))
      assert.equal(updated.action, "updated")
      assert.equal(updated.id, created.id)
      assert.notEqual(updated.modified, created.modified)
      const found = await provider.find("CASE_UPSERT")
      assert.deepEqual(found && { name: found.name, id: found.id, modified: found.modified }, { name: "CASE_UPSERT", id: created.id, modified: updated.modified })
    })

    it("finds by exact name only", async () => {
      const { provider } = await fresh()
      await provider.upsert("CASE_EXACT", new SecretText("x"))
      assert.equal(await provider.find("CASE_EXAC"), undefined)
      assert.equal(await provider.find("CASE_EXACT_2"), undefined)
      assert.equal((await provider.find("CASE_EXACT"))?.name, "CASE_EXACT")
    })

    it("lists every secret across pages", async () => {
      const fixture = await fresh()
      const count = (fixture.pageSize ?? 10) + 3
      const names = Array.from({ length: count }, (_, i) => `CASE_PAGE_${String(i).padStart(3, "0")}`)
      for (const secretName of names) await fixture.provider.upsert(secretName, new SecretText("x"))
      const listed = (await fixture.provider.listAll()).map((s) => s.name).filter((n) => n.startsWith("CASE_PAGE_"))
      assert.deepEqual(listed.sort(), names)
      const first = await fixture.provider.listPage(1)
      assert.ok(first.nextPage !== undefined, "more than one page")
    })

    it("deletes by name, reporting whether it existed", async () => {
      const { provider } = await fresh()
      await provider.upsert("CASE_DELETE", new SecretText("x"))
      assert.equal(await provider.delete("CASE_DELETE"), true)
      assert.equal(await provider.find("CASE_DELETE"), undefined)
      assert.equal(await provider.delete("CASE_DELETE"), false)
    })

    it("never returns or shows a value in metadata", async () => {
      const { provider } = await fresh()
      const result = await provider.upsert("CASE_QUIET", new SecretText("case-canary-value"))
      const everything = JSON.stringify([result, await provider.listAll(), await provider.find("CASE_QUIET")])
      assert.ok(!everything.includes("case-canary-value"))
    })
  })
}
