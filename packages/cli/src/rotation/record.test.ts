/**
 * The write-ahead record and the sealing key, on the real local provider in a temporary
 * project: what the state holds after a write, after a write that failed, and how a pending
 * intent is settled by the provider's `modified` alone.
 */
import assert from "node:assert/strict"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, beforeEach, describe, test } from "node:test"
import { secret } from "@layeron/modules"
import { unseal } from "@layeron/modules/seal"
import { isLayerError } from "../errors.js"
import { createLocalProvider } from "../providers/local/index.js"
import { SecretText } from "../providers/provider.js"
import { keyAnchor, stateAnchor } from "./anchor.js"
import { publicKeyPath } from "./paths.js"
import { settlePending, settleState, writeRecorded } from "./record.js"
import { checkSealingKey, ensureSealingKey } from "./sealing-key.js"
import type { SealingContext } from "./sealing-key.js"
import { readSecretState, writeSecretState } from "./state-file.js"

const declaration = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }).declaration
const NAME = "lo_0123456789abcdef01234567"
const KEY_NAME = "lo_aaaaaaaaaaaaaaaaaaaaaaaa"
const VALUE = "c2Vzc2lvbi1rZXktc2VlZC12YWx1ZS0zMi1ieXRlcyE"

const roots: string[] = []
let context: SealingContext
let home: string

beforeEach(async () => {
  const root = await mkdtemp(join(tmpdir(), "layeron-record-"))
  roots.push(root)
  home = join(root, "home")
  context = { projectRoot: join(root, "project"), environment: "dev", provider: createLocalProvider({ projectRoot: join(root, "project"), environment: "dev", home, owner: { workspace: "acme", project: "shop" } }), sealingKeyName: KEY_NAME }
})
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true })
})

async function privateKey(): Promise<JsonWebKey> {
  const values = await createLocalProvider({ projectRoot: context.projectRoot, environment: "dev", home, owner: { workspace: "acme", project: "shop" } }).decryptAll()
  return JSON.parse(values.get(KEY_NAME)!.reveal()) as JsonWebKey
}

const write = (value: string, at: string) =>
  writeRecorded({
    context,
    declaration,
    physicalName: NAME,
    stored: { current: "v1", versions: { v1: { value } } },
    text: new SecretText(value),
    action: "set",
    command: "layer secret set auth/session-key",
    at: new Date(at),
  })

describe("writeRecorded", () => {
  test("creates the sealing key once, writes the value, completes the record with a sealed copy", async () => {
    const { metadata, state } = await write(VALUE, "2026-01-01T00:00:00Z")
    assert.equal(metadata.action, "created")
    assert.equal(state.pending, undefined)
    assert.deepEqual(state.provider, { kind: "local", secretId: metadata.id, modified: metadata.modified })
    assert.deepEqual(state.policy, declaration.rotation)
    assert.equal(state.versions.v1?.createdAt, "2026-01-01T00:00:00.000Z")
    assert.equal(await unseal(await privateKey(), state.versions.v1!.sealed, { physicalName: NAME, versionId: "v1" }), VALUE)
    assert.deepEqual(state.log, [{ at: "2026-01-01T00:00:00.000Z", action: "set", version: "v1", command: "layer secret set auth/session-key" }])
    assert.deepEqual(await readSecretState(context.projectRoot, "dev", NAME), state)
    const keyFile = JSON.parse(await readFile(publicKeyPath(context.projectRoot, "dev"), "utf8")) as { pending?: true; physicalName: string; createdAt: string }
    assert.deepEqual([keyFile.pending, keyFile.physicalName, keyFile.createdAt], [undefined, KEY_NAME, "2026-01-01T00:00:00.000Z"])
    assert.ok(!(await readFile(join(context.projectRoot, ".layeron", "secret-rotation", "dev", `${NAME}.json`), "utf8")).includes(VALUE))
  })

  test("a provider write that fails leaves the intent; the next run drops it, since `modified` did not move", async () => {
    await write(VALUE, "2026-01-01T00:00:00Z")
    const tooLarge = "A".repeat(70_000)
    await assert.rejects(write(tooLarge, "2026-02-01T00:00:00Z"), (error) => isLayerError(error) && error.code === "value_too_large")
    const left = await readSecretState(context.projectRoot, "dev", NAME)
    assert.equal(left?.pending?.startedAt, "2026-02-01T00:00:00.000Z")
    assert.equal(left?.pending?.providerModifiedBefore, left?.provider.modified)
    const settled = await settlePending(context, NAME)
    assert.equal(settled?.pending, undefined)
    assert.equal(settled?.log.length, 1, "the failed write is not logged")
    assert.equal((await readSecretState(context.projectRoot, "dev", NAME))?.pending, undefined, "settling is written")
  })
})

