import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { isPlainData, projectCacheEnabled, projectCachePath } from "./cache.js"
import { createInputRecorder } from "./import-inputs.js"

describe("isPlainData: what the project cache may keep", () => {
  const plain = [null, true, 0, -1.5, "", "text", [], [1, "a", null], {}, { a: { b: [{ c: 1 }] } }, { skipped: undefined }, Object.create(null)]
  for (const value of plain) {
    it(`keeps ${JSON.stringify(value)}`, () => assert.equal(isPlainData(value), true))
  }
  class Config {
    name = "x"
  }
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  const refused: Array<[string, unknown]> = [
    ["a function", { fetch() {} }],
    ["a Date", { startAt: new Date(0) }],
    ["a class instance", new Config()],
    ["a getter", Object.defineProperty({}, "accountId", { get: () => "x", enumerable: true })],
    ["a hidden property", Object.defineProperty({}, "hidden", { value: 1, enumerable: false })],
    ["a symbol key", { [Symbol.for("x")]: 1 }],
    ["NaN", { bytes: Number.NaN }],
    ["Infinity", [Infinity]],
    ["a bigint", { n: 1n }],
    ["a hole or undefined in an array", [undefined]],
    ["a Map", new Map()],
    ["a cycle", cyclic],
  ]
  for (const [label, value] of refused) {
    it(`refuses ${label}`, () => assert.equal(isPlainData(value), false))
  }
  it("accepts the same object twice (not a cycle)", () => {
    const shared = { mode: "none" }
    assert.equal(isPlainData({ a: shared, b: shared }), true)
  })
})

describe("project cache settings", () => {
  it("is on unless LAYERON_PROJECT_CACHE is off, 0 or false", () => {
    assert.equal(projectCacheEnabled({}), true)
    assert.equal(projectCacheEnabled({ LAYERON_PROJECT_CACHE: "on" }), true)
    for (const off of ["off", "OFF", "0", "false"]) assert.equal(projectCacheEnabled({ LAYERON_PROJECT_CACHE: off }), false, off)
  })
  it("keeps one file per config path under LAYERON_HOME/cache/projects", () => {
    const a = projectCachePath("/home/u/layeron", "/work/a/layeron.config.ts")
    assert.match(a, /^\/home\/u\/layeron\/cache\/projects\/[0-9a-f]{24}\.json$/)
    assert.notEqual(a, projectCachePath("/home/u/layeron", "/work/b/layeron.config.ts"))
  })
})

describe("createInputRecorder", () => {
  it("records the environment variables read during an import, with what they held, and nothing after", async () => {
    const recorder = createInputRecorder()
    const real = process.env
    process.env.LAYERON_RECORDER_PROBE = "seen"
    try {
      let kept: NodeJS.ProcessEnv | undefined
      await recorder.recordEnv(async () => {
        kept = process.env
        void process.env.LAYERON_RECORDER_PROBE
        void ("LAYERON_RECORDER_ABSENT" in process.env)
      })
      void kept?.LAYERON_RECORDER_LATER
      assert.deepEqual([...recorder.inputs.env], [["LAYERON_RECORDER_PROBE", "seen"], ["LAYERON_RECORDER_ABSENT", undefined]])
      assert.equal(recorder.inputs.enumeratedEnv, false)
      assert.equal(process.env, real, "process.env is the real object again")
    } finally {
      delete process.env.LAYERON_RECORDER_PROBE
    }
  })
  it("notes an import that enumerates the environment", async () => {
    const recorder = createInputRecorder()
    await recorder.recordEnv(async () => {
      void Object.keys(process.env)
    })
    assert.equal(recorder.inputs.enumeratedEnv, true)
  })
  it("restores process.env when the import throws", async () => {
    const real = process.env
    const recorder = createInputRecorder()
    await assert.rejects(recorder.recordEnv(async () => Promise.reject(new Error("boom"))), /boom/)
    assert.equal(process.env, real)
  })
  it("keeps each loaded file once, as a path, and ignores data: URLs", () => {
    const recorder = createInputRecorder()
    recorder.onImport("file:///p/src/api.ts?tsx-namespace=x")
    recorder.onImport("file:///p/src/api.ts")
    recorder.onImport("data:text/javascript,export default {}")
    recorder.onImport("file:///p/node_modules/hono/dist/index.js")
    assert.deepEqual(recorder.inputs.files, ["/p/src/api.ts", "/p/node_modules/hono/dist/index.js"])
  })
})
