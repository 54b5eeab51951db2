/**
 * The cases every SecretProvider must pass (STYLE §3): each implementation's test calls
 * `providerCases` with a factory, so a difference between providers fails a case here
 * instead of surfacing in production. Named like a test so the build leaves it out; run on
 * its own it declares no tests.
 *
 * Callers: local/local-provider.test.ts (the local store), cloudflare/provider.test.ts (the
 * Cloudflare provider against the API emulator) and test/live/cloudflare.live.test.ts (the
 * live API, skipped with its reason unless CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID
 * are set). Every name a case writes starts with a random per-run prefix and is deleted
 * afterwards, so a live run touches only its own throwaway secrets.
 */
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { after, describe, it } from "node:test"
import { isLayerError } from "../errors.js"
import { SecretText } from "./provider.js"
import type { SecretProvider } from "./provider.js"

export interface ProviderFixture {
  provider: SecretProvider
  /** Page size of `listPage`, to check paging with a few more secrets than one page. */
  pageSize?: number
  cleanup(): Promise<void>
}

export interface ProviderCaseOptions {
  /** Skip every case, with this reason (reported by the test runner). */
  skip?: string
  /** Skip only the paging case (it writes pageSize + 3 secrets), with this reason. */
  skipPaging?: string
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/

export function providerCases(name: string, create: () => Promise<ProviderFixture>, options: ProviderCaseOptions = {}): void {
  describe(`SecretProvider cases: ${name}`, () => {
    const prefix = `LAYERON_CASE_${randomBytes(4).toString("hex")}_`
    const n = (secretName: string) => `${prefix}${secretName}`
    const fixtures: ProviderFixture[] = []
    const fresh = async () => {
      const fixture = await create()
      fixtures.push(fixture)
      return fixture
    }
    const test = (title: string, body: () => Promise<void>, skip = options.skip) => it(title, skip ? { skip } : {}, body)

    after(async () => {
      for (const fixture of fixtures) {
        // Whatever a case left behind, even after a failure.
        for (const secret of await fixture.provider.listAll()) {
          if (secret.name.startsWith(prefix)) await fixture.provider.delete(secret.name)
        }
        await fixture.cleanup()
      }
    })

    test("resolves its store", async () => {
      const { provider } = await fresh()
      const store = await provider.resolveStore()
      assert.equal(typeof store.id, "string")
      assert.ok(store.id.length > 0)
      assert.ok(store.name.length > 0)
    })

    test("creates, then updates in place with the same id, the same created and a later modified", async () => {
      const { provider } = await fresh()
      const created = await provider.upsert(n("UPSERT"), new SecretText("one"))
      assert.equal(created.action, "created")
      assert.equal(created.name, n("UPSERT"))
      assert.match(created.created, RFC3339)
      assert.match(created.modified, RFC3339)
      const updated = await provider.upsert(n("UPSERT"), new SecretText("two"))
      assert.equal(updated.action, "updated")
      assert.equal(updated.id, created.id)
      assert.equal(updated.created, created.created)
      assert.notEqual(updated.modified, created.modified)
      assert.ok(Date.parse(updated.modified) >= Date.parse(created.modified), "modified never moves back")
      const found = await provider.find(n("UPSERT"))
      assert.deepEqual(found && { name: found.name, id: found.id, modified: found.modified }, { name: n("UPSERT"), id: created.id, modified: updated.modified })
    })

    test("finds by exact name only", async () => {
      const { provider } = await fresh()
      await provider.upsert(n("EXACT"), new SecretText("x"))
      await provider.upsert(n("EXACT_LONGER"), new SecretText("x"))
      assert.equal(await provider.find(n("EXAC")), undefined)
      assert.equal(await provider.find(n("EXACT_2")), undefined)
      assert.equal(await provider.find(n("exact")), undefined, "names are case-sensitive")
      assert.equal((await provider.find(n("EXACT")))?.name, n("EXACT"))
    })

    test(
      "lists every secret across pages",
      async () => {
        const fixture = await fresh()
        const count = (fixture.pageSize ?? 10) + 3
        const names = Array.from({ length: count }, (_, i) => n(`PAGE_${String(i).padStart(3, "0")}`))
        for (const secretName of names) await fixture.provider.upsert(secretName, new SecretText("x"))
        const listed = (await fixture.provider.listAll()).map((s) => s.name).filter((listedName) => listedName.startsWith(n("PAGE_")))
        assert.deepEqual(listed.sort(), names)
        const first = await fixture.provider.listPage(1)
        assert.ok(first.nextPage !== undefined, "more than one page")
        const paged = [...first.secrets]
        for (let page: number | undefined = first.nextPage; page !== undefined; ) {
          const next = await fixture.provider.listPage(page)
          paged.push(...next.secrets)
          page = next.nextPage
        }
        assert.deepEqual(paged.map((s) => s.id).sort(), (await fixture.provider.listAll()).map((s) => s.id).sort(), "the pages joined are listAll")
      },
      options.skip ?? options.skipPaging,
    )

    test("deletes by name, reporting whether it existed, and only that name", async () => {
      const { provider } = await fresh()
      await provider.upsert(n("DELETE"), new SecretText("x"))
      await provider.upsert(n("DELETE_NOT"), new SecretText("x"))
      assert.equal(await provider.delete(n("DELETE")), true)
      assert.equal(await provider.find(n("DELETE")), undefined)
      assert.equal(await provider.delete(n("DELETE")), false)
      assert.ok(await provider.find(n("DELETE_NOT")))
    })

    test("never returns or shows a value in metadata", async () => {
      const { provider } = await fresh()
      const result = await provider.upsert(n("QUIET"), new SecretText("case-canary-value"))
      const found = await provider.find(n("QUIET"))
      assert.deepEqual(Object.keys(found ?? {}).sort(), ["created", "id", "modified", "name"])
      const everything = JSON.stringify([result, await provider.listAll(), found])
      assert.ok(!everything.includes("case-canary-value"))
    })

    test("refuses a name Cloudflare would refuse, for every operation, by code", async () => {
      const { provider } = await fresh()
      for (const badName of ["", "has space", "dot.ted", "../escape", "x".repeat(256)]) {
        for (const call of [() => provider.upsert(badName, new SecretText("v")), () => provider.find(badName), () => provider.delete(badName)]) {
          await assert.rejects(call(), (error: unknown) => isLayerError(error) && error.code === "invalid_secret_name")
        }
      }
    })

    test("takes a value of exactly 65,536 UTF-8 bytes and refuses one byte more", async () => {
      const { provider } = await fresh()
      assert.equal((await provider.upsert(n("MAX_SIZE"), new SecretText("é".repeat(32_768)))).action, "created")
      await assert.rejects(
        provider.upsert(n("TOO_BIG"), new SecretText(`${"é".repeat(32_768)}x`)),
        (error: unknown) => isLayerError(error) && error.code === "value_too_large" && /65,537 bytes/.test(error.message),
      )
      assert.equal(await provider.find(n("TOO_BIG")), undefined, "nothing was written")
    })
  })
}
