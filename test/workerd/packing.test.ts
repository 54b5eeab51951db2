/**
 * Packing in workerd (docs/design.md#packing): 100 declarations of one environment live in 3
 * packs, wired as `planBindings({ packs })` says, and read through the real runtime exactly as
 * unpacked ones are. The product Worker binds 3 packs and the sealing key (4 secrets, not
 * 101); a backend reads only the members it registers; a member's older versions, sealed to
 * its own physical name, open from the pack; a pack edited out of the documented format gives
 * invalid_envelope naming the pack and the member, and no value.
 */
import assert from "node:assert/strict"
import { fileURLToPath } from "node:url"
import { after, before, describe, test } from "node:test"
import { Miniflare } from "miniflare"
import { bundleProductWorker } from "../../packages/cli/src/deploy/bundle.js"
import { planBindings, toMiniflareWorkerOptions } from "../../packages/modules/src/binding-plan/index.js"
import type { BindingPlan } from "../../packages/modules/src/binding-plan/index.js"
import type { Envelope } from "../../packages/modules/src/envelope/index.js"
import { physicalName } from "../../packages/modules/src/naming/index.js"
import { PACK_FORMAT, PACK_MAX_BYTES, packPhysicalName, serializePack } from "../../packages/modules/src/pack/index.js"
import type { Pack } from "../../packages/modules/src/pack/index.js"
import { generateSealingKeyPair, seal } from "../../packages/modules/src/seal/index.js"
import { bundleWorker, fetchWorker } from "./harness.js"
import type { ReadAnswer } from "./harness.js"
import { packedSecrets, PACKED_COUNT } from "./fixtures/packed-secrets.js"
import type { ReadRequest } from "./fixtures/read-app.js"

const COMPATIBILITY_DATE = "2026-04-01"
const PARTS = { workspace: "test", project: "packing", environment: "workerd" }
const PRODUCT = "secret-product"
const APP = "app"
const OTHER_APP = "other-app"
const PACKS = 3
/** Backend "other" registers only these, all members of the first pack. */
const OTHER_REGISTERS = ["key-001", "key-002", "key-003"]
/** A random secret's values are base64url, as the runtime's bytes() expects. */
const ROTATING_V1 = Buffer.from("CANARY rotating v1, sealed 7c21").toString("base64url")
const ROTATING_V2 = Buffer.from("CANARY rotating v2, plain 4e90").toString("base64url")
const V1_CREATED = "2026-01-01T00:00:00.000Z"
const V2_CREATED = "2026-02-01T00:00:00.000Z"
const V1_EXPIRES = "2036-01-01T00:00:00.000Z"

const keys = Object.keys(packedSecrets)
const idOf = (key: string) => packedSecrets[key]!.declaration.id
const valueOf = (key: string) => `CANARY_value_of_${key}_${key.length * 7919}`

let mf: Miniflare
let plan: BindingPlan
let packNames: string[]
/** The packs as written, by pack name; tests that tamper restore them. */
let packs: Map<string, Pack>
let memberNames: Record<string, string>
let sealingPublicKey: JsonWebKey

