/**
 * Keys declared with `expose: "use"` under `layer dev`: a project whose backend signs with
 * hmac() and jwt() on keys it can use but never read. The HMAC signature is the one Node's
 * createHmac makes over the value `layer secret set` wrote (the same result as in-app); both
 * keys keep verifying across `layer secret rotate --now --apply`; and a route that tries every
 * value reader and every raw call on its LAYERON_SECRET binding gets refusals and results,
 * never key material. Nothing dev prints shows a key either.
 */
import assert from "node:assert/strict"
import { createHmac, randomBytes } from "node:crypto"
import { after, before, test } from "node:test"
import { createProject } from "../helpers/project.js"
import type { TestProject } from "../helpers/project.js"
import { get as getJson, startDev, until, urls } from "./dev-process.js"
import type { DevProcess } from "./dev-process.js"

const HOOK_VALUE = randomBytes(32).toString("base64url")

const CONFIG = `import { project } from "@layeron/core"
export default project({
  workspace: "acme",
  name: "vault",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "dev",
  environments: { dev: { provider: "local" } },
})
`

const API = `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"
import { hmac, jwt } from "@layeron/modules/keys"

const use = { expose: "use" } as const
export const hook = secret.random({ name: "hook", namespace: "api", rotation: { everyDays: 7, retain: { mode: "retain_for", days: 3 } }, consume: use })
export const token = secret.generated({ name: "token", namespace: "api", generate: "ES256", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 1 } }, consume: use })

const app = backend({ name: "api", compatibilityDate: "2026-04-01" })
app.use(hook)
app.use(token)
const sessions = jwt(token, { issuer: "vault" })
const failure = (error: unknown) => ({ ok: false, code: (error as { code?: string }).code ?? (error as Error).name })
const attempt = async (run: () => Promise<unknown>) => {
  try {
    return { ok: true, result: await run() }
  } catch (error) {
    return failure(error)
  }
}

app.get("/sign", async (c) => c.json({ hmac: await hmac(hook).sign(c.req.query("data") ?? ""), token: await sessions.sign({ sub: "u" }, { expiresIn: "1h" }) }))
app.get("/verify", async (c) => c.json({
  hmac: await hmac(hook).verify(c.req.query("data") ?? "", c.req.query("signature") ?? ""),
  token: await attempt(() => sessions.verify(c.req.query("token") ?? "")),
}))
app.get("/jwks", sessions.jwksHandler())
/** Everything an app (or a bug, or a dependency in it) could try to get the keys. */
app.get("/steal", async (c) => {
  const binding = (c.env as Record<string, any>).LAYERON_SECRET
  const answers: Record<string, unknown> = {}
  for (const key of [hook, token]) {
    const id = key.declaration.id
    answers[id + " current()"] = await attempt(() => key.current().text())
    answers[id + " version()"] = await attempt(() => key.version("v1").bytes())
    answers[id + " at()"] = await attempt(() => key.at(Date.now()).text())
    answers[id + " active()"] = await attempt(() => key.active())
    answers[id + " resolve()"] = await attempt(() => key.current().resolve())
    answers[id + " versions()"] = await attempt(() => key.versions())
    answers[id + " raw read"] = await binding.read(id, { kind: "current" })
    answers[id + " raw active"] = await binding.active(id)
    answers[id + " raw versions"] = await binding.versions(id)
    answers[id + " raw use jwks"] = await binding.use(id, { helper: "jwt", options: {}, op: "jwks" })
    answers[id + " raw use hmac"] = await binding.use(id, { helper: "hmac", op: "sign", data: new Uint8Array([1]) })
  }
  return c.json(answers)
})
export default app
`

let project: TestProject
let dev: DevProcess | undefined

/** A JSON answer of the dev server; anything else fails with what dev printed. */
async function get(base: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    return await getJson(base, path)
  } catch (error) {
    throw new Error(`GET ${path}: ${(error as Error).message}\n--- dev stderr:\n${dev?.stderr()}`)
  }
}

