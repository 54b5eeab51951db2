/**
 * `layer secret import` on the local default, through the built CLI: dotenv and JSON files
 * land where `secret set` would put them (with their sealed records), the env-style
 * convention and --map resolve keys, --dry-run writes nothing and prints no value, and every
 * bad file is refused with its line, exit 1, and the store, state and LAYERON_HOME unchanged.
 */
import assert from "node:assert/strict"
import { chmod, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { createProject, jsonOf } from "../helpers/project.js"
import type { LayerOptions, LayerRun, TestProject } from "../helpers/project.js"
import { layerInPty } from "../helpers/pty.js"
import { readLocalStore, readStates } from "../helpers/rotation.js"

const KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" // 32 bytes, base64url
const STRIPE = "sk_live_IMPORT_CANARY_51f0"
const WEBHOOK = "whsec IMPORT CANARY # not a comment"

interface ImportDocument {
  environment: string
  format: string
  dryRun: boolean
  secrets: { key: string; line: number; declared: string | null; physicalName: string; via: string; action: string; bytes: number; fingerprint: string; next: { status: string; command: string | null } }[]
}

const DOTENV = [
  "# exported from the old system",
  `export SESSION_KEY=${KEY}`,
  `STRIPE_SECRET='${STRIPE}'   # adopted secretName`,
  `PAYMENTS__STRIPE_UNUSED="multi`,
  `line \\"value\\""`,
  "",
  `webhook-key="${WEBHOOK}"`,
  "LEGACY_TOKEN=plain-undeclared-token",
  "",
].join("\n")

describe("layer secret import", () => {
  let project: TestProject
  before(async () => {
    project = await createProject()
  })
  after(() => project.cleanup())

  const layer = (args: string[], options: LayerOptions = {}) => project.layer(args, options)
  const noValues = (run: LayerRun) => {
    for (const value of [KEY, STRIPE, WEBHOOK, "plain-undeclared-token", "multi\nline"]) assert.ok(!(run.stdout + run.stderr).includes(value), "a value appeared in the output")
  }

  it("--dry-run resolves every key, shows sizes and fingerprints, and writes nothing", async () => {
    await project.write(".env", DOTENV)
    const before = await project.snapshot()
    const run = await layer(["secret", "import", ".env", "--dry-run", "--json"])
    assert.equal(run.code, 0, run.stderr)
    noValues(run)
    const doc = jsonOf<ImportDocument>(run)
    assert.equal(doc.dryRun, true)
    assert.equal(doc.format, "dotenv")
    const byKey = new Map(doc.secrets.map((row) => [row.key, row]))
    assert.deepEqual([...byKey.keys()], ["SESSION_KEY", "STRIPE_SECRET", "PAYMENTS__STRIPE_UNUSED", "webhook-key", "LEGACY_TOKEN"])
    assert.deepEqual([byKey.get("SESSION_KEY")?.declared, byKey.get("SESSION_KEY")?.via, byKey.get("SESSION_KEY")?.line], ["auth/session-key", "convention", 2])
    assert.deepEqual([byKey.get("STRIPE_SECRET")?.declared, byKey.get("STRIPE_SECRET")?.physicalName], ["payments/stripe", "STRIPE_SECRET"])
    assert.equal(byKey.get("webhook-key")?.declared, "default/webhook-key")
    assert.equal(byKey.get("webhook-key")?.bytes, Buffer.byteLength(WEBHOOK))
    assert.equal(byKey.get("PAYMENTS__STRIPE_UNUSED")?.declared, null, "no declaration payments/stripe-unused: an undeclared Cloudflare name")
    assert.equal(byKey.get("PAYMENTS__STRIPE_UNUSED")?.bytes, Buffer.byteLength('multi\nline "value"'))
    assert.ok(doc.secrets.every((row) => row.action === "create" && /^[0-9a-f]{8}$/.test(row.fingerprint)))
    const after = await project.snapshot()
    for (const path of before.keys()) assert.equal(after.get(path), before.get(path), `${path} changed`)
    assert.ok(![...after.keys()].some((path) => path.includes(".layeron/local") || path.includes("secret-rotation")), "the dry run wrote to the store or the state")
  })

  it("without a terminal, writing needs --yes", async () => {
    const before = await project.snapshot()
    const run = await layer(["secret", "import", ".env"])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /importing secrets needs confirmation, and stdin is not a terminal\nhint: pass --yes/)
    assert.deepEqual(await project.snapshot(), before)
  })

  it("writes every entry as secret set would: declared ones with their sealed record, and says what happens next", async () => {
    const run = await layer(["secret", "import", ".env", "--yes"])
    assert.equal(run.code, 0, run.stderr)
    noValues(run)
    assert.match(run.stdout, /imported 5 secrets from \.env into dev/)
    assert.match(run.stdout, /auth\/session-key \(by convention\)/)
    assert.match(run.stdout, /next: a running `layer dev --env dev` loads auth\/session-key, payments\/stripe, default\/webhook-key now/)
    assert.match(run.stdout, /no declaration reads PAYMENTS__STRIPE_UNUSED, LEGACY_TOKEN/)
    const texts = await readLocalStore(project)
    const states = await readStates(project)
    const json = jsonOf<ImportDocument>(await layer(["secret", "import", ".env", "--dry-run", "--json"]))
    const physical = (key: string) => json.secrets.find((row) => row.key === key)!.physicalName
    assert.equal(texts.get(physical("SESSION_KEY")), KEY)
    assert.equal(texts.get("STRIPE_SECRET"), STRIPE)
    assert.equal(texts.get(physical("webhook-key")), WEBHOOK)
    assert.equal(texts.get("PAYMENTS__STRIPE_UNUSED"), 'multi\nline "value"')
    assert.equal(texts.get("LEGACY_TOKEN"), "plain-undeclared-token")
    for (const key of ["SESSION_KEY", "STRIPE_SECRET", "webhook-key"]) assert.equal(states.get(physical(key))?.pending, undefined, `${key}: a completed record`)
    assert.ok(states.get(physical("SESSION_KEY"))?.versions, "the declared secret has its sealed record")
    // The rotating secret's current version already holds the imported value: importing again would leave it unchanged.
    assert.ok(json.secrets.every((row) => row.action === (row.key === "SESSION_KEY" ? "unchanged" : "update")), "a second dry run sees them all in the store")
    assert.deepEqual((await project.filesContaining(STRIPE)).filter((path) => !path.endsWith(".env")), [], "a value reached a file other than the import file")
  })

  it("a JSON object (with an envelope value) and --map", async () => {
    const envelope = { current: "v2", versions: { v1: { value: KEY, createdAt: "2026-01-01T00:00:00.000Z" }, v2: { value: KEY.replace("A", "B") } } }
    await project.write("secrets.json", JSON.stringify({ KEY_FOR_SESSIONS: envelope, "auth/signing-key": "AAECAwQFBgcICQoLDA0ODw" }, null, 2))
    const run = await layer(["secret", "import", "secrets.json", "--map", "KEY_FOR_SESSIONS=auth/session-key", "--yes", "--json"])
    assert.equal(run.code, 0, run.stderr)
    const doc = jsonOf<ImportDocument>(run)
    assert.equal(doc.format, "json")
    assert.deepEqual(doc.secrets.map((row) => [row.key, row.declared, row.via, row.line]), [["KEY_FOR_SESSIONS", "auth/session-key", "map", 2], ["auth/signing-key", "auth/signing-key", "name", 14]])
    assert.deepEqual(doc.secrets.map((row) => row.next.status), ["live", "live"])
  })

  describe("bad input: one message naming the line, exit 1, nothing written", () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ["a duplicate key", "A=1\n# c\nA=2\n", /^bad line 3: duplicate key A \(first on line 1\)/],
      ["an empty value", "A=1\nB=\n", /^bad line 2: B has an empty value/],
      ["a value over 65,536 bytes", `A=1\nBIG=${"x".repeat(65_537)}\n`, /^bad line 2 \(BIG\): the value is 65,537 UTF-8 bytes; Cloudflare's limit is 65,536/],
      ["an invalid name", "A=1\nbad name=2\n", /^bad line 2: expected KEY=value/],
      ["an invalid Cloudflare name", "A=1\nbad.name=2\n", /^bad line 2 \(bad\.name\): "bad\.name" is not a valid secret name/],
      ["a BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("A=1\n")]), /^bad line 1: the file starts with a UTF-8 byte-order mark/],
      ["a binary file", Buffer.from([0x41, 0x3d, 0x31, 0x0a, 0x42, 0x3d, 0x00, 0x01]), /^bad line 2: the file holds a NUL byte/],
      ["invalid UTF-8", Buffer.from([0x41, 0x3d, 0x31, 0x0a, 0x0a, 0x42, 0x3d, 0xff, 0xfe]), /^bad line 3: the file is not valid UTF-8/],
      ["the sealing key by name", "A=1\nlayeron/sealing-key=x\n", /^bad line 2: layeron\/sealing-key is lo_[0-9a-f]{24} \(layeron\/sealing-key\), Layeron's own sealing key/],
      ["the sealing key by convention", "A=1\nLAYERON__SEALING_KEY=x\n", /^bad line 2: LAYERON__SEALING_KEY is lo_[0-9a-f]{24} \(layeron\/sealing-key\), Layeron's own sealing key/],
      ["a random secret that is not base64url", "A=1\nSESSION_KEY=not*base64url\n", /^bad line 2 \(SESSION_KEY\): auth\/session-key is a random secret/],
      ["a broken envelope", 'A=1\nwebhook-key={"current":"v1","versions":{"v1":{}}}\n', /^bad line 2 \(webhook-key\): the value is an envelope .* but it is invalid/],
      ["an unclosed quote", 'A=1\nB="CANARY_OPEN\nC=3\n', /^bad line 2: the double quote opening B's value is never closed/],
      ["two keys for one secret", `SESSION_KEY=${KEY}\nauth/session-key=${KEY}\n`, /^bad line 2: auth\/session-key and SESSION_KEY \(line 1\) both write lo_/],
    ]
    for (const [name, content, message] of cases) {
      it(name, async () => {
        await writeFile(join(project.root, "bad"), content)
        const before = await project.snapshot()
        const run = await layer(["secret", "import", "bad", "--yes", "--json"])
        assert.equal(run.code, 1, run.stderr)
        const { error } = jsonOf<{ error: { message: string; hint: string } }>(run)
        assert.match(error.message, message)
        assert.match(error.message, /nothing was written/)
        assert.ok(error.hint.length > 0)
        assert.equal(run.stderr.match(/^error: /gm)?.length, 1, "one message")
        assert.ok(!run.stderr.includes("xxxxxxxx") && !run.stderr.includes("CANARY"), "no value in the message")
        assert.deepEqual(await project.snapshot(), before, "something was written")
      })
    }

    it("an unreadable path, a missing one and a directory", async () => {
      await writeFile(join(project.root, "locked"), "A=1\n")
      await chmod(join(project.root, "locked"), 0o000)
      const root = process.getuid?.() === 0
      const before = await project.snapshot()
      for (const [path, message] of [["missing.env", /cannot read missing\.env: no such file/], ["src", /cannot read src: it is a directory/], ...(root ? [] : [["locked", /cannot read locked: permission denied/]])] as [string, RegExp][]) {
        const run = await layer(["secret", "import", path, "--yes"])
        assert.equal(run.code, 1)
        assert.match(run.stderr, message)
      }
      assert.deepEqual(await project.snapshot(), before)
    })

    it("FILE and --from-stdin together, or neither", async () => {
      for (const args of [["secret", "import", ".env", "--from-stdin", "--yes"], ["secret", "import", "--yes"]]) {
        const run = await layer(args)
        assert.equal(run.code, 1)
        assert.match(run.stderr, /FILE|no file given/)
      }
    })
  })

  it("at a terminal it asks first: no writes nothing, yes writes", async () => {
    await project.write("tty.env", "TTY_TOKEN=tty-value\n")
    const before = await project.snapshot()
    const no = await layerInPty(project, ["secret", "import", "tty.env"], [{ expect: "[y/N] ", send: "n\r" }])
    assert.equal(no.exitCode, 1, no.output)
    assert.match(no.output, /Write 1 secret to dev \(1 new, 0 replaced\)\?/)
    assert.match(no.output, /nothing was imported: it was not confirmed/)
    assert.deepEqual(await project.snapshot(), before)
    const yes = await layerInPty(project, ["secret", "import", "tty.env"], [{ expect: "[y/N] ", send: "y\r" }])
    assert.equal(yes.exitCode, 0, yes.output)
    assert.equal((await readLocalStore(project)).get("TTY_TOKEN"), "tty-value")
  })

  it("--from-stdin reads the file from a pipe", async () => {
    const run = await layer(["secret", "import", "--from-stdin", "--dry-run", "--json"], { input: `FROM_PIPE=${STRIPE}\n` })
    assert.equal(run.code, 0, run.stderr)
    noValues(run)
    assert.deepEqual(jsonOf<ImportDocument>(run).secrets.map((row) => [row.key, row.bytes]), [["FROM_PIPE", STRIPE.length]])
  })
})