describe("settleState: landed or not, by the provider's modified only", () => {
  const base = async () => {
    const { state } = await write(VALUE, "2026-01-01T00:00:00Z")
    return { ...state, pending: { action: "rotate", versionId: "v2", current: "v2", versions: { ...state.versions, v2: state.versions.v1! }, startedAt: "2026-02-01T00:00:00.000Z", command: "layer secret rotate --env dev --apply", providerModifiedBefore: state.provider.modified! } }
  }
  test("modified moved: the write landed; completed, logged as recovered, with the new modified", async () => {
    const state = await base()
    const settled = settleState(state, { name: NAME, id: "x", created: "c", modified: "2099-01-01T00:00:00.000Z" })
    assert.deepEqual([settled.pending, settled.current, settled.provider.modified], [undefined, "v2", "2099-01-01T00:00:00.000Z"])
    assert.deepEqual(settled.log.at(-1), { at: "2026-02-01T00:00:00.000Z", action: "rotate", version: "v2", command: "layer secret rotate --env dev --apply", recovered: true })
  })
  test("modified unchanged, even with a clock far ahead: not landed; dropped, the state as before", async () => {
    const state = await base()
    const settled = settleState(state, { name: NAME, id: "x", created: "c", modified: state.pending.providerModifiedBefore })
    assert.deepEqual([settled.pending, settled.current, settled.log.length], [undefined, "v1", 1])
  })
  test("the secret is gone: not landed", async () => {
    const settled = settleState(await base(), undefined)
    assert.deepEqual([settled.pending, settled.current], [undefined, "v1"])
  })
  test("an intent for a secret that did not exist lands as soon as it exists", async () => {
    const state = await base()
    const { providerModifiedBefore: _none, ...pending } = state.pending
    const settled = settleState({ ...state, pending }, { name: NAME, id: "x", created: "c", modified: "m" })
    assert.equal(settled.current, "v2")
  })
})

