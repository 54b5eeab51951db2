/**
 * Rotation under load, shared by test/e2e/signing-rotation.test.ts (which asserts) and
 * bench/signing-rotation.mjs (which reports): examples/shop in a throwaway copy, `layer
 * deploy`, `layer dev`, then a continuous stream of sign-then-verify requests (HMAC webhooks
 * and JWT sessions) plus verifications of tokens and signatures made before the rotation,
 * with `layer secret rotate --apply --yes` run in the middle.
 *
 * A relying party is played too: it fetched the JWKS before the rotation, keeps that copy
 * (within its max-age) and verifies every session token with Node's own crypto from it.
 *
 * The rotation runs with LAYERON_TEST_NOW a month ahead, so every rotating secret is due with
 * the real clock everywhere else (workerd's included). Plain JavaScript so that the
 * benchmark runs it without a TypeScript loader. Nothing here prints a token or a key.
 */
import { spawn } from "node:child_process"
import { createPublicKey, verify as nodeVerify } from "node:crypto"
import { readdir, readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { LAYER_BIN, REPO_ROOT, cleanEnv, layTempProject } from "./temp-project.mjs"

const EXAMPLE = join(REPO_ROOT, "examples", "shop")
const DAY = 86_400_000

/** A throwaway copy of examples/shop. */
export async function layExampleShop(prefix = "layeron-signing-") {
  const files = { "package.json": `${JSON.stringify({ name: "signing-shop", private: true, type: "module" }, null, 2)}\n` }
  // Every source file, so a module the example gains is copied too.
  const sources = (await readdir(join(EXAMPLE, "src"))).filter((name) => name.endsWith(".ts")).map((name) => `src/${name}`)
  for (const file of ["layeron.config.ts", ...sources]) files[file] = await readFile(join(EXAMPLE, file), "utf8")
  return layTempProject(prefix, files)
}

/** Runs the built CLI in the project; resolves with its exit code and output. */
export function layer(project, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAYER_BIN, ...args], { cwd: project.root, env: cleanEnv(project, extraEnv), stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })
}

