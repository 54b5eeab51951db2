/**
 * Runs one operation of a `use` key (worker/protocol.ts, `KeyOperation`) with the very helper
 * (`hmac()`, `jwt()`, `aead()`) an app runs on a versioned key, over the Secret Product Worker's own view of the key
 * (worker/key-source.ts). The operation came over a service binding, so its shape is checked
 * here: anything malformed is a TypeError, which the product answers as a malformed request.
 */
import type { WireJwtOptions } from "../worker/protocol.js"
import { aead } from "./aead.js"
import type { AeadSecret } from "./aead.js"
import { hmac } from "./hmac.js"
import type { HmacSecret } from "./hmac.js"
import { jwt } from "./jwt.js"
import type { JwtOptions, JwtSigner, JwtVerifyOptions } from "./jwt.js"
import type { Duration } from "./duration.js"
import type { SigningSecret } from "./source.js"

type Fields = Partial<Record<string, unknown>>

export async function runKeyOperation(secret: SigningSecret, operation: unknown): Promise<unknown> {
  const fields = asFields(operation, "the operation")
  switch (fields.helper) {
    case "hmac":
      return runHmac(secret as HmacSecret, fields)
    case "jwt":
      return runJwt(secret, fields)
    case "aead":
      return runAead(secret as AeadSecret, fields)
  }
  throw new TypeError("unknown helper")
}

async function runHmac(secret: HmacSecret, fields: Fields): Promise<unknown> {
  const signer = hmac(secret)
  const data = bytes(fields.data)
  if (fields.op === "sign") return signer.sign(data)
  if (fields.op === "verify") return signer.verify(data, fields.signature as string, fields.kid as string | undefined)
  throw new TypeError("unknown hmac operation")
}

async function runJwt(secret: SigningSecret, fields: Fields): Promise<unknown> {
  // jwt() checks every option, and the algorithm against the key, as it does in the app; its
  // overloads are for callers that know the key's kind at compile time, which this one learns
  // from the manifest.
  const anyKeyJwt = jwt as (secret: SigningSecret, options: JwtOptions) => JwtSigner
  const signer = anyKeyJwt(secret, asFields(fields.options, "options") as WireJwtOptions as JwtOptions)
  switch (fields.op) {
    case "sign":
      if (typeof fields.claims !== "string") throw new TypeError("claims must be JSON text")
      return signer.sign(JSON.parse(fields.claims) as Record<string, unknown>, { expiresIn: fields.expiresIn as Duration })
    case "verify":
      return signer.verify(fields.token as string, fields.verifyOptions === undefined ? undefined : (asFields(fields.verifyOptions, "verifyOptions") as JwtVerifyOptions))
    case "jwks":
      return signer.jwks()
  }
  throw new TypeError("unknown jwt operation")
}

async function runAead(secret: AeadSecret, fields: Fields): Promise<unknown> {
  const cipher = aead(secret)
  const options = { associatedData: bytes(fields.associatedData) }
  switch (fields.op) {
    case "encrypt":
      return cipher.encrypt(bytes(fields.data), options)
    case "decrypt":
      return cipher.decrypt(fields.ciphertext as string, options)
    case "decryptText":
      return cipher.decryptText(fields.ciphertext as string, options)
    case "rewrap":
      return cipher.rewrap(fields.ciphertext as string, options)
  }
  throw new TypeError("unknown aead operation")
}

function asFields(value: unknown, what: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError(`${what} must be an object`)
  return value as Fields
}

function bytes(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError("data must be bytes")
  return value
}
