/**
 * Saving, loading and removing what `layer login` stores: the token in the OS keychain when
 * there is one (falling back to the file if the keychain refuses), and the account and the
 * token's whereabouts in `$LAYERON_HOME/credentials.json`.
 */
import { LayerError } from "../errors.js"
import { SecretText } from "../providers/provider.js"
import { credentialsFilePath, readCredentialsFile, removeCredentialsFile, writeCredentialsFile } from "./file-store.js"
import { KeychainError, detectKeychain } from "./keychain.js"
import type { LoadedToken, TokenKind, TokenStorage } from "./types.js"

export interface StorageContext {
  /** LAYERON_HOME. */
  home: string
  env: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  warn: (message: string) => void
}

export interface CredentialsToSave {
  accountId: string
  tokenKind: TokenKind
  apiToken: SecretText
  now: Date
}

/** Store the credentials; says where the token went. */
export async function saveCredentials(context: StorageContext, credentials: CredentialsToSave): Promise<TokenStorage> {
  const previous = await readCredentialsFile(context.home, context.warn).catch(() => undefined)
  const keychain = await detectKeychain(context)
  const common = { accountId: credentials.accountId, tokenKind: credentials.tokenKind, savedAt: credentials.now.toISOString() }
  if (keychain) {
    try {
      await keychain.store(credentials.apiToken)
      await writeCredentialsFile(context.home, { storage: keychain.kind, ...common })
      return { kind: "keychain", keychain: keychain.kind, label: keychain.label }
    } catch (error) {
      if (!(error instanceof KeychainError)) throw error
      context.warn(`${error.message}; storing the token in a 0600 file instead`)
    }
  }
  const path = await writeCredentialsFile(context.home, { storage: "file", ...common, apiToken: credentials.apiToken.reveal() })
  // An older login kept the token in the keychain: do not leave it behind.
  if (previous && previous.cloudflare.storage !== "file" && keychain) await keychain.remove().catch(() => false)
  return { kind: "file", path }
}

/** The token `layer login` stored, or undefined when nobody logged in. */
export async function loadStoredToken(context: StorageContext): Promise<LoadedToken | undefined> {
  const file = await readCredentialsFile(context.home, context.warn)
  if (!file) return undefined
  const saved = file.cloudflare
  const base = { accountId: saved.accountId, tokenKind: saved.tokenKind }
  if (saved.storage === "file") {
    return { source: "file", apiToken: new SecretText(saved.apiToken), location: credentialsFilePath(context.home), ...base }
  }
  const keychain = await detectKeychain(context)
  if (!keychain || keychain.kind !== saved.storage) {
    throw new LayerError("keychain_unavailable", `the Cloudflare token was stored in the ${saved.storage} keychain, which is not reachable now`, {
      hint: "run layer where you logged in (a desktop session), export CLOUDFLARE_API_TOKEN, or run `layer login` again here",
    })
  }
  const token = await keychain.read()
  if (!token) {
    throw new LayerError("keychain_item_missing", `${keychain.label} is gone, though ${credentialsFilePath(context.home)} says the token is there`, {
      hint: "run `layer login` again",
    })
  }
  return { source: "keychain", apiToken: token, location: keychain.label, ...base }
}

export interface Removal {
  /** What was removed, for the user: the file path and/or the keychain item. */
  removed: string[]
}

/** Remove stored credentials from the keychain and the file. A damaged file is removed too. */
export async function removeCredentials(context: StorageContext): Promise<Removal> {
  const removed: string[] = []
  const file = await readCredentialsFile(context.home, context.warn).catch(() => undefined)
  const keychain = await detectKeychain(context)
  if (keychain && (file === undefined || file.cloudflare.storage === keychain.kind)) {
    if (await keychain.remove()) removed.push(keychain.label)
  }
  if (await removeCredentialsFile(context.home)) removed.push(credentialsFilePath(context.home))
  return { removed }
}