/** `layer dev` on a port; `stop()` sends SIGINT and waits for the exit. */
export function startDev(project, port) {
  const child = spawn(process.execPath, [LAYER_BIN, "dev", "--port", String(port)], { cwd: project.root, env: cleanEnv(project), stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (chunk) => (stderr += chunk))
  child.stdout.resume()
  const exited = new Promise((resolve) => child.on("close", resolve))
  const killer = setTimeout(() => child.kill("SIGKILL"), 300_000)
  return {
    stderr: () => stderr,
    async stop() {
      child.kill("SIGINT")
      await exited
      clearTimeout(killer)
    },
  }
}

/** Polls `probe` until it returns something other than undefined. */
export async function until(what, probe, timeoutMs = 60_000, context = () => "") {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function kidOf(token) {
  return JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8")).kid
}

/** What a relying party does with a cached JWKS: find the kid, verify with Node's crypto. */
export function verifyWithJwks(jwks, token) {
  const [header, payload, signature] = token.split(".")
  const kid = kidOf(token)
  const jwk = jwks.keys.find((key) => key.kid === kid)
  if (!jwk) return { ok: false, reason: `unknown kid ${kid}` }
  const ok = nodeVerify("sha256", Buffer.from(`${header}.${payload}`), { key: createPublicKey({ key: jwk, format: "jwk" }), dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"))
  return ok ? { ok: true } : { ok: false, reason: "signature" }
}

/**
 * @param {{ concurrency?: number, beforeMs?: number, afterMs?: number, preRotation?: number, log?: (line: string) => void }} options
 */
export async function runSigningRotation({ concurrency = 4, beforeMs = 2_000, afterMs = 2_000, preRotation = 10, log = () => {} } = {}) {
  const project = await layExampleShop()
  try {
    return await streamThroughRotation(project, { concurrency, beforeMs, afterMs, preRotation, log })
  } catch (error) {
    await removeProject(project)
    throw error
  }
}

export async function removeProject(project) {
  await rm(project.base, { recursive: true, force: true })
}

async function streamThroughRotation(project, { concurrency, beforeMs, afterMs, preRotation, log }) {
  const deployed = await layer(project, ["deploy", "--yes"])
  if (deployed.code !== 0) throw new Error(`layer deploy exited ${deployed.code}\n${deployed.stderr}`)
  // Port 0: dev binds a free port itself and prints it on its URL line (ready by then).
  const dev = startDev(project, 0)
  const context = () => `--- layer dev stderr:\n${dev.stderr()}`
  try {
    const base = await until("layer dev to listen", async () => / on (http:\/\/127\.0\.0\.1:\d+)/.exec(dev.stderr())?.[1], 90_000, context)
    const jwksBefore = await until("the JWKS", async () => {
      const response = await fetch(`${base}/.well-known/jwks.json`)
      return response.ok ? { body: await response.json(), cacheControl: response.headers.get("cache-control") } : undefined
    }, 60_000, context)
    log(`JWKS before the rotation: ${jwksBefore.body.keys.map((k) => k.kid).join(", ")}`)

    const post = (path, body, headers = {}) => fetch(`${base}${path}`, { method: "POST", body, headers })
    const signWebhook = async (body) => {
      const response = await post("/webhooks/outgoing", body)
      if (!response.ok) throw new Error(`webhook sign answered ${response.status}`)
      return (await response.json()).headers
    }
    const signSession = async (user) => {
      const response = await post("/sessions", JSON.stringify({ user }), { "content-type": "application/json" })
      if (!response.ok) throw new Error(`session sign answered ${response.status}`)
      return (await response.json()).token
    }
    const verifyWebhook = async (body, headers) => {
      const response = await post("/webhooks/outgoing/verify", body, headers)
      const result = await response.json()
      return result.valid === true ? { ok: true, kid: result.kid } : { ok: false, reason: `status ${response.status}` }
    }
    const verifySession = async (token, user) => {
      const response = await fetch(`${base}/sessions/me`, { headers: { authorization: `Bearer ${token}` } })
      const result = await response.json()
      return response.ok && result.user === user ? { ok: true } : { ok: false, reason: `status ${response.status} ${result.error ?? ""}`.trim() }
    }

    // Made before the rotation: they must keep verifying after it.
    const old = []
    for (let i = 0; i < preRotation; i++) {
      const body = `{"event":"order.paid","n":${i}}`
      old.push({ body, headers: await signWebhook(body), user: `old-${i}`, token: await signSession(`old-${i}`) })
    }

    const stats = { served: 0, failures: [], latency: { hmacSign: [], hmacVerify: [], jwtSign: [], jwtVerify: [] }, kids: { hmac: new Set(), jwt: new Set() }, relyingParty: { verified: 0, afterRotation: 0 }, oldVerified: 0 }
    let phase = "before"
    const fail = (what, reason) => stats.failures.push({ what, phase, reason })
    const timed = async (bucket, call) => {
      const started = process.hrtime.bigint()
      try {
        return await call()
      } finally {
        stats.latency[bucket].push(Number(process.hrtime.bigint() - started) / 1e6)
        stats.served++
      }
    }
    let stop = false
    let counter = 0
    const worker = async (w) => {
      while (!stop) {
        const n = counter++
        const body = `{"event":"order.shipped","worker":${w},"n":${n}}`
        // Kids are filed under the phase their request started in: a request sent before the
        // rotation landed may complete after the stream moved on.
        const startedIn = phase
        try {
          const headers = await timed("hmacSign", () => signWebhook(body))
          stats.kids.hmac.add(`${startedIn}:${headers["x-shop-key-id"]}`)
          const checked = await timed("hmacVerify", () => verifyWebhook(body, headers))
          if (!checked.ok) fail("hmac verify", checked.reason)
          const user = `user-${w}-${n}`
          const token = await timed("jwtSign", () => signSession(user))
          stats.kids.jwt.add(`${startedIn}:${kidOf(token)}`)
          const verified = await timed("jwtVerify", () => verifySession(token, user))
          if (!verified.ok) fail("jwt verify", verified.reason)
          const relying = verifyWithJwks(jwksBefore.body, token)
          if (!relying.ok) fail("relying party (JWKS cached before the rotation)", relying.reason)
          else {
            stats.relyingParty.verified++
            if (startedIn !== "before") stats.relyingParty.afterRotation++
          }
          const earlier = old[n % old.length]
          const [oldHook, oldSession] = await Promise.all([timed("hmacVerify", () => verifyWebhook(earlier.body, earlier.headers)), timed("jwtVerify", () => verifySession(earlier.token, earlier.user))])
          if (!oldHook.ok) fail("hmac verify of a pre-rotation signature", oldHook.reason)
          if (!oldSession.ok) fail("jwt verify of a pre-rotation token", oldSession.reason)
          if (oldHook.ok && oldSession.ok) stats.oldVerified += 2
        } catch (error) {
          fail("request", error instanceof Error ? error.message : String(error))
        }
      }
    }
    const workers = Array.from({ length: concurrency }, (_, w) => worker(w))
    let rotated
    let rotationOutput = ""
    try {
      await new Promise((resolve) => setTimeout(resolve, beforeMs))
      phase = "during"
      const rotation = await layer(project, ["secret", "rotate", "--apply", "--yes", "--json"], { LAYERON_TEST_NOW: new Date(Date.now() + 31 * DAY).toISOString() })
      rotationOutput = rotation.stdout + rotation.stderr
      if (rotation.code !== 0) throw new Error(`layer secret rotate --apply exited ${rotation.code}\n${rotation.stderr}`)
      rotated = JSON.parse(rotation.stdout).secrets.filter((s) => s.status === "rotated").map((s) => `${s.namespace}/${s.name}`)
      log(`rotated: ${rotated.join(", ")}`)
      // The stream is on the new keys once both helpers sign with a kid other than v1.
      const rotatedKid = (kids) => [...kids].some((kid) => kid.startsWith("during:") && kid !== "during:v1")
      await until("signing with the rotated keys", async () => (rotatedKid(stats.kids.hmac) && rotatedKid(stats.kids.jwt) ? true : undefined), 60_000, context)
      phase = "after"
      await new Promise((resolve) => setTimeout(resolve, afterMs))
    } finally {
      stop = true
      await Promise.all(workers)
    }

    const jwksAfter = await (await fetch(`${base}/.well-known/jwks.json`)).json()
    return {
      project,
      outputs: [deployed.stdout, deployed.stderr, rotationOutput, dev.stderr()],
      rotated,
      jwksBefore: jwksBefore.body.keys.map((k) => k.kid),
      jwksAfter: jwksAfter.keys.map((k) => k.kid),
      cacheControl: jwksBefore.cacheControl,
      served: stats.served,
      failures: stats.failures,
      latency: stats.latency,
      kids: { hmac: [...stats.kids.hmac].sort(), jwt: [...stats.kids.jwt].sort() },
      relyingParty: stats.relyingParty,
      oldVerified: stats.oldVerified,
    }
  } finally {
    await dev.stop()
  }
}