before(async () => {
  const [appScript, productScript, sealingKeys] = await Promise.all([bundleWorker("./fixtures/packed-app.ts"), bundleProductWorker(fileURLToPath(new URL("../../", import.meta.url))), generateSealingKeyPair()])
  sealingPublicKey = sealingKeys.publicKey
  memberNames = {}
  for (const key of keys) {
    const { namespace, name, id } = packedSecrets[key]!.declaration
    memberNames[id] = await physicalName({ ...PARTS, namespace, name })
  }
  const sealingName = await physicalName({ ...PARTS, namespace: "layeron", name: "sealing-key" })
  packNames = await Promise.all(Array.from({ length: PACKS }, (_, index) => packPhysicalName(PARTS.workspace, PARTS.project, PARTS.environment, index)))

  // Members in id order, cut into three runs (the CLI decides placement; any split reads the same).
  const ids = keys.map(idOf).sort()
  const runs = packNames.map((name, index) => ({ physicalName: name, members: ids.filter((_, i) => i % PACKS === index) }))
  packs = new Map()
  for (const run of runs) {
    const members: Record<string, Envelope> = {}
    for (const id of run.members) members[id] = await envelopeOf(id)
    packs.set(run.physicalName, { format: PACK_FORMAT, pack: run.physicalName, members })
  }

  plan = planBindings({
    declarations: keys.map((key) => packedSecrets[key]!.declaration),
    physicalNames: memberNames,
    sealingKeyPhysicalName: sealingName,
    storeId: "local-store",
    productWorkerName: PRODUCT,
    backends: [
      { id: "api", workerName: APP, secrets: ids },
      { id: "other", workerName: OTHER_APP, secrets: OTHER_REGISTERS.map(idOf) },
    ],
    packs: runs,
  })
  const options = toMiniflareWorkerOptions(plan)
  const worker = (name: string, script: string) => ({ name, modules: true, script, compatibilityDate: COMPATIBILITY_DATE })
  mf = new Miniflare({
    secretsStorePersist: false,
    workers: [
      { ...worker(APP, appScript), ...options.apps[APP]! },
      { ...worker(OTHER_APP, appScript), ...options.apps[OTHER_APP]! },
      { ...worker(PRODUCT, productScript), ...options.product },
    ],
  })
  await mf.ready
  await put(sealingName, JSON.stringify(sealingKeys.privateKey))
  for (const pack of packs.values()) await put(pack.pack, serializePack(pack))
})
after(async () => {
  await mf?.dispose()
})

/** Each static member holds one plain version; `rotating` holds v1 sealed to its own name, v2 plain. */
async function envelopeOf(id: string): Promise<Envelope> {
  const key = id.split("/")[1]!
  if (key !== "rotating") return { current: "v1", versions: { v1: { value: valueOf(key) } } }
  const sealed = await seal(sealingPublicKey, ROTATING_V1, { physicalName: memberNames[id]!, versionId: "v1" })
  return { current: "v2", versions: { v1: { sealed, createdAt: V1_CREATED, expiresAt: V1_EXPIRES }, v2: { value: ROTATING_V2, createdAt: V2_CREATED } } }
}

async function put(secretName: string, text: string): Promise<void> {
  const binding = plan.product.secretsStoreSecrets.find((s) => s.secretName === secretName)!.binding
  await (await mf.getSecretsStoreSecretAPI(binding, PRODUCT))().create(text)
}

async function read(request: ReadRequest, worker = APP): Promise<ReadAnswer> {
  const response = await fetchWorker(mf, worker, "http://app/", { method: "POST", body: JSON.stringify(request) })
  return (await response.json()) as ReadAnswer
}

async function rpc(method: "read" | "active", args: unknown[], worker = APP): Promise<{ reply?: unknown; thrown?: string }> {
  const response = await fetchWorker(mf, worker, "http://app/rpc", { method: "POST", body: JSON.stringify({ binding: "LAYERON_SECRET", method, args }) })
  return (await response.json()) as { reply?: unknown; thrown?: string }
}

/** Whose pack a member is in, and the pack itself. */
function packOf(key: string): Pack {
  return [...packs.values()].find((pack) => Object.hasOwn(pack.members, idOf(key)))!
}

function noValue(answer: unknown): void {
  const text = JSON.stringify(answer)
  for (const key of keys) assert.ok(!text.includes(valueOf(key)), `a value reached the answer: ${key}`)
  assert.ok(!text.includes(ROTATING_V1) && !text.includes(ROTATING_V2), "a rotating value reached the answer")
}

function failed(answer: ReadAnswer, code: string): Extract<ReadAnswer, { ok: false }>["error"] {
  noValue(answer)
  assert.equal(answer.ok, false, `expected ${code}, got ${JSON.stringify(answer).slice(0, 200)}`)
  if (answer.ok) throw new Error("unreachable")
  assert.equal(answer.error.code, code)
  assert.equal(answer.error.isSecretError, true)
  return answer.error
}

