import { test } from "node:test"
import assert from "node:assert/strict"
import { ManifestError, parseManifest } from "./manifest.js"

const valid = {
  version: 1,
  secrets: {
    "auth/session-key": { binding: "S_lo_310fec09bf29d33532eb83be", physicalName: "lo_310fec09bf29d33532eb83be", format: "base64url", expose: "versioned" },
    "billing/stripe": { binding: "S_STRIPE_SECRET", physicalName: "STRIPE_SECRET", format: "text", expose: "current" },
  },
  sealingKeyBinding: "S_lo_aaaaaaaaaaaaaaaaaaaaaaaa",
  backends: { api: ["auth/session-key", "billing/stripe"], web: [] },
}

test("a manifest parses from a JSON binding (object) and from JSON text alike", () => {
  assert.deepEqual(parseManifest(valid), valid)
  assert.deepEqual(parseManifest(JSON.stringify(valid)), valid)
})

function rejects(raw: unknown, path: string, words: RegExp) {
  assert.throws(
    () => parseManifest(raw),
    (error: unknown) => {
      assert.ok(error instanceof ManifestError)
      assert.equal(error.code, "invalid_manifest")
      assert.equal(error.path, path)
      assert.match(error.message, words)
      assert.match(error.message, /layer deploy/)
      return true
    },
  )
}

test("a backend named like an Object.prototype member is an own key, and other names do not inherit it", () => {
  const manifest = parseManifest(`{"version":1,"secrets":${JSON.stringify(valid.secrets)},"sealingKeyBinding":"S_x","backends":{"__proto__":["billing/stripe"]}}`)
  assert.deepEqual(Object.keys(manifest.backends), ["__proto__"])
  assert.equal(Object.getPrototypeOf(manifest.backends), Object.prototype)
  assert.equal(Object.hasOwn(manifest.backends, "api"), false)
})

test("every malformed manifest is rejected with the path and the rule", () => {
  rejects("{not json", "(root)", /not valid JSON/)
  rejects([], "(root)", /must be an object \(got an array\)/)
  rejects({ ...valid, version: 2 }, "version", /must be 1 \(got 2\)/)
  rejects({ ...valid, sealingKeyBinding: "1bad" }, "sealingKeyBinding", /JavaScript identifier/)
  rejects({ ...valid, secrets: null }, "secrets", /must be an object \(got null\)/)
  // Without allow-lists the product would not know what a backend may read: refused, not "all".
  rejects({ ...valid, backends: undefined }, "backends", /must be an object \(got nothing\)/)
  rejects({ ...valid, backends: { api: "auth/session-key" } }, "backends.api", /must be an array of secret ids/)
  rejects({ ...valid, backends: { api: ["auth/other"] } }, "backends.api[0]", /must be the id of a secret in "secrets" \(got "auth\/other"\)/)
  rejects({ ...valid, secrets: { "no-slash": valid.secrets["auth/session-key"] } }, "secrets.no-slash", /namespace\/name/)
  rejects({ ...valid, secrets: { "a/b/c": valid.secrets["auth/session-key"] } }, "secrets.a/b/c", /namespace\/name/)
  const entry = valid.secrets["auth/session-key"]
  rejects({ ...valid, secrets: { "auth/x": { ...entry, format: "hex" } } }, "secrets.auth/x.format", /"text", "base64url" \(got "hex"\)/)
  rejects({ ...valid, secrets: { "auth/x": { ...entry, expose: undefined } } }, "secrets.auth/x.expose", /got nothing/)
  rejects({ ...valid, secrets: { "auth/x": { ...entry, binding: "has-dash" } } }, "secrets.auth/x.binding", /identifier/)
  rejects({ ...valid, secrets: { "auth/x": { ...entry, physicalName: "has space" } } }, "secrets.auth/x.physicalName", /Cloudflare secret name/)
})

const PACK = "lo_abb53b9a5ef25e68834a8947"
const packed = {
  ...valid,
  secrets: {
    ...valid.secrets,
    "shop/a": { pack: { binding: `S_${PACK}`, name: PACK }, physicalName: "lo_111111111111111111111111", format: "text", expose: "versioned" },
    "shop/b": { pack: { binding: `S_${PACK}`, name: PACK }, physicalName: "lo_222222222222222222222222", format: "text", expose: "current" },
  },
}

test("a packed entry reads through its pack's binding; members of one pack share it", () => {
  assert.deepEqual(parseManifest(packed), packed)
  assert.deepEqual(parseManifest(JSON.stringify(packed)).secrets["shop/a"], packed.secrets["shop/a"])
})

test("a malformed pack reference, or a binding that would serve one text as another, is refused", () => {
  const a = packed.secrets["shop/a"]
  const secrets = (entry: unknown, more: Record<string, unknown> = {}) => ({ ...packed, secrets: { ...packed.secrets, "shop/a": entry, ...more } })
  rejects(secrets({ ...a, binding: "S_x" }), "secrets.shop/a", /has both "binding" and "pack"/)
  rejects(secrets({ ...a, pack: null }), "secrets.shop/a.pack", /must be an object \(got null\)/)
  rejects(secrets({ ...a, pack: { binding: `S_${PACK}`, name: "STRIPE_SECRET" } }), "secrets.shop/a.pack.name", /pack's physical name/)
  rejects(secrets({ ...a, pack: { binding: "bad-binding", name: PACK } }), "secrets.shop/a.pack.binding", /identifier/)
  // One binding, two pack names: the second member would be looked up in the wrong pack's text.
  rejects(secrets({ ...a, pack: { binding: `S_${PACK}`, name: "lo_333333333333333333333333" } }), "secrets.shop/b.pack.binding", /already holds pack lo_333333333333333333333333/)
  rejects(secrets({ ...a, pack: { binding: valid.sealingKeyBinding, name: PACK } }), "secrets.shop/a.pack.binding", /already holds the sealing key/)
  rejects(secrets({ ...a, pack: { binding: "S_STRIPE_SECRET", name: PACK } }), "secrets.shop/a.pack.binding", /already holds secret "billing\/stripe"/)
  rejects({ ...valid, secrets: { ...valid.secrets, "auth/other": { ...valid.secrets["billing/stripe"] } } }, "secrets.auth/other.binding", /already holds secret "billing\/stripe"/)
})