before(async () => {
  project = await createProject({ "layeron.config.ts": CONFIG, "src/api.ts": API })
  const set = await project.layer(["secret", "set", "api/hook", "--value-env", "V"], { env: { V: HOOK_VALUE } })
  assert.equal(set.code, 0, set.stderr)
  // The first key pair is written by a deploy (layer dev serves what the local store holds).
  const deploy = await project.layer(["deploy", "--env", "dev"])
  assert.equal(deploy.code, 0, deploy.stderr)
})
after(async () => {
  if (dev) {
    dev.child.kill("SIGINT")
    await dev.exited
  }
  await project?.cleanup()
})

test("layer dev: use keys sign and verify across a rotation, and no reader or raw call gives key material", { timeout: 240_000 }, async () => {
  dev = await startDev(project, 0)
  const base = (await urls(dev, 1)).get("api") ?? ""

  const signed = (await get(base, "/sign?data=order%207")).body as { hmac: { signature: string; kid: string }; token: string }
  assert.equal(signed.hmac.kid, "v1")
  assert.equal(signed.hmac.signature, createHmac("sha256", Buffer.from(HOOK_VALUE, "base64url")).update("order 7").digest("base64url"), "the same signature as in the app")

  const stolen = (await get(base, "/steal")).body
  for (const [what, answer] of Object.entries(stolen)) {
    const a = answer as { ok: boolean; code?: string; error?: { code: string } }
    if (/current\(\)|version\(\)|at\(\)|active\(\)|resolve\(\)|raw read|raw active/.test(what)) {
      assert.equal(a.ok, false, `${what} answered`)
      assert.equal(a.code ?? a.error?.code, "expose_refused", what)
    }
  }
  assert.deepEqual((stolen["api/hook raw use hmac"] as { value: { ok: boolean } }).value.ok, true, "the raw operation itself works (a signature, not a key)")
  const text = JSON.stringify(stolen)
  assert.ok(!text.includes(HOOK_VALUE), "the HMAC key crossed the binding")
  assert.doesNotMatch(text, /\\?"d\\?"\s*:/, "a private JWK member crossed the binding")

  for (const id of ["api/hook", "api/token"]) {
    const rotate = await project.layer(["secret", "rotate", id, "--now", "--apply", "--yes"])
    assert.equal(rotate.code, 0, rotate.stderr)
  }
  // dev watches the local store: the rotated keys are live once both helpers sign with v2.
  const kidOf = (jws: string) => JSON.parse(Buffer.from(jws.split(".")[0]!, "base64url").toString()).kid as string
  const after = await until(
    "signing with the rotated keys",
    async () => {
      const answer = (await get(base, "/sign?data=x")).body as { hmac: { kid: string }; token: string }
      return answer.hmac.kid === "v2" && kidOf(answer.token) === "v2" ? answer : undefined
    },
    dev,
    60_000,
  )
  assert.equal(after.hmac.kid, "v2")
  const verified = (await get(base, `/verify?data=order%207&signature=${signed.hmac.signature}&token=${signed.token}`)).body as { hmac: { valid: boolean; kid?: string }; token: { ok: boolean } }
  assert.deepEqual(verified.hmac, { valid: true, kid: "v1" }, "a signature made before the rotation verifies after it")
  assert.equal(verified.token.ok, true, "a token signed before the rotation verifies after it")
  const jwks = (await get(base, "/jwks")).body as { keys: { kid: string; d?: string }[] }
  assert.deepEqual(jwks.keys.map((k) => k.kid), ["v2", "v1", "v3"])

  dev.child.kill("SIGINT")
  assert.equal(await dev.exited, 0, dev.stderr())
  const printed = dev.stdout() + dev.stderr()
  dev = undefined
  assert.ok(!printed.includes(HOOK_VALUE))
  assert.doesNotMatch(printed, /\\?"d\\?"\s*:/)
})
