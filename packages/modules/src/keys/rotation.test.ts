import { test } from "node:test"
import assert from "node:assert/strict"
import { selectActive, selectCurrent } from "../envelope/select.js"
import { generateSealingKeyPair, seal } from "../seal/index.js"
import type { Envelope } from "../envelope/types.js"
import { freshKeysNeeded, nextKeyId, rotateSigningKeys } from "./rotation.js"

const T0 = new Date("2026-05-01T00:00:00.000Z")
const T1 = new Date("2026-05-31T00:00:00.000Z")
const T2 = new Date("2026-06-30T00:00:00.000Z")
const retain = { mode: "retain_for" as const, days: 2 }

test("the first rotation writes a current key and a next key published beside it", () => {
  assert.equal(freshKeysNeeded(undefined), 2)
  const first = rotateSigningKeys(undefined, { at: T0, retain, newVersionId: "v1", fresh: ["K1", "K2"] })
  assert.deepEqual(first, { current: "v1", versions: { v1: { value: "K1", createdAt: T0.toISOString() }, v2: { value: "K2" } } })
  assert.equal(nextKeyId(first), "v2")
  assert.equal(selectCurrent(first, T0).ok && selectCurrent(first, T0).id, "v1")
  assert.deepEqual(selectActive(first, T0).map((a) => a.id), ["v1", "v2"], "the next key is active (published), never current")
})

test("each rotation promotes the published next key (createdAt = the rotation) and publishes a new next one", () => {
  const first = rotateSigningKeys(undefined, { at: T0, retain, newVersionId: "v1", fresh: ["K1", "K2"] })
  assert.equal(freshKeysNeeded(first), 1)
  const second = rotateSigningKeys(first, { at: T1, retain, newVersionId: "v3", fresh: ["K3"] })
  assert.deepEqual(second, {
    current: "v2",
    versions: {
      v1: { value: "K1", createdAt: T0.toISOString(), expiresAt: new Date(T1.getTime() + 2 * 86_400_000).toISOString() },
      v2: { value: "K2", createdAt: T1.toISOString() },
      v3: { value: "K3" },
    },
  })
  // Every key that signs after T1 (v2) was in the key set before T1.
  assert.ok(selectActive(first, T0).some((a) => a.id === second.current))
  const third = rotateSigningKeys(second, { at: T2, retain, newVersionId: "v4", fresh: ["K4"] })
  assert.equal(third.current, "v3")
  assert.deepEqual(Object.keys(third.versions).sort(), ["v2", "v3", "v4"], "v1 expired at T1 + 2 days and is dropped")
  assert.equal(nextKeyId(third), "v4")
})

test("sealed copies (as the CLI carries them from its state) are promoted as they are; retain none drops the previous current", async () => {
  const { publicKey } = await generateSealingKeyPair()
  const sealed = await seal(publicKey, "K2", { physicalName: "lo_test", versionId: "v2" })
  const before: Envelope = { current: "v1", versions: { v1: { value: "K1", createdAt: T0.toISOString() }, v2: { sealed } } }
  const after = rotateSigningKeys(before, { at: T1, retain: { mode: "none" }, newVersionId: "v3", fresh: ["K3"] })
  assert.deepEqual(after, { current: "v2", versions: { v2: { sealed, createdAt: T1.toISOString() }, v3: { value: "K3" } } })
})

test("an envelope without a next key (written by hand, history discarded) gets a new current and a new next", () => {
  const before: Envelope = { current: "v4", versions: { v4: { value: "K4", createdAt: T0.toISOString() } } }
  assert.equal(nextKeyId(before), undefined)
  assert.equal(freshKeysNeeded(before), 2)
  const after = rotateSigningKeys(before, { at: T1, retain: { mode: "retain_forever" }, newVersionId: "v5", fresh: ["K5", "K6"] })
  assert.deepEqual(after, { current: "v5", versions: { v4: { value: "K4", createdAt: T0.toISOString() }, v5: { value: "K5", createdAt: T1.toISOString() }, v6: { value: "K6" } } })
  assert.throws(() => rotateSigningKeys(before, { at: T1, retain, newVersionId: "v5", fresh: ["K5"] }), /expected 2 fresh key/)
})

test("a dated version, or one older than current, is never taken for the next key", () => {
  assert.equal(nextKeyId({ current: "v2", versions: { v1: { value: "a" }, v2: { value: "b", createdAt: T0.toISOString() } } }), undefined)
  assert.equal(nextKeyId({ current: "v2", versions: { v2: { value: "b", createdAt: T0.toISOString() }, v3: { value: "c", createdAt: T1.toISOString() } } }), undefined)
})
