import assert from "node:assert/strict"
import { test } from "node:test"
import { isLayerError } from "../../errors.js"
import { checkAccountId } from "./checks.js"

test("an account id is lower-cased", () => {
  assert.equal(checkAccountId("0123456789ABCDEF0123456789abcdef"), "0123456789abcdef0123456789abcdef")
})

test("a short malformed account id is repeated back, with its source", () => {
  assert.throws(() => checkAccountId("acme", "--account-id"), (error: unknown) => isLayerError(error) && error.code === "invalid_account_id" && /^--account-id "acme" is not a Cloudflare account id/.test(error.message))
})

test("a token pasted as the account id is never printed", () => {
  const token = "Abcdefghij0123456789Abcdefghij0123456789"
  assert.throws(
    () => checkAccountId(token, "CLOUDFLARE_ACCOUNT_ID"),
    (error: unknown) =>
      isLayerError(error) &&
      !error.message.includes(token) &&
      !error.message.includes(token.slice(0, 20)) &&
      /^CLOUDFLARE_ACCOUNT_ID \(40 characters, not shown: it may be a value or token pasted by mistake\) is not a Cloudflare account id/.test(error.message),
  )
})
