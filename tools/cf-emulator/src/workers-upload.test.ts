// Workers script upload against FACTS.md §3: the multipart format, metadata checks,
// secrets_store_secret bindings (10182 not found, 10021 authorization/scopes), service bindings,
// list and delete, and the permission it needs.
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { errorCodes, startFixture, type CallResult, type Fixture } from "./emulator.test-support.js"

const MODULE_TYPE = "application/javascript+module"

interface Part {
  name: string
  content: string
  type: string
}

async function upload(f: Fixture, script: string, metadata: unknown, parts: Part[], token = f.token): Promise<CallResult> {
  const form = new FormData()
  if (metadata !== undefined) {
    const text = typeof metadata === "string" ? metadata : JSON.stringify(metadata)
    form.set("metadata", new Blob([text], { type: "application/json" }))
  }
  for (const part of parts) form.set(part.name, new Blob([part.content], { type: part.type }), part.name)
  const response = await fetch(`${f.emulator.url}/accounts/${f.accountId}/workers/scripts/${script}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  })
  return { status: response.status, headers: response.headers, json: (await response.json()) as CallResult["json"] }
}

const worker: Part = { name: "index.js", content: "export default { fetch() { return new Response('ok') } }", type: MODULE_TYPE }
const metadataWith = (bindings: unknown[] = []): Record<string, unknown> => ({
  main_module: "index.js",
  compatibility_date: "2026-01-01",
  compatibility_flags: ["nodejs_compat"],
  bindings,
})

describe("Workers script upload", () => {
  let f: Fixture
  let storeId: string
  before(async () => {
    f = await startFixture()
    storeId = await f.createStore()
    await f.createSecrets(storeId, ["API_KEY"])
    await f.call("POST", `/accounts/${f.accountId}/secrets_store/stores/${storeId}/secrets`, {
      body: [{ name: "GATEWAY_ONLY", value: "v", scopes: ["ai_gateway"] }],
    })
  })
  after(() => f.emulator.close())

  it("accepts a module upload with a secrets_store_secret binding and records its metadata and modules", async () => {
    const binding = { type: "secrets_store_secret", name: "API_KEY", store_id: storeId, secret_name: "API_KEY" }
    const res = await upload(f, "product", metadataWith([binding]), [worker, { name: "lib.js", content: "export const x = 1", type: MODULE_TYPE }])
    assert.equal(res.status, 200, JSON.stringify(res.json.errors))
    assert.equal(res.json.result.id, "product")
    const script = f.emulator.scripts.find((s) => s.name === "product")
    assert.ok(script)
    assert.equal(script.accountId, f.accountId)
    assert.deepEqual(script.metadata.bindings, [binding])
    assert.equal(script.metadata.main_module, "index.js")
    assert.deepEqual(
      script.modules.map(({ name, contentType }) => [name, contentType]),
      [
        ["index.js", MODULE_TYPE],
        ["lib.js", MODULE_TYPE],
      ],
    )
    assert.equal(script.modules[0]?.size, Buffer.byteLength(worker.content))
  })

  it("lists and deletes scripts; deleting an unknown one is 404 code 10007", async () => {
    await upload(f, "to-delete", metadataWith(), [worker])
    const listed = await f.call("GET", `/accounts/${f.accountId}/workers/scripts`)
    assert.ok(listed.json.result.some((s: { id: string }) => s.id === "to-delete"))
    assert.equal((await f.call("DELETE", `/accounts/${f.accountId}/workers/scripts/to-delete`)).status, 200)
    const again = await f.call("DELETE", `/accounts/${f.accountId}/workers/scripts/to-delete`)
    assert.equal(again.status, 404)
    assert.deepEqual(errorCodes(again), [10007])
  })

  it("refuses an upload without a metadata part with 10021 'could not read content for part metadata'", async () => {
    const res = await upload(f, "x", undefined, [worker])
    assert.equal(res.status, 400)
    assert.deepEqual(errorCodes(res), [10021])
    assert.match(res.json.errors[0]?.message ?? "", /^could not read content for part metadata/)
  })

  it("refuses unparsable metadata, and the cloudflare SDK 7.x shape (bracketed fields, not multipart JSON)", async () => {
    const broken = await upload(f, "x", "{main_module:", [worker])
    assert.deepEqual(errorCodes(broken), [10021])
    assert.match(broken.json.errors[0]?.message ?? "", /metadata part is not valid JSON/)

    const form = new FormData()
    form.set("metadata[main_module]", "index.js")
    form.set("files[]", new Blob([worker.content], { type: MODULE_TYPE }), "index.js")
    const sdkShape = await fetch(`${f.emulator.url}/accounts/${f.accountId}/workers/scripts/x`, {
      method: "PUT",
      headers: { authorization: `Bearer ${f.token}` },
      body: form,
    })
    const sdkBody = (await sdkShape.json()) as CallResult["json"]
    assert.equal(sdkShape.status, 400)
    assert.match(sdkBody.errors[0]?.message ?? "", /^could not read content for part metadata/)

    const notMultipart = await fetch(`${f.emulator.url}/accounts/${f.accountId}/workers/scripts/x`, {
      method: "PUT",
      headers: { authorization: `Bearer ${f.token}`, "content-type": "application/javascript" },
      body: worker.content,
    })
    assert.equal(notMultipart.status, 400)
    assert.match(((await notMultipart.json()) as CallResult["json"]).errors[0]?.message ?? "", /not multipart\/form-data/)
  })

  it("refuses metadata whose main_module part is missing, or uploaded as a non-module", async () => {
    const missing = await upload(f, "x", { ...metadataWith(), main_module: "worker.js" }, [worker])
    assert.deepEqual(errorCodes(missing), [10021])
    assert.match(missing.json.errors[0]?.message ?? "", /No such module "worker\.js"/)
    const noEntry = await upload(f, "x", { compatibility_date: "2026-01-01" }, [worker])
    assert.match(noEntry.json.errors[0]?.message ?? "", /needs main_module/)
    const wrongType = await upload(f, "x", metadataWith(), [{ ...worker, type: "text/plain" }])
    assert.match(wrongType.json.errors[0]?.message ?? "", /ES modules need application\/javascript\+module/)
  })

  it("refuses a malformed or future compatibility_date and bad compatibility_flags", async () => {
    for (const metadata of [
      { ...metadataWith(), compatibility_date: "2026/01/01" },
      { ...metadataWith(), compatibility_date: "2999-01-01" },
      { ...metadataWith(), compatibility_flags: "nodejs_compat" },
    ]) {
      const res = await upload(f, "x", metadata, [worker])
      assert.equal(res.status, 400, JSON.stringify(metadata))
      assert.deepEqual(errorCodes(res), [10021])
    }
  })

  it("refuses a binding to a missing store or secret with 10182 naming binding, store and secret", async () => {
    const missingSecret = await upload(f, "x", metadataWith([{ type: "secrets_store_secret", name: "B", store_id: storeId, secret_name: "NOPE" }]), [worker])
    assert.equal(missingSecret.status, 400)
    assert.deepEqual(missingSecret.json.errors, [
      { code: 10182, message: `Secrets Store binding 'B' references store '${storeId}' and secret 'NOPE' which were not found.` },
    ])
    const otherStore = "a".repeat(32)
    const missingStore = await upload(f, "x", metadataWith([{ type: "secrets_store_secret", name: "B", store_id: otherStore, secret_name: "API_KEY" }]), [worker])
    assert.deepEqual(errorCodes(missingStore), [10182])
  })

  it("treats a secret that is still pending as not found yet (10182)", async (t) => {
    const slow = await startFixture({ pendingDelayMs: 60_000 })
    t.after(() => slow.emulator.close())
    const slowStore = await slow.createStore()
    await slow.createSecrets(slowStore, ["NEW"])
    const binding = { type: "secrets_store_secret", name: "NEW", store_id: slowStore, secret_name: "NEW" }
    assert.deepEqual(errorCodes(await upload(slow, "x", metadataWith([binding]), [worker])), [10182])
    slow.emulator.advanceClock(60_000)
    assert.equal((await upload(slow, "x", metadataWith([binding]), [worker])).status, 200)
  })

  it("refuses a binding to a secret without the workers scope with 10021 authorization failed", async () => {
    const res = await upload(f, "x", metadataWith([{ type: "secrets_store_secret", name: "G", store_id: storeId, secret_name: "GATEWAY_ONLY" }]), [worker])
    assert.deepEqual(res.json.errors, [
      { code: 10021, message: "Secrets store binding authorization failed. Check your permissions and secret scopes." },
    ])
  })

  it("refuses a binding when the token has no Secrets Store Edit (10021, read-only too), and an upload without Workers Scripts Write (403)", async () => {
    const workersOnly = f.tokenWith(["workers_scripts_write"])
    const binding = { type: "secrets_store_secret", name: "API_KEY", store_id: storeId, secret_name: "API_KEY" }
    const res = await upload(f, "x", metadataWith([binding]), [worker], workersOnly)
    assert.deepEqual(errorCodes(res), [10021])
    const readOnly = f.tokenWith(["workers_scripts_write", "secrets_store_read"])
    assert.deepEqual(errorCodes(await upload(f, "x", metadataWith([binding]), [worker], readOnly)), [10021])
    const scriptsReader = f.tokenWith(["workers_scripts_read", "secrets_store_write"])
    assert.equal((await f.call("GET", `/accounts/${f.accountId}/workers/scripts`, { token: scriptsReader })).status, 200)
    assert.equal((await upload(f, "x", metadataWith(), [worker], scriptsReader)).status, 403)
    assert.equal((await upload(f, "x", metadataWith(), [worker], workersOnly)).status, 200)
    const secretsOnly = f.tokenWith(["secrets_store_write"])
    const forbidden = await upload(f, "x", metadataWith(), [worker], secretsOnly)
    assert.equal(forbidden.status, 403)
    assert.deepEqual(errorCodes(forbidden), [10000])
  })

  it("resolves service bindings to scripts of the account (10143 when missing), allowing a binding to itself", async () => {
    const missing = await upload(f, "app", metadataWith([{ type: "service", name: "PRODUCT", service: "nowhere" }]), [worker])
    assert.deepEqual(missing.json.errors, [
      {
        code: 10143,
        message: "Could not resolve service binding 'PRODUCT'. Target script 'nowhere' not found. Please verify the target script and try again.",
      },
    ])
    await upload(f, "product-worker", metadataWith(), [worker])
    const ok = await upload(f, "app", metadataWith([{ type: "service", name: "PRODUCT", service: "product-worker", entrypoint: "SecretProduct" }]), [worker])
    assert.equal(ok.status, 200)
    const self = await upload(f, "loop", metadataWith([{ type: "service", name: "SELF", service: "loop" }]), [worker])
    assert.equal(self.status, 200)
    // props (FACTS 3.10): an object is kept with the binding; anything else is refused.
    const withProps = await upload(f, "app", metadataWith([{ type: "service", name: "PRODUCT", service: "product-worker", entrypoint: "SecretProduct", props: { backend: "api" } }]), [worker])
    assert.equal(withProps.status, 200)
    for (const props of ["api", ["api"], null]) {
      assert.deepEqual(errorCodes(await upload(f, "app", metadataWith([{ type: "service", name: "PRODUCT", service: "product-worker", props }]), [worker])), [10021])
    }
  })

  it("refuses bindings without a type or name, and a bindings value that is not an array", async () => {
    assert.deepEqual(errorCodes(await upload(f, "x", metadataWith([{ name: "X" }]), [worker])), [10021])
    assert.deepEqual(errorCodes(await upload(f, "x", { ...metadataWith(), bindings: {} }, [worker])), [10021])
  })

  it("replaces a script on re-upload, keeping created_on", async () => {
    const first = await upload(f, "again", metadataWith(), [worker])
    const second = await upload(f, "again", { ...metadataWith(), compatibility_flags: [] }, [worker])
    assert.equal(second.json.result.created_on, first.json.result.created_on)
    assert.equal(f.emulator.scripts.filter((s) => s.name === "again").length, 1)
    assert.deepEqual(f.emulator.scripts.find((s) => s.name === "again")?.metadata.compatibility_flags, [])
  })
})
