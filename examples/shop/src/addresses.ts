/**
 * Customer addresses, stored encrypted with aead() from @layeron/modules/keys. What the shop
 * keeps in a customer's row is the ciphertext: it names the key version that made it, so it
 * decrypts after a rotation while that version is retained (30 days), and `rewrap` moves it
 * to the current version before then. The customer id is the associated data: an address
 * copied into another customer's row does not decrypt. A refused ciphertext answers 400
 * with the helper's typed code, never a key or a partial address.
 */
import type { LayeronApp } from "@layeron/core"
import { aead, isSigningError } from "@layeron/modules/keys"
import { addressKey } from "./secrets.js"

const addresses = aead(addressKey)
const boundTo = (customer: string) => ({ associatedData: `customer:${customer}` })

export function addAddressRoutes(app: LayeronApp): void {
  app.use(addressKey)

  /** Encrypt an address for customer `id`: the field as the customer row stores it. */
  app.post("/customers/:id/address", async (c) => {
    return c.json({ address: await addresses.encrypt(await c.req.text(), boundTo(c.req.param("id"))) })
  })

  /** Read a stored address back. */
  app.post("/customers/:id/address/read", async (c) => {
    const { address } = await c.req.json<{ address: string }>()
    try {
      return c.json({ address: await addresses.decryptText(address, boundTo(c.req.param("id"))) })
    } catch (error) {
      return c.json({ error: refusalCode(error) }, 400)
    }
  })

  /** The stored field under the current key version (unchanged when it already is): run over every row after a rotation. */
  app.post("/customers/:id/address/rewrap", async (c) => {
    const { address } = await c.req.json<{ address: string }>()
    try {
      const rewrapped = await addresses.rewrap(address, boundTo(c.req.param("id")))
      return c.json({ address: rewrapped, changed: rewrapped !== address })
    } catch (error) {
      return c.json({ error: refusalCode(error) }, 400)
    }
  })
}

/** A refused ciphertext's typed code; anything else (the secret unreadable) goes on to app.onError. */
function refusalCode(error: unknown): string {
  if (isSigningError(error)) return error.code
  throw error
}
