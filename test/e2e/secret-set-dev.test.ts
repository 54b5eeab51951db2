/**
 * What issue 23 found, as a user meets it in `layer dev`: signatures made with a rotating HMAC
 * key before a plain `secret set` keep verifying after it (the set becomes the next version;
 * the retained ones stay readable), and only `--replace-all` makes them stop. The app signs
 * and verifies through @layeron/modules/keys in workerd, reading the local store through
 * `layer dev`, which reloads on every write.
 */
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { after, test } from "node:test"
import { startLayerDev } from "../helpers/dev.js"
import type { RunningDev } from "../helpers/dev.js"
import { pollUntil } from "../helpers/poll.js"
import { createProject, LAYER_BIN } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"

const API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
import { hmac } from "@layeron/modules/keys"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
app.use(sessionKey)
const signer = hmac(sessionKey)

app.post("/sign", async (c) => c.json(await signer.sign(await c.req.text())))
app.post("/verify", async (c) => c.json(await signer.verify(await c.req.text(), c.req.header("x-signature") ?? "", c.req.header("x-kid") ?? undefined)))
export default app
`

const DAY = 86_400_000
const key = () => randomBytes(32).toString("base64url")

let project: TestProject | undefined
let dev: RunningDev | undefined
after(async () => {
  dev?.child.kill("SIGINT")
  await dev?.done.catch(() => undefined)
  await project?.cleanup()
})

test("a signature made before a plain secret set verifies after it in layer dev; --replace-all drops it", { timeout: 240_000 }, async () => {
  project = await createProject({ "src/api.ts": API })
  // The CLI's clock runs ahead (LAYERON_TEST_NOW) so the rotation is due; workerd keeps real time, before every expiry.
  const at = (days: number) => ({ LAYERON_TEST_NOW: new Date(Date.now() + days * DAY).toISOString() })
  const layer = async (args: string[], env: Record<string, string>) => {
    const run = await project!.layer(args, { env })
    assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`)
    return run
  }
  await layer(["secret", "set", "auth/session-key", "--value-env", "V"], { V: key(), ...at(0) })
  dev = await startLayerDev(process.execPath, [LAYER_BIN], { cwd: project.root, env: project.env(), timeoutMs: 120_000 })
  const base = `http://127.0.0.1:${dev.port}`

  const sign = async (body: string): Promise<{ signature: string; kid: string }> => {
    const response = await fetch(`${base}/sign`, { method: "POST", body })
    assert.equal(response.status, 200)
    return (await response.json()) as { signature: string; kid: string }
  }
  const verify = async (body: string, signed: { signature: string; kid: string }, withKid = true): Promise<boolean> => {
    const response = await fetch(`${base}/verify`, { method: "POST", body, headers: { "x-signature": signed.signature, ...(withKid ? { "x-kid": signed.kid } : {}) } })
    return ((await response.json()) as { valid: boolean }).valid
  }
  /** Sign once dev reads `kid` as current (it reloads the store on each write). */
  const signedBy = async (kid: string, body: string) => {
    let signed: { signature: string; kid: string } | undefined
    await pollUntil(async () => (signed = await sign(body)).kid === kid, { timeoutMs: 60_000, intervalMs: 100, what: `layer dev signing with ${kid}` })
    return signed!
  }

  const byV1 = await signedBy("v1", "order 1")
  await layer(["secret", "rotate", "--apply", "--yes"], at(31))
  const byV2 = await signedBy("v2", "order 2")
  assert.equal(await verify("order 1", byV1), true, "v1 is retained by the rotation")

  // The write the issue reports: a plain value for the rotating secret.
  const set = await layer(["secret", "set", "auth/session-key", "--value-env", "V"], { V: key(), ...at(32) })
  assert.match(set.stdout, /versions: v3 new, current · v2 kept until .* · v1 kept until /)
  await signedBy("v3", "order 3")
  for (const [body, signed] of [["order 1", byV1], ["order 2", byV2]] as const) {
    assert.equal(await verify(body, signed), true, `${signed.kid}'s signature verifies after the set (by its kid)`)
    assert.equal(await verify(body, signed, false), true, `${signed.kid}'s signature verifies after the set (against every active version)`)
  }
  assert.equal(await verify("tampered", byV2), false, "the verify route does answer false")

  // Asked for: every version replaced, so the old signatures stop verifying.
  await layer(["secret", "set", "auth/session-key", "--value-env", "V", "--replace-all", "--yes"], { V: key(), ...at(33) })
  await pollUntil(async () => !(await verify("order 2", byV2)), { timeoutMs: 60_000, intervalMs: 100, what: "v2 to be gone after --replace-all" })
  assert.equal(await verify("order 1", byV1), false, "v1 now holds another value")
})