describe("100 declarations in 3 packs, read in workerd", () => {
  test("the product Worker binds the 3 packs and the sealing key: 4 secrets, not 101", () => {
    assert.equal(keys.length, PACKED_COUNT)
    assert.equal(plan.product.secretsStoreSecrets.length, PACKS + 1)
    for (const name of packNames) assert.ok(plan.product.secretsStoreSecrets.some((s) => s.secretName === name), `pack ${name} is bound`)
    for (const pack of packs.values()) assert.ok(Buffer.byteLength(serializePack(pack)) <= PACK_MAX_BYTES)
    assert.equal(Object.values(plan.product.manifest.secrets).filter((entry) => entry.pack !== undefined).length, PACKED_COUNT)
  })

  test("every one of the 100 reads its own value through current()", async () => {
    for (let start = 0; start < keys.length; start += 10) {
      const batch = keys.slice(start, start + 10)
      const answers = await Promise.all(batch.map((key) => read({ secret: key, op: "current" })))
      batch.forEach((key, i) => assert.deepEqual(answers[i], { ok: true, result: key === "rotating" ? ROTATING_V2 : valueOf(key) }, key))
    }
  })

  test("a member's older version, sealed to the member's own name, opens from the pack: version(), at(), active()", async () => {
    assert.deepEqual(await read({ secret: "rotating", op: "version", arg: "v1" }), { ok: true, result: ROTATING_V1 })
    assert.deepEqual(await read({ secret: "rotating", op: "at", arg: "2026-01-15T00:00:00.000Z" }), { ok: true, result: ROTATING_V1 })
    const active = await read({ secret: "rotating", op: "active" })
    assert.ok(active.ok, JSON.stringify(active))
    assert.deepEqual((active.result as Array<{ version: string; text: string }>).map((v) => [v.version, v.text]), [["v2", ROTATING_V2], ["v1", ROTATING_V1]])
    failed(await read({ secret: "rotating", op: "version", arg: "v9" }), "unknown_version")
  })

  test("expose rules apply to packed members as to unpacked ones", async () => {
    assert.deepEqual(await read({ secret: "current-only", op: "current" }), { ok: true, result: valueOf("current-only") })
    const refused = failed(await read({ secret: "current-only", op: "version", arg: "v1" }), "expose_refused")
    assert.equal(refused.secretId, idOf("current-only"))
    failed(await read({ secret: "current-only", op: "active" }), "expose_refused")
  })

  test("a backend reads only the members it registers, though they share a pack with others", async () => {
    assert.deepEqual(await read({ secret: "key-001", op: "current" }, OTHER_APP), { ok: true, result: valueOf("key-001") })
    const neighbour = keys.find((key) => !OTHER_REGISTERS.includes(key) && packOf(key) === packOf("key-001"))!
    const refused = failed(await read({ secret: neighbour, op: "current" }, OTHER_APP), "secret_not_registered")
    assert.match(refused.message, new RegExp(`^Backend "other" does not register secret "${idOf(neighbour)}"`))
    failed(await read({ secret: "rotating", op: "active" }, OTHER_APP), "secret_not_registered")
    // A raw call on the binding, as an app's own code could make it: refused the same way.
    const raw = await rpc("read", [idOf(neighbour), { kind: "current" }], OTHER_APP)
    noValue(raw)
    assert.equal((raw.reply as { ok: boolean; error: { code: string } }).error.code, "secret_not_registered")
  })

  test("a sealed copy moved into another member does not open: sealing stays bound to the member's own name", async () => {
    const pack = packOf("key-010")
    const moved = structuredClone(pack)
    const rotating = packOf("rotating").members[idOf("rotating")]!.versions.v1!
    moved.members[idOf("key-010")] = { current: "v2", versions: { v1: { sealed: rotating.sealed! }, v2: { value: valueOf("key-010") } } }
    await put(pack.pack, serializePack(moved))
    try {
      const error = failed(await read({ secret: "key-010", op: "version", arg: "v1" }), "invalid_envelope")
      assert.match(error.message, /is sealed but does not open/)
      const active = await read({ secret: "key-010", op: "skipped" })
      assert.deepEqual(active.ok && (active.result as Array<{ version: string; code: string }>).map((s) => [s.version, s.code]), [["v1", "invalid_envelope"]])
    } finally {
      await put(pack.pack, serializePack(pack))
    }
  })

  test("a rewritten pack is seen by the next read: the parse is never reused across texts", async () => {
    const pack = packOf("key-020")
    const rotated = structuredClone(pack)
    rotated.members[idOf("key-020")] = { current: "v2", versions: { v1: { value: valueOf("key-020") }, v2: { value: "CANARY_rotated_key_020" } } }
    assert.deepEqual(await read({ secret: "key-020", op: "current" }), { ok: true, result: valueOf("key-020") })
    await put(pack.pack, serializePack(rotated))
    try {
      assert.deepEqual(await read({ secret: "key-020", op: "current" }), { ok: true, result: "CANARY_rotated_key_020" })
      // Another member of the same pack reads unchanged.
      const other = keys.find((key) => key !== "key-020" && packOf(key) === pack && key.startsWith("key-"))!
      assert.deepEqual(await read({ secret: other, op: "current" }), { ok: true, result: valueOf(other) })
    } finally {
      await put(pack.pack, serializePack(pack))
    }
    assert.deepEqual(await read({ secret: "key-020", op: "current" }), { ok: true, result: valueOf("key-020") })
  })

  test("a member missing from its pack has no value yet: secret_not_found naming the pack", async () => {
    const pack = packOf("key-030")
    const without = structuredClone(pack)
    delete without.members[idOf("key-030")]
    await put(pack.pack, serializePack(without))
    try {
      const error = failed(await read({ secret: "key-030", op: "current" }), "secret_not_found")
      assert.match(error.message, new RegExp(`its pack ${pack.pack} holds no member "${idOf("key-030")}"`))
    } finally {
      await put(pack.pack, serializePack(pack))
    }
  })
})

