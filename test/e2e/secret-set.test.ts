/** `layer secret set` end to end: the built CLI against a temporary project on the local provider. */
import assert from "node:assert/strict"
import { readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, jsonOf, modeOf } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { stateDirOf } from "../helpers/temp-project.mjs"
import { layerInPty } from "../helpers/pty.js"
import { createLocalProvider } from "../../packages/cli/src/providers/local/index.js"
import { parseStoredValue } from "@layeron/modules/envelope"
import type { SecretSetDocument } from "../../packages/cli/src/commands/secret-set.js"

type SetDocument = SecretSetDocument

const B64_32 = "3q2-7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGho" // 32 bytes, base64url
const ENVELOPE = JSON.stringify({
  current: "v3",
  versions: { v2: { value: "old-secret-value", expiresAt: "2099-06-01T00:00:00.000Z" }, v3: { value: "new-secret-value" } },
})

describe("layer secret set", () => {
  let project: TestProject
  before(async () => {
    project = await createProject()
  })
  after(async () => {
    await project.cleanup()
  })

  const localFile = (name: string, env = "dev") => join(project.root, ".layeron", "local", env, `${name}.json`)

  /** The current version's value as the local store holds it, decrypted with the user's key: the truth, not the CLI's report. */
  const storedValue = async (physicalName: string, env = "dev"): Promise<string | undefined> => {
    const stored = await createLocalProvider({ projectRoot: project.root, environment: env, home: project.home, owner: { workspace: "acme", project: "shop" } }).decryptAll()
    const text = stored.get(physicalName)?.reveal()
    if (text === undefined) return undefined
    const { envelope } = parseStoredValue(text)
    return envelope.versions[envelope.current]?.value
  }

  it("writes an undeclared Cloudflare secret name from --value-env, then updates it in place", async () => {
    const first = await project.layer(["secret", "set", "API_TOKEN", "--value-env", "TOKEN", "--json"], { env: { TOKEN: "token-one" } })
    assert.equal(first.code, 0, first.stderr)
    const created = jsonOf<SetDocument>(first)
    assert.deepEqual({ ...created, fingerprint: "" }, {
      environment: "dev", name: "API_TOKEN", physicalName: "API_TOKEN", declared: null, via: "name", action: "created",
      fingerprint: "", bytes: 9, kind: "plain", mode: "as_given", versions: ["v1"], current: "v1", written: ["v1"], kept: [], expiring: [], dropped: [], replaced: [],
      next: { status: "not_bound", command: null },
    })
    assert.match(created.fingerprint, /^[0-9a-f]{8}$/)
    const record1 = JSON.parse(await readFile(localFile("API_TOKEN"), "utf8")) as Record<string, string>

    const second = await project.layer(["secret", "set", "API_TOKEN", "--value-env", "TOKEN", "--json"], { env: { TOKEN: "token-two" } })
    const updated = jsonOf<SetDocument>(second)
    assert.equal(updated.action, "updated")
    assert.notEqual(updated.fingerprint, created.fingerprint)
    const record2 = JSON.parse(await readFile(localFile("API_TOKEN"), "utf8")) as Record<string, string>
    assert.equal(record2.id, record1.id)
    assert.ok((record2.modified ?? "") > (record1.modified ?? ""))

    // The same value gives the same fingerprint for the same user.
    const again = jsonOf<SetDocument>(await project.layer(["secret", "set", "API_TOKEN", "--value-env", "TOKEN", "--json"], { env: { TOKEN: "token-two" } }))
    assert.equal(again.fingerprint, updated.fingerprint)
  })

  it("says in text which physical name it wrote", async () => {
    const run = await project.layer(["secret", "set", "TEXT_OUT", "--value-env", "V"], { env: { V: "x" } })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^created TEXT_OUT in dev\n  plain value · 1 bytes · fingerprint [0-9a-f]{8}\nnote: no declaration reads TEXT_OUT, so no Layeron Worker binds it; adopt one with secret\.static\(\{ name, secretName: "TEXT_OUT" \}\)/)
  })

  it("says what happens next: a running layer dev loads a declared secret now", async () => {
    const run = await project.layer(["secret", "set", "payments/stripe", "--value-env", "V"], { env: { V: "x" } })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^next: a running `layer dev --env dev` loads payments\/stripe now, without a restart/m)
  })

  it("writes a declared secret to its lo_ physical name and records sealed state for rotation", async () => {
    const run = await project.layer(["secret", "set", "auth/session-key", "--from-stdin", "--json"], { input: B64_32 })
    assert.equal(run.code, 0, run.stderr)
    const doc = jsonOf<SetDocument>(run)
    assert.equal(doc.declared, "auth/session-key")
    assert.match(doc.physicalName, /^lo_[0-9a-f]{24}$/)
    assert.equal(doc.bytes, B64_32.length)
    assert.equal(await storedValue(doc.physicalName), B64_32, "the store holds the bytes given on stdin")
    const state = JSON.parse(await readFile(join(stateDirOf(project.root, "dev"), `${doc.physicalName}.json`), "utf8")) as { physicalName: string; current: string }
    assert.equal(state.physicalName, doc.physicalName)
    assert.equal(state.current, "v1")
    await stat(join(stateDirOf(project.root, "dev"), "public-key.json"))
  })

  it("maps an adopted name and a bare default-namespace name to their declarations", async () => {
    const stripe = jsonOf<SetDocument>(await project.layer(["secret", "set", "STRIPE_SECRET", "--value-env", "S", "--json"], { env: { S: "sk_test_1" } }))
    assert.deepEqual([stripe.physicalName, stripe.declared], ["STRIPE_SECRET", "payments/stripe"])
    const byId = jsonOf<SetDocument>(await project.layer(["secret", "set", "payments/stripe", "--value-env", "S", "--json"], { env: { S: "sk_test_2" } }))
    assert.deepEqual([byId.physicalName, byId.action], ["STRIPE_SECRET", "updated"])
    const webhook = jsonOf<SetDocument>(await project.layer(["secret", "set", "webhook-key", "--value-env", "S", "--json"], { env: { S: "whsec" } }))
    assert.equal(webhook.declared, "default/webhook-key")
    assert.match(webhook.physicalName, /^lo_/)
  })

  it("stores an envelope with its versions, or literally with --plain", async () => {
    // webhook-key holds v1 (set above): an envelope without it is refused, and --replace-all replaces it.
    const refused = await project.layer(["secret", "set", "webhook-key", "--value-env", "E", "--json"], { env: { E: ENVELOPE } })
    assert.equal(refused.code, 1, refused.stderr)
    assert.equal(jsonOf<{ error: { code: string } }>(refused).error.code, "versions_would_be_lost")
    const envelope = jsonOf<SetDocument>(await project.layer(["secret", "set", "webhook-key", "--value-env", "E", "--replace-all", "--yes", "--json"], { env: { E: ENVELOPE } }))
    assert.deepEqual([envelope.kind, envelope.versions, envelope.current, envelope.dropped], ["envelope", ["v2", "v3"], "v3", ["v1"]])
    const literal = jsonOf<SetDocument>(await project.layer(["secret", "set", "LITERAL", "--value-env", "E", "--plain", "--json"], { env: { E: '{"current":"nope","versions":{}}' } }))
    assert.deepEqual([literal.kind, literal.versions], ["plain", ["v1"]])
    // Readers must see the literal text, not versions parsed out of it.
    const stored = await createLocalProvider({ projectRoot: project.root, environment: "dev", home: project.home, owner: { workspace: "acme", project: "shop" } }).decryptAll()
    const text = stored.get("LITERAL")?.reveal() ?? ""
    assert.equal(parseStoredValue(text).envelope.versions.v1?.value, '{"current":"nope","versions":{}}')
  })

  it("environments have separate stores", async () => {
    const run = await project.layer(["secret", "set", "PER_ENV", "--value-env", "V", "--env", "staging", "--json"], { env: { V: "s" } })
    assert.equal(jsonOf<SetDocument>(run).environment, "staging")
    await stat(localFile("PER_ENV", "staging"))
    await assert.rejects(stat(localFile("PER_ENV", "dev")))
  })

  it("--value works, with a warning that argv is visible", async () => {
    const run = await project.layer(["secret", "set", "FROM_FLAG", "--value", "flag-value"])
    assert.equal(run.code, 0)
    assert.match(run.stderr, /^warning: --value puts the secret in the process list and your shell history; prefer --value-env VAR, --from-stdin or the prompt$/m)
  })

  it("keeps stdin byte for byte, warning about a trailing newline", async () => {
    const input = "two\r\nlines\t, é ✓ \u{1F511}\n"
    const run = await project.layer(["secret", "set", "NEWLINE", "--from-stdin", "--json"], { input })
    assert.equal(run.code, 0, run.stderr)
    assert.equal(jsonOf<SetDocument>(run).bytes, Buffer.byteLength(input))
    assert.match(run.stderr, /warning: the value from stdin ends with a newline, which is kept/)
    assert.equal(await storedValue("NEWLINE"), input, "the store holds stdin byte for byte")
  })

  it("warns above 80 % of the size limit", async () => {
    const run = await project.layer(["secret", "set", "BIG", "--from-stdin"], { input: "x".repeat(60_000) })
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, /warning: the value is 60,000 bytes, 92 % of the 65,536-byte limit/)
  })

  it("--replace-all asks at a terminal, naming the versions it drops; a no writes nothing", async () => {
    const envelope = JSON.stringify({ current: "v2", versions: { v1: { value: "one" }, v2: { value: "two" } } })
    assert.equal((await project.layer(["secret", "set", "payments/stripe", "--value-env", "E", "--replace-all", "--yes"], { env: { E: envelope } })).code, 0)
    const before = await project.snapshot()
    const refused = await layerInPty(project, ["secret", "set", "payments/stripe", "--value-env", "V", "--replace-all"], [{ expect: "[y/N]", send: "n\r" }], { V: "three" })
    assert.equal(refused.exitCode, 1, refused.output)
    assert.match(refused.output, /Replace every version of STRIPE_SECRET \(payments\/stripe\) in dev \(drops v2, overwrites v1: still readable\)\?/)
    assert.match(refused.output, /nothing was written: it was not confirmed/)
    assert.deepEqual(await project.snapshot(), before, "a no writes nothing")
    const confirmed = await layerInPty(project, ["secret", "set", "payments/stripe", "--value-env", "V", "--replace-all", "--json"], [{ expect: "[y/N]", send: "y\r" }], { V: "three" })
    assert.equal(confirmed.exitCode, 0, confirmed.output)
    assert.match(confirmed.output, /"dropped": \[\s*"v2"\s*\]/)
    assert.equal(await storedValue("STRIPE_SECRET"), "three")
  })

  it("asks twice at a terminal without echoing, and writes", async () => {
    const run = await layerInPty(project, ["secret", "set", "PROMPTED", "--json"], [
      { expect: "Value for PROMPTED in dev: ", send: "typed at-prompt 42\r" },
      { expect: "Enter it again: ", send: "typed at-prompt 42\r" },
    ])
    assert.equal(run.exitCode, 0, run.output)
    assert.doesNotMatch(run.output, /typed at-prompt/)
    assert.match(run.output, /"action": "created"/)
    assert.equal(await storedValue("PROMPTED"), "typed at-prompt 42", "the store holds what was typed, without the Enter")
  })

  it("creates LAYERON_HOME 0700 with 0600 keys, and no key inside the project", async () => {
    // Its own write first: the keys must exist whatever ran before.
    assert.equal((await project.layer(["secret", "set", "HOME_CHECK", "--value-env", "V"], { env: { V: "h" } })).code, 0)
    assert.equal(await modeOf(project.home), 0o700)
    assert.equal(await modeOf(join(project.home, "local-store.key")), 0o600)
    assert.equal(await modeOf(join(project.home, "fingerprint.key")), 0o600)
  })
})
