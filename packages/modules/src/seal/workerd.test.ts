/**
 * Runs seal/, naming/ and envelope/ inside workerd (through miniflare), bundled the way a
 * Worker gets them, and checks that both runtimes agree: sealed in workerd opens in Node and
 * the reverse, errors keep their class and code, physical names are identical.
 */
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { after, before, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"
import { Miniflare } from "miniflare"
import { physicalName, type PhysicalNameParts } from "../naming/index.js"
import { generateSealingKeyPair, publicKeyFingerprint, seal, unseal, type SealContext } from "./index.js"

const src = fileURLToPath(new URL("..", import.meta.url))

async function bundle(entry: string): Promise<string> {
  const result = await build({ entryPoints: [`${src}/${entry}`], bundle: true, format: "esm", write: false, platform: "neutral", logLevel: "silent" })
  return result.outputFiles[0]!.text
}

/** One route per call; failures come back as { error: { name, code, message, instance } }. */
const WORKER = `
import * as sealing from "./seal.js"
import * as naming from "./naming.js"
import * as envelope from "./envelope.js"

const routes = {
  generate: () => sealing.generateSealingKeyPair(),
  seal: (a) => sealing.seal(a.publicKey, a.plaintext, a.context),
  unseal: (a) => sealing.unseal(a.privateKey, a.sealed, a.context),
  fingerprint: (a) => sealing.publicKeyFingerprint(a.jwk),
  physicalName: (a) => naming.physicalName(a.parts),
  parse: (a) => envelope.parseStoredValue(a.text, a.now ? new Date(a.now) : undefined),
  rotate: (a) => {
    const before = envelope.parseStoredValue(a.text).envelope
    const after = envelope.transition(before, { newVersionId: envelope.nextVersionId(before), newEntry: { sealed: a.sealed }, at: new Date(a.at), retain: a.retain })
    return { text: envelope.serializeEnvelope(after), bytes: envelope.serializedByteLength(after) }
  },
}
const errorClasses = { SealError: sealing.SealError, NamingError: naming.NamingError, EnvelopeError: envelope.EnvelopeError }

export default {
  async fetch(request) {
    const route = new URL(request.url).pathname.slice(1)
    const args = await request.json()
    try {
      return Response.json({ result: await routes[route](args) })
    } catch (error) {
      const instance = Object.entries(errorClasses).find(([, cls]) => error instanceof cls)?.[0] ?? null
      return Response.json({ error: { name: error.name, code: error.code, message: error.message, instance } })
    }
  },
}
`

let mf: Miniflare
async function inWorkerd<T>(route: string, args: unknown): Promise<{ result?: T; error?: { name: string; code: string; message: string; instance: string | null } }> {
  const response = await mf.dispatchFetch(`http://localhost/${route}`, { method: "POST", body: JSON.stringify(args) })
  return (await response.json()) as { result?: T }
}

before(async () => {
  const [sealModule, namingModule, envelopeModule] = await Promise.all([bundle("seal/index.ts"), bundle("naming/index.ts"), bundle("envelope/index.ts")])
  for (const code of [sealModule, namingModule, envelopeModule]) assert.doesNotMatch(code, /["']node:/, "modules must not import node: builtins")
  mf = new Miniflare({
    compatibilityDate: "2025-01-01",
    modules: [
      { type: "ESModule", path: "worker.js", contents: WORKER },
      { type: "ESModule", path: "seal.js", contents: sealModule },
      { type: "ESModule", path: "naming.js", contents: namingModule },
      { type: "ESModule", path: "envelope.js", contents: envelopeModule },
    ],
  })
  await mf.ready
})

after(async () => {
  await mf?.dispose()
})

const context: SealContext = { physicalName: "lo_c9916d0a7d4a9474726c0260", versionId: "v7" }
const plaintext = "workerd ⇄ node: é€🚀"

describe("seal in workerd and Node", () => {
  it("seals in workerd and unseals in Node", async () => {
    const keys = await generateSealingKeyPair()
    const { result: sealed } = await inWorkerd<string>("seal", { publicKey: keys.publicKey, plaintext, context })
    assert.ok(sealed !== undefined && sealed.startsWith("ls1."))
    assert.equal(await unseal(keys.privateKey, sealed, context), plaintext)
  })

  it("seals in Node and unseals in workerd", async () => {
    const keys = await generateSealingKeyPair()
    const sealed = await seal(keys.publicKey, plaintext, context)
    assert.deepEqual(await inWorkerd("unseal", { privateKey: keys.privateKey, sealed, context }), { result: plaintext })
  })

  it("generates key pairs in workerd that Node can use, with the same fingerprint in both", async () => {
    const { result: keys } = await inWorkerd<{ publicKey: JsonWebKey; privateKey: JsonWebKey }>("generate", {})
    assert.ok(keys)
    assert.equal(await unseal(keys.privateKey, await seal(keys.publicKey, plaintext, context), context), plaintext)
    assert.deepEqual(await inWorkerd("fingerprint", { jwk: keys.privateKey }), { result: await publicKeyFingerprint(keys.publicKey) })
  })

  it("refuses in workerd a copy moved to another version, with a typed SealError", async () => {
    const keys = await generateSealingKeyPair()
    const sealed = await seal(keys.publicKey, plaintext, context)
    const { error } = await inWorkerd("unseal", { privateKey: keys.privateKey, sealed, context: { ...context, versionId: "v8" } })
    assert.ok(error)
    assert.equal(error.instance, "SealError")
    assert.equal(error.code, "unseal_failed")
    assert.ok(!error.message.includes(plaintext))
  })
})

describe("naming and envelope in workerd", () => {
  it("derives the same physical names as the test vectors", async () => {
    const { vectors } = JSON.parse(readFileSync(new URL("../naming/vectors.json", import.meta.url), "utf8")) as {
      vectors: { parts: PhysicalNameParts; physicalName: string }[]
    }
    for (const vector of vectors) {
      assert.deepEqual(await inWorkerd("physicalName", { parts: vector.parts }), { result: vector.physicalName })
      assert.equal(await physicalName(vector.parts), vector.physicalName)
    }
  })

  it("rotates an envelope in workerd with a sealed copy from Node", async () => {
    const keys = await generateSealingKeyPair()
    const sealed = await seal(keys.publicKey, "rotated", { physicalName: context.physicalName, versionId: "v2" })
    const { result } = await inWorkerd<{ text: string; bytes: number }>("rotate", {
      text: "operator value",
      sealed,
      at: "2026-06-15T00:00:00.000Z",
      retain: { mode: "retain_for", days: 14 },
    })
    assert.ok(result)
    assert.equal(result.bytes, Buffer.byteLength(result.text, "utf8"))
    const envelope = JSON.parse(result.text) as { current: string; versions: Record<string, { sealed?: string; expiresAt?: string }> }
    assert.equal(envelope.current, "v2")
    assert.equal(envelope.versions.v1?.expiresAt, "2026-06-29T00:00:00.000Z")
    assert.equal(await unseal(keys.privateKey, envelope.versions.v2!.sealed!, { physicalName: context.physicalName, versionId: "v2" }), "rotated")
  })

  it("reports an invalid envelope in workerd with a typed EnvelopeError", async () => {
    const text = JSON.stringify({ current: "v2", versions: { v1: { value: "hidden-value" } } })
    const { error } = await inWorkerd("parse", { text })
    assert.equal(error?.instance, "EnvelopeError")
    assert.equal(error?.code, "invalid_envelope")
    assert.ok(!error?.message.includes("hidden-value"))
  })
})