describe("a pack edited out of the documented format", () => {
  /** Stores `text` under the pack holding `key`, reads `key`, restores the pack. */
  async function readTampered(key: string, text: string, also?: () => Promise<void>) {
    const pack = packOf(key)
    await put(pack.pack, text)
    try {
      const error = failed(await read({ secret: key, op: "current" }), "invalid_envelope")
      assert.equal(error.secretId, idOf(key))
      assert.match(error.message, new RegExp(`^Secret "${idOf(key)}" is packed in ${pack.pack}, which is not a valid pack: Pack ${pack.pack}`))
      await also?.()
      return error
    } finally {
      await put(pack.pack, serializePack(pack))
    }
  }

  test("another format tag, text that is not JSON, or a key given twice: invalid_envelope naming the pack and the member", async () => {
    const pack = packOf("key-040")
    const text = serializePack(pack)
    const tag = await readTampered("key-040", text.replace(`"format":"${PACK_FORMAT}"`, `"format":"layeron.pack/v9"`))
    assert.match(tag.message, /"format" must be "layeron.pack\/v1"/)
    const cut = await readTampered("key-040", text.slice(0, text.length - 2))
    assert.match(cut.message, /is not valid JSON/)
    await readTampered("key-040", text.replace(`{"format"`, `{"pack":"${packNames.find((name) => name !== pack.pack)}","format"`))
    // Members of the other packs read on.
    const elsewhere = keys.find((key) => packOf(key) !== pack && key.startsWith("key-"))!
    assert.deepEqual(await read({ secret: elsewhere, op: "current" }), { ok: true, result: valueOf(elsewhere) })
  })

  test("another pack's text stored under this pack's name is refused, not read as this pack", async () => {
    const mine = packOf("key-050")
    const theirs = [...packs.values()].find((pack) => pack !== mine)!
    const error = await readTampered("key-050", serializePack(theirs))
    assert.match(error.message, new RegExp(`"pack" names "${theirs.pack}", not the secret it is stored under`))
  })

  test("one member's envelope broken by hand: that member fails naming itself and the pack; its pack-mates read on", async () => {
    const pack = packOf("key-060")
    const id = idOf("key-060")
    const text = serializePack(pack).replace(`"${id}":{"current":"v1","versions":{"v1":{"value":"${valueOf("key-060")}"}}}`, `"${id}":{"current":"v1","versions":{"v1":{"value":"${valueOf("key-060")}","expiresat":"2030-01-01T00:00:00Z"}}}`)
    assert.notEqual(text, serializePack(pack))
    const mate = keys.find((key) => key !== "key-060" && packOf(key) === pack && key.startsWith("key-"))!
    const error = await readTampered("key-060", text, async () => {
      assert.deepEqual(await read({ secret: mate, op: "current" }), { ok: true, result: valueOf(mate) })
    })
    assert.match(error.message, new RegExp(`Pack ${pack.pack} member "${id}" at members\\.${id}\\.versions\\.v1\\.expiresat is not a valid layeron\\.pack/v1 text: key "expiresat" is not allowed in versions\\.v1`))
  })
})
