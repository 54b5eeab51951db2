#!/usr/bin/env node
/**
 * The demo (`npm run demo`, after the build): examples/shop on the local default, in a
 * temporary copy with a temporary LAYERON_HOME, through the whole life of its secrets:
 *
 *   secret set (static values, JSON from stdin, a versioned envelope; a session key imported
 *   with the time it was issued) → secret list → deploy (random secret created, generated one
 *   reported external_value_required, the ES256 session-token key pair generated) → layer dev +
 *   requests (including signed webhooks and the JWKS) → rotate plan --at a later time →
 *   rotate --apply → requests again (the old session signature still verifies through
 *   active(), the old record still decrypts through at()).
 *
 * How the session key is "old" honestly: the demo writes its first value the way an operator
 * moving from another system would, as an envelope whose v1 carries the createdAt it was
 * issued with, 40 days ago. `secret set` records that createdAt in the rotation state, so
 * the 30-day schedule finds it due now, with the real clock; nothing fakes the time.
 *
 * It prints what a user would see, never a value: it checks that the values it sets (canaries)
 * appear in no output and no file of the temporary project or LAYERON_HOME, and exits non-zero
 * if any step fails.
 */
import { spawn } from "node:child_process"
import { createHmac, randomBytes } from "node:crypto"
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const REPO = fileURLToPath(new URL("..", import.meta.url))
// What `npx layer` runs: the committed launcher (it loads the CLI's esbuild bundle).
const LAYER = join(REPO, "packages", "cli", "bin", "layer.cjs")
const DAY = 86_400_000
const started = Date.now()

// The values the demo writes. None may appear in any output or file.
const canary = (label) => `${label}_CANARY_${randomBytes(6).toString("hex")}`
const STRIPE = canary("sk_test")
const PARTNER_SECRET = canary("partner")
const PARTNER_JSON = JSON.stringify({ clientId: "partner-demo", clientSecret: PARTNER_SECRET })
const WEBHOOK_OLD = canary("whsec_old")
const WEBHOOK_NEW = canary("whsec_new")
const WEBHOOK_KEYSET = JSON.stringify({
  current: "v3",
  versions: {
    v2: { value: WEBHOOK_OLD, expiresAt: new Date(started + 30 * DAY).toISOString() },
    v3: { value: WEBHOOK_NEW },
  },
})
const SESSION_V1 = randomBytes(32).toString("base64url")
const SESSION_IMPORT = JSON.stringify({ current: "v1", versions: { v1: { value: SESSION_V1, createdAt: new Date(started - 40 * DAY).toISOString() } } })
const CANARIES = [STRIPE, PARTNER_SECRET, PARTNER_JSON, WEBHOOK_OLD, WEBHOOK_NEW, WEBHOOK_KEYSET, SESSION_V1, SESSION_IMPORT]

const outputs = []
const base = await mkdtemp(join(tmpdir(), "layeron-demo-"))
const root = join(base, "shop")
const home = join(base, "home")
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(base, "user"), LAYERON_HOME: home, NO_COLOR: "1" }
let dev
let step = 0

function heading(title, why) {
  step += 1
  console.log(`\n━━ ${step}. ${title}`)
  if (why) console.log(`   ${why}`)
}

function show(text) {
  for (const line of text.replace(/\n$/, "").split("\n")) if (line !== "") console.log(`   │ ${line}`)
}

