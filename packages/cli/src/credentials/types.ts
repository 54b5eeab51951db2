/**
 * Cloudflare credentials as the CLI holds them. The token travels as a SecretText, so a
 * stray log line, `--json` document or error detail shows `[redacted]`, never the token.
 */
import type { SecretText } from "../providers/provider.js"

/** Where the token came from, in precedence order. */
export type CredentialSource = "env" | "keychain" | "file"

/** `user` tokens verify at /user/tokens/verify; `account` tokens (`cfat_…`) per account. */
export type TokenKind = "user" | "account"

/** Where `layer login` put the token. */
export type TokenStorage = { kind: "file"; path: string } | { kind: "keychain"; keychain: KeychainKind; label: string }

export type KeychainKind = "macos-keychain" | "secret-service"

export interface LoadedToken {
  source: CredentialSource
  apiToken: SecretText
  /** The account `layer login` chose, when the token came from a login. */
  accountId: string | undefined
  tokenKind: TokenKind | undefined
  /** The credentials file, or the keychain item's label; undefined for env. */
  location: string | undefined
}

/** Where an account id came from, for messages. */
export type AccountIdSource = "config" | "CLOUDFLARE_ACCOUNT_ID" | "login"

export interface CloudflareCredentials {
  source: CredentialSource
  apiToken: SecretText
  accountId: string
  accountIdSource: AccountIdSource
  location: string | undefined
}
