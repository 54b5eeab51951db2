/**
 * test/<backend>.test.ts: one test of the backend's own route with `testSecrets`
 * (`@layeron/modules/testing`): no miniflare, no store, the product's read rules. It runs under
 * node:test (`npm test`) and under vitest alike: vitest collects every *.test.ts, so the file
 * takes `test` from whichever runner loads it (vitest sets VITEST).
 */
import type { Template } from "./types.js"

export const testTemplate: Template = {
  path: ({ backend }) => `test/${backend}.test.ts`,
  content: ({ backend }) => `import assert from "node:assert/strict"
import { encodeBase64Url } from "@layeron/modules/envelope"
import { testSecrets } from "@layeron/modules/testing"
import app, { sessionKey } from "../src/${backend}.js"

// node:test under \`npm test\`, vitest's own test() when vitest runs this file (both take a name and a function).
const { test } = (await import(process.env.VITEST ? "vitest" : "node:test")) as typeof import("node:test")

const key = encodeBase64Url(new Uint8Array(32).fill(7)) // a test key, never a real one
const versions = async (t: ReturnType<typeof testSecrets>) =>
  ((await (await t.run(() => app.request("/session-key/versions"))).json()) as { version: string }[]).map((v) => v.version)

test("the session key rotates, and the old version stays readable for 14 days", async () => {
  const t = testSecrets(
    { "auth/session-key": { current: "v1", versions: { v1: { value: key, createdAt: "2026-05-01T00:00:00Z" } } } },
    { now: "2026-06-01T00:00:00Z", app },
  )
  assert.deepEqual(await versions(t), ["v1"])
  await t.rotate(sessionKey) // as \`layer secret rotate --apply\` would: v2 current, v1 kept for 14 days
  assert.deepEqual(await versions(t), ["v2", "v1"])
  t.setNow("2026-06-16T00:00:00Z") // v1 has expired
  assert.deepEqual(await versions(t), ["v2"])
})
`,
}
