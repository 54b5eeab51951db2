/**
 * The one order of a secret's versions (newest first: next, current, then by createdAt) and
 * their states, as `secret versions`, `secret revoke` and the plan's VERSIONS column show them.
 */
import assert from "node:assert/strict"
import { test } from "node:test"
import { listVersions, versionIdsNewestFirst } from "./version-list.js"

const now = new Date("2026-03-01T00:00:00.000Z")

test("a key pair: the next key first, then current, then retained and expired by createdAt", () => {
  const envelope = {
    current: "v3",
    versions: {
      v1: { createdAt: "2026-01-01T00:00:00.000Z", expiresAt: "2026-02-15T00:00:00.000Z" },
      v4: {},
      v2: { createdAt: "2026-02-01T00:00:00.000Z", expiresAt: "2026-03-15T00:00:00.000Z" },
      v3: { createdAt: "2026-02-28T00:00:00.000Z" },
    },
  }
  assert.deepEqual(
    listVersions(envelope, now, { keyPair: true }).map((version) => [version.id, version.state, version.expiresAt]),
    [
      ["v4", "next", null],
      ["v3", "current", null],
      ["v2", "retained", "2026-03-15T00:00:00.000Z"],
      ["v1", "expired", "2026-02-15T00:00:00.000Z"],
    ],
  )
})

test("an undated version is next only on a key pair; elsewhere it is retained and sorts after dated ones", () => {
  const envelope = { current: "v1", versions: { v1: { createdAt: "2026-01-01T00:00:00.000Z" }, v2: {} } }
  assert.deepEqual(listVersions(envelope, now, { keyPair: false }).map((version) => [version.id, version.state]), [
    ["v1", "current"],
    ["v2", "retained"],
  ])
})

test("expiry is judged at now: at the instant of expiresAt the version is expired", () => {
  const envelope = { current: "v2", versions: { v1: { createdAt: "2026-01-01T00:00:00.000Z", expiresAt: now.toISOString() }, v2: { createdAt: "2026-02-01T00:00:00.000Z" } } }
  assert.equal(listVersions(envelope, now, { keyPair: false })[1]!.state, "expired")
  assert.equal(listVersions(envelope, new Date(now.getTime() - 1), { keyPair: false })[1]!.state, "retained")
})

test("undated versions (a plain `secret set`) sort by id, highest first, after dated ones", () => {
  const envelope = { current: "v10", versions: { v9: {}, v10: {}, v2: {}, v11: { createdAt: "2026-01-01T00:00:00.000Z" } } }
  assert.deepEqual(versionIdsNewestFirst(envelope, { keyPair: false }), ["v10", "v11", "v9", "v2"])
})
