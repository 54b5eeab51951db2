/**
 * Signing with keys that rotate, through @layeron/modules/keys: webhooks the shop sends are
 * signed with hmac() (the receiver gets the signature and its kid), session tokens are ES256
 * JWTs from jwt(), and their public keys are served at /.well-known/jwks.json. No route
 * returns a key; a refused token or signature answers 401 with the helper's typed code.
 */
import type { LayeronApp } from "@layeron/core"
import { hmac, isSigningError, jwt } from "@layeron/modules/keys"
import { outgoingWebhookKey, sessionTokenKey } from "./secrets.js"

const webhooks = hmac(outgoingWebhookKey)
const sessions = jwt(sessionTokenKey, { issuer: "https://shop.example", audience: "shop-api" })

export function addSigningRoutes(app: LayeronApp): void {
  app.use(outgoingWebhookKey)
  app.use(sessionTokenKey)

  /** Sign an outgoing webhook body: the headers a receiver checks. */
  app.post("/webhooks/outgoing", async (c) => {
    const { signature, kid } = await webhooks.sign(await c.req.text())
    return c.json({ headers: { "x-shop-signature": signature, "x-shop-key-id": kid } })
  })

  /** What a receiver does: verify the body against the signature and the kid it names. */
  app.post("/webhooks/outgoing/verify", async (c) => {
    const signature = c.req.header("x-shop-signature") ?? ""
    const kid = c.req.header("x-shop-key-id")
    const result = await webhooks.verify(await c.req.text(), signature, kid === undefined || kid === "" ? undefined : kid)
    return c.json(result, result.valid ? 200 : 401)
  })

  /** Issue a 15-minute session token for a user id. */
  app.post("/sessions", async (c) => {
    const { user } = await c.req.json<{ user: string }>()
    if (typeof user !== "string" || user === "") return c.json({ error: "user_required" }, 400)
    return c.json({ token: await sessions.sign({ sub: user }, { expiresIn: "15m" }) })
  })

  /** Who the bearer token says you are. */
  app.get("/sessions/me", async (c) => {
    const token = (c.req.header("authorization") ?? "").replace(/^Bearer /, "")
    try {
      const claims = await sessions.verify(token)
      return c.json({ user: claims.sub, expiresAt: new Date(claims.exp * 1000).toISOString() })
    } catch (error) {
      if (isSigningError(error)) return c.json({ error: error.code }, 401)
      throw error
    }
  })

  /** The public keys of every active version, the next key included; cached for 5 minutes. */
  app.get("/.well-known/jwks.json", sessions.jwksHandler({ maxAgeSeconds: 300 }))
}
