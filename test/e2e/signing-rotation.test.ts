/**
 * Signing keys rotate under load with zero failed verifications (examples/shop in `layer
 * dev`): HMAC webhooks and ES256 session tokens are signed and verified continuously while
 * `layer secret rotate --apply --yes` runs, tokens and signatures made before the rotation
 * keep verifying, and a relying party that cached the JWKS before the rotation verifies
 * every token signed after it (Node's crypto, from that cached JWKS alone). The rotation
 * state holds no private key. The stream itself is test/helpers/signing-load.mjs, shared
 * with bench/signing-rotation.mjs.
 */
import assert from "node:assert/strict"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { after, test } from "node:test"
import { removeProject, runSigningRotation } from "../helpers/signing-load.mjs"
import type { SigningRotationResult } from "../helpers/signing-load.mjs"

let result: SigningRotationResult | undefined
after(async () => {
  if (result) await removeProject(result.project)
})

test("a rotation in the middle of a stream of sign-then-verify requests fails no verification", { timeout: 240_000 }, async () => {
  result = await runSigningRotation({ concurrency: 3, beforeMs: 1_500, afterMs: 1_500, preRotation: 6 })
  const { failures, served, kids, jwksBefore, jwksAfter, relyingParty, rotated } = result

  assert.deepEqual(failures, [], `failed verifications: ${JSON.stringify(failures.slice(0, 5))}`)
  assert.ok(rotated.includes("auth/session-token-key") && rotated.includes("webhooks/outgoing-webhook-key"), `rotated: ${rotated.join(", ")}`)
  assert.ok(served > 50, `only ${served} requests served`)

  // The keys did change under the stream: v1 signed before, v2 after.
  assert.ok(kids.hmac.includes("before:v1") && kids.hmac.includes("after:v2") && !kids.hmac.includes("after:v1"), `HMAC kids: ${kids.hmac.join(", ")}`)
  assert.ok(kids.jwt.includes("before:v1") && kids.jwt.includes("after:v2") && !kids.jwt.includes("after:v1"), `JWT kids: ${kids.jwt.join(", ")}`)

  // The key that signs after the rotation was published before it: v2 was the next key.
  assert.deepEqual(jwksBefore, ["v1", "v2"])
  assert.deepEqual(jwksAfter, ["v2", "v1", "v3"], "current v2, retained v1, and the new next key v3")
  assert.ok(relyingParty.afterRotation > 0, "the relying party verified tokens signed after the rotation")
  assert.equal(result.cacheControl, "public, max-age=300")
  assert.ok(result.oldVerified > 0)

  // No private JWK member ("d", plain or escaped inside an envelope) in any output, in the
  // rotation state (sealed copies only), in the local store (encrypted) or in LAYERON_HOME.
  const privateMember = /\\?"d\\?"\s*:/
  for (const output of result.outputs) assert.doesNotMatch(output, privateMember, "an output shows a private key")
  for (const dir of [join(result.project.root, ".layeron", "secret-rotation"), join(result.project.root, ".layeron", "local"), result.project.home]) {
    for (const file of await filesUnder(dir)) assert.doesNotMatch(await readFile(file, "utf8"), privateMember, `${file} holds a private key in the clear`)
  }
  const stateDir = join(result.project.root, ".layeron", "secret-rotation", "dev")
  const tokenState = JSON.parse(await readFile(join(stateDir, `${await physicalNameOf(result.project.root, "auth/session-token-key")}.json`), "utf8"))
  assert.equal(tokenState.current, "v2")
  assert.equal(tokenState.versions.v3.createdAt, undefined, "the next key has no createdAt until it is promoted")
  assert.ok(tokenState.versions.v1.expiresAt, "the previous key is retained with an expiry")
})

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await filesUnder(path)))
    else if (entry.isFile()) found.push(path)
  }
  return found
}

/** The physical name the deploy state records for a declaration. */
async function physicalNameOf(root: string, id: string): Promise<string> {
  const state = JSON.parse(await readFile(join(root, ".layeron", "deploy", "dev", "state.json"), "utf8")) as { secrets: { id: string; physicalName: string }[] }
  const found = state.secrets.find((s) => s.id === id)
  assert.ok(found, `${id} is not in the deploy state`)
  return found.physicalName
}
