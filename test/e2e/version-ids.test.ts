/**
 * Version ids that are also property names of every JavaScript object (`__proto__`,
 * `constructor`) are ordinary ids: written with `secret set`, carried sealed by a rotation,
 * and still there, with their own values, in the store and the state afterwards.
 */
import assert from "node:assert/strict"
import { after, describe, it } from "node:test"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { assertStoreMatchesState, readLocalStore, readState, ROTATION_API, sealingPrivateKey } from "../helpers/rotation.js"

const OLD = "b2xkLXByb3RvLXZlcnNpb24tMzItYnl0ZXMtbG9uZyE"
const CURRENT = "Y29uc3RydWN0b3ItdmVyc2lvbi0zMi1ieXRlcy1vayE"
const WRITTEN = "2026-06-01T00:00:00.000Z"
const LATER = "2026-07-05T00:00:00.000Z"

const projects: TestProject[] = []
after(async () => {
  for (const project of projects) await project.cleanup()
})

describe("version ids named like object properties", () => {
  it("__proto__ and constructor are written, rotated and carried like any other id", async () => {
    const project = await createProject({ "src/api.ts": ROTATION_API })
    projects.push(project)
    const envelope = JSON.stringify({
      current: "constructor",
      versions: {
        __proto__: { value: OLD, createdAt: "2026-05-01T00:00:00.000Z" },
        constructor: { value: CURRENT, createdAt: "2026-05-20T00:00:00.000Z" },
      },
    })
    // JSON.stringify of an object literal drops a `__proto__` key: build the text by hand.
    const text = envelope.includes('"__proto__"') ? envelope : envelope.replace('"versions":{', `"versions":{"__proto__":{"value":"${OLD}","createdAt":"2026-05-01T00:00:00.000Z"},`)
    assert.ok(text.includes('"__proto__"'))

    const set = await project.layer(["secret", "set", "auth/session-key", "--from-stdin", "--json"], { input: text, env: { LAYERON_TEST_NOW: WRITTEN } })
    assert.equal(set.code, 0, set.stderr)
    const physicalName = (JSON.parse(set.stdout) as { physicalName: string }).physicalName
    const written = await readState(project, physicalName)
    assert.deepEqual(Object.keys(written.versions).sort(), ["__proto__", "constructor"])
    assert.equal(Object.getPrototypeOf(written.versions), Object.prototype, "the parsed state is a plain object whose __proto__ key is data")

    const rotated = await project.layer(["secret", "rotate", "--apply", "--yes", "--json"], { env: { LAYERON_TEST_NOW: LATER } })
    assert.equal(rotated.code, 0, rotated.stderr)
    const state = await readState(project, physicalName)
    assert.equal(state.current, "v1", "no numeric version was present, so the new one is v1")
    assert.deepEqual(Object.keys(state.versions).sort(), ["__proto__", "constructor", "v1"])
    assert.ok(state.versions.constructor?.expiresAt, "the previous current is retained with an expiry (retain_for)")

    const texts = await readLocalStore(project)
    const opened = await assertStoreMatchesState(physicalName, texts.get(physicalName)!, state, await sealingPrivateKey(project, texts))
    assert.equal(opened.versions.get("__proto__")?.value, OLD)
    assert.equal(opened.versions.get("constructor")?.value, CURRENT)
  })
})