/** Runs `layer …` in the demo project; returns its result after printing it. */
function layer(args, { input, extraEnv = {}, expect = [0] } = {}) {
  console.log(`\n   $ layer ${args.join(" ")}${input !== undefined ? "   (value on stdin)" : ""}`)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAYER, ...args], { cwd: root, env: { ...env, ...extraEnv }, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      outputs.push(stdout, stderr)
      // Progress lines and warnings (stderr) come before the result (stdout) as a user sees them.
      show(stderr)
      show(stdout)
      if (!expect.includes(code)) reject(new Error(`\`layer ${args.join(" ")}\` exited ${code}, expected ${expect.join(" or ")}`))
      else resolve({ code, stdout, stderr })
    })
    child.stdin.on("error", () => {})
    child.stdin.end(input ?? "")
  })
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`)
}

/** `layer dev --port 0`: dev binds a free port itself and prints it on its URL line, once it is ready. */
function startDev(port) {
  console.log(`\n   $ layer dev --port ${port} &`)
  const child = spawn(process.execPath, [LAYER, "dev", "--port", String(port)], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
  const state = { child, stdout: "", stderr: "", shown: 0, exited: new Promise((resolve) => child.on("close", resolve)) }
  child.stdout.on("data", (chunk) => (state.stdout += chunk))
  child.stderr.on("data", (chunk) => (state.stderr += chunk))
  return state
}

/** Prints what `layer dev` said since the last call. */
function showDev() {
  const fresh = dev.stderr.slice(dev.shown)
  dev.shown = dev.stderr.length
  for (const line of fresh.split("\n")) if (line !== "") console.log(`   │ [dev] ${line}`)
}

async function waitFor(what, condition, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function request(port, method, path, { body, headers = {} } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, body, headers })
  const text = await response.text()
  outputs.push(text)
  console.log(`\n   > ${method} ${path}${body !== undefined ? `   ${body}` : ""}`)
  console.log(`   < ${response.status} ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`)
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, json }
}

async function filesUnder(dir) {
  const found = []
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await filesUnder(path)))
    else if (entry.isFile()) found.push(path)
  }
  return found
}

async function main() {
  heading("a temporary copy of examples/shop", `project ${root}, LAYERON_HOME ${home}`)
  await cp(join(REPO, "examples", "shop"), root, { recursive: true, filter: (source) => !/[\\/](node_modules|\.layeron)$/.test(source) })
  await symlink(join(REPO, "node_modules"), join(root, "node_modules"), "dir")
  await mkdir(env.HOME, { recursive: true })

  heading("operator values for the static secrets", "the Stripe key from an environment variable, the partner credentials (JSON) from stdin, the webhook keys as a versioned envelope (v2 still valid for 30 days, v3 current)")
  await layer(["secret", "set", "STRIPE_SECRET", "--value-env", "STRIPE_SECRET"], { extraEnv: { STRIPE_SECRET: STRIPE } })
  await layer(["secret", "set", "billing/partner-credentials", "--from-stdin"], { input: PARTNER_JSON })
  await layer(["secret", "set", "webhooks/webhook-keys", "--value-env", "WEBHOOK_KEYSET"], { extraEnv: { WEBHOOK_KEYSET } })

  heading("an existing session key, imported with the time it was issued", "its v1 says createdAt = 40 days ago, so the 30-day rotation schedule will find it due")
  await layer(["secret", "set", "auth/session-key", "--value-env", "SESSION_KEY_IMPORT"], { extraEnv: { SESSION_KEY_IMPORT: SESSION_IMPORT } })

  heading("what the environment holds")
  await layer(["secret", "list"])

  heading("deploy to the local environment", "random secrets are created, the generated one is reported external_value_required, the Workers' artifacts are written")
  const deployed = await layer(["deploy", "--env", "dev", "--yes"])
  check(/storage\/encryption-key\s+\S+\s+created/.test(deployed.stdout), "deploy created storage/encryption-key")
  check(/auth\/api-signing-key\s+\S+\s+external_value_required/.test(deployed.stdout), "deploy reported auth/api-signing-key as external_value_required")
  check(/auth\/session-key\s+\S+\s+ready/.test(deployed.stdout), "deploy left the imported session key as it was")

  heading("layer dev: the Workers in workerd, against the local store")
  dev = startDev(0)
  await waitFor("layer dev to listen", () => / on http:\/\/127\.0\.0\.1:\d+/.test(dev.stderr))
  const port = Number(/ on http:\/\/127\.0\.0\.1:(\d+)/.exec(dev.stderr)[1])
  showDev()

  heading("requests against the running app")
  const partner = await request(port, "GET", "/partner")
  check(partner.json?.clientId === "partner-demo" && partner.json?.hasSecret === true, "the partner credentials are read as JSON")
  const stripe = await request(port, "GET", "/stripe")
  check(stripe.json?.configured === true, "the Stripe key is configured")
  const session = await request(port, "GET", "/session/alice")
  check(session.json?.version === "v1", "the session is signed with v1")
  const record = await request(port, "POST", "/records", { body: "order #1001: 3 espresso" })
  check(typeof record.json?.ciphertext === "string", "a record is encrypted")
  const webhookBody = JSON.stringify({ event: "payment.succeeded", id: "evt_1" })
  const oldSignature = createHmac("sha256", Buffer.from(WEBHOOK_OLD, "utf8")).update(webhookBody).digest("hex")
  const webhook = await request(port, "POST", "/webhooks/incoming", { body: webhookBody, headers: { "x-signature": oldSignature } })
  check(webhook.json?.accepted === true && webhook.json?.version === "v2", "a webhook signed with the older key (v2) is accepted through active()")
  const token = await request(port, "GET", "/api-token")
  check(token.status === 503 && token.json?.error === "secret_not_found", "the generated key has no value yet: a typed secret_not_found")
  // @layeron/modules/keys: outgoing webhooks signed with hmac(), the session tokens' JWKS.
  const outgoing = await request(port, "POST", "/webhooks/outgoing", { body: webhookBody })
  check(outgoing.json?.headers?.["x-shop-key-id"] === "v1", "an outgoing webhook is signed with hmac(), kid v1")
  const receiver = await request(port, "POST", "/webhooks/outgoing/verify", { body: webhookBody, headers: outgoing.json.headers })
  check(receiver.json?.valid === true, "the receiver verifies it")
  const jwks = await request(port, "GET", "/.well-known/jwks.json")
  check(jwks.json?.keys?.map((key) => key.kid).join() === "v1,v2" && jwks.json.keys.every((key) => key.d === undefined), "the JWKS publishes the signing key v1 and the next key v2, public halves only")
  showDev()

  heading("what rotation would do later", "a plan as of 100 days from now: exit code 2 means rotations are due")
  const later = new Date(Date.now() + 100 * DAY).toISOString()
  const plan = await layer(["secret", "rotate", "--at", later], { expect: [2] })
  check(/storage\/encryption-key\s+due/.test(plan.stdout), "in 100 days the encryption key is due too")

  heading("rotate what is due now", "the session key (issued 40 days ago, every 30 days) and the generated key's first value")
  await layer(["secret", "rotate", "--apply", "--yes"])
  await waitFor("layer dev to reload the rotated secrets", () => /reloaded secrets: .*auth\/session-key/.test(dev.stderr))
  showDev()

  heading("the same requests after the rotation", "no restart: layer dev picked up the writes")
  const verified = await request(port, "GET", `/session/alice/verify/${session.json.signature}`)
  check(verified.json?.valid === true && verified.json?.version === "v1", "the old session signature still verifies through active() (v1 kept for 14 days)")
  const resigned = await request(port, "GET", "/session/alice")
  check(resigned.json?.version === "v2" && resigned.json?.signature !== session.json.signature, "new sessions are signed with v2")
  const decrypted = await request(port, "POST", "/records/decrypt", { body: JSON.stringify(record.json) })
  check(decrypted.json?.plaintext === "order #1001: 3 espresso", "the old record still decrypts through at(record.encryptedAt)")
  const signed = await request(port, "GET", "/api-token")
  check(signed.status === 200 && signed.json?.bytes === 32, "the generated key now has a value")

  heading("stop layer dev (Ctrl-C)")
  dev.child.kill("SIGINT")
  const code = await dev.exited
  showDev()
  show(dev.stdout)
  outputs.push(dev.stdout, dev.stderr)
  check(code === 0, `layer dev exits 0 on Ctrl-C (got ${code})`)
  dev = undefined

  heading("no value anywhere", "every output above, and every file of the project and LAYERON_HOME, searched for the values the demo set")
  const files = [...(await filesUnder(root).then((list) => list.filter((file) => !file.includes(`${root}/node_modules`)))), ...(await filesUnder(home))]
  for (const value of CANARIES) {
    check(!outputs.some((output) => output.includes(value)), "a value the demo set appeared in an output")
    for (const file of files) check(!(await readFile(file)).includes(Buffer.from(value)), `a value the demo set is in ${relative(base, file)}`)
  }
  console.log(`   checked ${outputs.length} outputs and ${files.length} files: no value found`)
}

try {
  await main()
  console.log(`\ndemo passed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
} catch (error) {
  console.error(`\ndemo FAILED at step ${step}: ${error instanceof Error ? error.message : String(error)}`)
  if (dev) {
    console.error("--- layer dev said:")
    console.error(dev.stderr)
  }
  process.exitCode = 1
} finally {
  if (dev) {
    dev.child.kill("SIGINT")
    await dev.exited
  }
  if (process.env.LAYERON_DEMO_KEEP) console.log(`kept ${base}`)
  else await rm(base, { recursive: true, force: true })
}