describe("the sealing key pair", () => {
  test("created with the private half stored before the public file is final; reused afterwards", async () => {
    assert.deepEqual(await checkSealingKey(context), { kind: "absent" })
    const first = await ensureSealingKey(context)
    assert.equal((await checkSealingKey(context)).kind, "ready")
    assert.deepEqual(await ensureSealingKey(context), first)
    assert.ok(await context.provider.find(KEY_NAME))
  })

  test("a pending public file with nothing in the store (killed before the private half was stored) is replaced by a fresh pair", async () => {
    const killed = await ensureSealingKey(context)
    await context.provider.delete(KEY_NAME)
    await writeFile(publicKeyPath(context.projectRoot, "dev"), JSON.stringify({ ...killed, pending: true }))
    assert.deepEqual(await checkSealingKey(context), { kind: "absent" }, "a pending key never seals")
    const fresh = await ensureSealingKey(context)
    assert.notDeepEqual(fresh.publicKey, killed.publicKey)
    assert.equal(fresh.pending, undefined)
    assert.deepEqual((await privateKey()).x, fresh.publicKey.x, "the store holds the new private half")
  })

  test("a pending public file whose private half the store anchored (killed after storing it) is completed, never replaced", async () => {
    const killed = await ensureSealingKey(context)
    const before = (await context.provider.find(KEY_NAME))!.modified
    await writeFile(publicKeyPath(context.projectRoot, "dev"), JSON.stringify({ ...killed, pending: true }))
    const completed = await ensureSealingKey(context)
    assert.deepEqual(completed.publicKey, killed.publicKey)
    assert.equal(JSON.parse(await readFile(publicKeyPath(context.projectRoot, "dev"), "utf8")).pending, undefined)
    assert.equal((await context.provider.find(KEY_NAME))!.modified, before, "the private half was not rewritten")
  })

  test("a pending public file over a private half written before anchors is refused with a recovery path", async () => {
    const file = await ensureSealingKey(context)
    const privateHalf = (await createLocalProvider({ projectRoot: context.projectRoot, environment: "dev", home, owner: { workspace: "acme", project: "shop" } }).decryptAll()).get(KEY_NAME)!
    await context.provider.upsert(KEY_NAME, privateHalf) // no comment: a key stored before anchors
    await writeFile(publicKeyPath(context.projectRoot, "dev"), JSON.stringify({ ...file, pending: true }))
    const stored = await context.provider.find(KEY_NAME)
    await assert.rejects(ensureSealingKey(context), (error) => isLayerError(error) && error.code === "sealing_key_pending" && /--re-anchor/.test(error.hint ?? ""))
    assert.deepEqual(await context.provider.find(KEY_NAME), stored, "the store is untouched")
  })

  test("a swapped public key (its fingerprint recomputed) is refused before anything is sealed, naming both fingerprints", async () => {
    const genuine = await ensureSealingKey(context)
    const { generateSealingKeyPair, publicKeyFingerprint } = await import("@layeron/modules/seal")
    const attacker = await generateSealingKeyPair()
    const swapped = { ...genuine, publicKey: attacker.publicKey, fingerprint: await publicKeyFingerprint(attacker.publicKey) }
    await writeFile(publicKeyPath(context.projectRoot, "dev"), JSON.stringify(swapped))
    await assert.rejects(write(VALUE, "2026-01-01T00:00:00Z"), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "sealing_key_mismatch")
      assert.ok(error.message.includes(swapped.fingerprint) && error.message.includes(genuine.fingerprint), error.message)
      return true
    })
    assert.equal(await context.provider.find(NAME), undefined, "nothing was written")
  })

  test("a first write over a sealing key stored before anchors anchors it and says so", async () => {
    const file = await ensureSealingKey(context)
    const privateHalf = (await createLocalProvider({ projectRoot: context.projectRoot, environment: "dev", home, owner: { workspace: "acme", project: "shop" } }).decryptAll()).get(KEY_NAME)!
    await context.provider.upsert(KEY_NAME, privateHalf)
    const notes: string[] = []
    await writeFile(publicKeyPath(context.projectRoot, "dev"), JSON.stringify(file) + " ")
    await ensureSealingKey({ ...context, notify: (message) => notes.push(message) })
    assert.equal(notes.length, 1)
    assert.match(notes[0]!, new RegExp(`anchored the sealing key .+${file.fingerprint}`))
    assert.equal((await context.provider.find(KEY_NAME))!.comment, keyAnchor(file.publicKey))
  })

  test("a version id such as __proto__ or constructor is a plain key in the state", async () => {
    const { state } = await writeRecorded({
      context,
      declaration,
      physicalName: NAME,
      stored: { current: "constructor", versions: JSON.parse(`{"__proto__": {"value": "a"}, "constructor": {"value": "b"}}`) },
      text: new SecretText("x"),
      action: "set",
      command: "layer secret set auth/session-key",
      at: new Date("2026-01-01T00:00:00Z"),
    })
    assert.deepEqual(Object.keys(state.versions).sort(), ["__proto__", "constructor"])
    assert.equal(Object.getPrototypeOf(state.versions), Object.prototype)
    const reread = await readSecretState(context.projectRoot, "dev", NAME)
    assert.deepEqual(Object.keys(reread!.versions).sort(), ["__proto__", "constructor"])
    assert.equal((await context.provider.find(NAME))!.comment, stateAnchor(NAME, { current: "constructor", versions: reread!.versions }))
  })

  test("the private half deleted from the store: refused by the check rotation makes, never replaced", async () => {
    await ensureSealingKey(context)
    await context.provider.delete(KEY_NAME)
    await assert.rejects(checkSealingKey(context), (error) => {
      assert.ok(isLayerError(error))
      assert.equal(error.code, "sealing_key_missing")
      assert.match(error.message, /the sealing key lo_a+ \(layeron\/sealing-key\) of environment "dev" is missing from the store/)
      // The state may be all that is left of the history: moved aside, never deleted.
      assert.match(error.hint ?? "", /keeping the old state: `mv \S+secret-rotation\/dev \S+secret-rotation\/dev\.lost-sealing-key`/)
      assert.doesNotMatch(error.hint ?? "", /delete|\brm\b/)
      return true
    })
    // A plain write (`secret set`) trusts a complete public file and seals to it: harmless,
    // and one request cheaper; it never creates a new pair over a used public key.
    await ensureSealingKey(context)
    assert.equal(await context.provider.find(KEY_NAME), undefined)
  })

  test("the public file missing while the private half is stored: refused, the private half kept", async () => {
    await ensureSealingKey(context)
    const before = (await context.provider.find(KEY_NAME))!.modified
    await rm(publicKeyPath(context.projectRoot, "dev"))
    await assert.rejects(ensureSealingKey(context), (error) => isLayerError(error) && error.code === "sealing_key_public_missing" && /git checkout -- .+public-key\.json/.test(error.hint ?? ""))
    assert.equal((await context.provider.find(KEY_NAME))!.modified, before)
  })

  test("a damaged public file is refused with its path", async () => {
    await ensureSealingKey(context)
    await writeFile(publicKeyPath(context.projectRoot, "dev"), "{")
    await assert.rejects(checkSealingKey(context), /sealing public key .+public-key\.json is invalid/)
  })

  test("state files are written even into an environment's first, missing directory", async () => {
    const { state } = await write(VALUE, "2026-01-01T00:00:00Z")
    await writeSecretState(context.projectRoot, "staging", { ...state })
    assert.ok(await readSecretState(context.projectRoot, "staging", NAME))
  })
})
