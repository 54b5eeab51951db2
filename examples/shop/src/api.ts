/**
 * The example shop's API Worker: every route reads its secrets through the Secret product,
 * and no route ever returns a secret value (only fingerprints, signatures and version ids).
 */
import { backend } from "@layeron/core"
import { isSecretError } from "@layeron/modules"
import { apiSigningKey, encryptionKey, partnerCredentials, sessionKey, stripeSecret, webhookKeys } from "./secrets.js"
import { aesKey, fingerprint, fromBase64, hmacSha256, safeEqual, toBase64 } from "./crypto.js"
import { addAddressRoutes } from "./addresses.js"
import { addSigningRoutes } from "./signing.js"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
app.use(stripeSecret)
app.use(partnerCredentials)
app.use(sessionKey)
app.use(encryptionKey)
app.use(apiSigningKey)
app.use(webhookKeys)

const encoder = new TextEncoder()

/** A secret that cannot be read is a 503 with its typed code (errors never hold values). */
app.onError((error, c) => {
  if (isSecretError(error)) return c.json({ error: error.code, secret: error.secretId, message: error.message }, 503)
  return c.json({ error: "internal_error" }, 500)
})

app.get("/health", (c) => c.json({ ok: true }))

/** A static API key: show that it is there, by fingerprint. */
app.get("/stripe", async (c) => {
  const key = await stripeSecret.current().text()
  return c.json({ configured: key.length > 0, fingerprint: await fingerprint(encoder.encode(key)) })
})

/** A JSON credential read with json<T>(). */
app.get("/partner", async (c) => {
  const credentials = await partnerCredentials.current().json<{ clientId: string; clientSecret: string }>()
  return c.json({ clientId: credentials.clientId, hasSecret: credentials.clientSecret.length > 0 })
})

/** Sign a session id with the current session key; say which version signed. */
app.get("/session/:id", async (c) => {
  const [current] = await sessionKey.active()
  if (!current) return c.json({ error: "no active session key" }, 500)
  const signature = await hmacSha256(await current.bytes(), c.req.param("id"))
  return c.json({ version: current.version, signature })
})

/** Verify a session signature against every key still active (rotation overlap). */
app.get("/session/:id/verify/:signature", async (c) => {
  for (const key of await sessionKey.active()) {
    if (safeEqual(await hmacSha256(await key.bytes(), c.req.param("id")), c.req.param("signature"))) {
      return c.json({ valid: true, version: key.version })
    }
  }
  return c.json({ valid: false }, 401)
})

/** Encrypt with the current encryption key, recording when. */
app.post("/records", async (c) => {
  const plaintext = await c.req.text()
  const encryptedAt = new Date().toISOString()
  const key = await aesKey(await encryptionKey.current().bytes())
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(plaintext)))
  return c.json({ encryptedAt, iv: toBase64(iv), ciphertext: toBase64(ciphertext) })
})

/** Decrypt a stored record with the key that was current when it was encrypted: at(). */
app.post("/records/decrypt", async (c) => {
  const record = await c.req.json<{ encryptedAt: string; iv: string; ciphertext: string }>()
  const key = await aesKey(await encryptionKey.at(record.encryptedAt).bytes())
  const plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(record.iv) }, key, fromBase64(record.ciphertext))
  return c.json({ plaintext: new TextDecoder().decode(plaintext) })
})

/** A generated key: sign an API payload with it. */
app.get("/api-token", async (c) => {
  const key = await apiSigningKey.current().bytes()
  return c.json({ bytes: key.byteLength, signature: await hmacSha256(key, "api") })
})

/**
 * An HMAC webhook check: a signature made with an older key is accepted while that key is
 * still active (until its expiresAt), so senders can switch keys without downtime.
 */
app.post("/webhooks/incoming", async (c) => {
  const body = await c.req.text()
  const signature = c.req.header("x-signature") ?? ""
  for (const key of await webhookKeys.active()) {
    if (safeEqual(await hmacSha256(await key.bytes(), body), signature)) {
      return c.json({ accepted: true, version: key.version })
    }
  }
  return c.json({ accepted: false }, 401)
})

/** Signed webhooks, session tokens and their JWKS, with rotating keys (signing.ts). */
addSigningRoutes(app)
/** Customer addresses stored encrypted with a rotating key (addresses.ts). */
addAddressRoutes(app)

export default app
