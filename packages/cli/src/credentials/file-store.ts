/**
 * `$LAYERON_HOME/credentials.json`: what `layer login` saved. It always records the account
 * and where the token is; it holds the token itself only when no OS keychain is available
 * (docs/design.md#cli), and then only as a 0600 file in a 0700 directory. A file or directory found
 * readable by others is narrowed back, with a warning: whoever could read it may have the token.
 */
import { chmod, stat, unlink } from "../fs/io.js"
import { dirname, join } from "node:path"
import { LayerError, isLayerError } from "../errors.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { readGuardedText } from "../fs/safe-path.js"
import { ensurePrivateDirectory } from "../paths.js"
import type { KeychainKind, TokenKind } from "./types.js"

export const CREDENTIALS_FORMAT = "layeron.credentials/v1"

export type StoredCloudflare =
  | { storage: "file"; accountId: string; tokenKind: TokenKind; savedAt: string; apiToken: string }
  | { storage: KeychainKind; accountId: string; tokenKind: TokenKind; savedAt: string }

export interface CredentialsFile {
  format: typeof CREDENTIALS_FORMAT
  cloudflare: StoredCloudflare
}

export function credentialsFilePath(home: string): string {
  return join(home, "credentials.json")
}

const RELOGIN_HINT = "run `layer logout`, then `layer login` to store the credentials again"

/** The saved credentials, or undefined when there is no file. Modes are checked and fixed. */
export async function readCredentialsFile(home: string, warn: (message: string) => void): Promise<CredentialsFile | undefined> {
  const path = credentialsFilePath(home)
  let text: string
  try {
    text = await readGuardedText(path)
  } catch (error) {
    if (isLayerError(error)) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === "ENOENT") return undefined
    throw new LayerError("credentials_unreadable", `cannot read ${path} (${code ?? "unknown error"})`, {
      hint: "check that the file belongs to you; or remove it and run `layer login` again",
    })
  }
  await narrowModes(path, warn)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new LayerError("credentials_corrupt", `${path} is not valid JSON`, { hint: RELOGIN_HINT })
  }
  const problem = validate(parsed)
  if (problem) throw new LayerError("credentials_corrupt", `${path} is not a credentials file layer can use: ${problem}`, { hint: RELOGIN_HINT })
  return parsed as CredentialsFile
}

export async function writeCredentialsFile(home: string, cloudflare: StoredCloudflare): Promise<string> {
  const path = credentialsFilePath(home)
  await ensurePrivateDirectory(home)
  const file: CredentialsFile = { format: CREDENTIALS_FORMAT, cloudflare }
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600)
  return path
}

/** Remove the file; false when there was none. */
export async function removeCredentialsFile(home: string): Promise<boolean> {
  try {
    await unlink(credentialsFilePath(home))
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false
    throw error
  }
}

async function narrowModes(path: string, warn: (message: string) => void): Promise<void> {
  if (process.platform === "win32") return
  const directory = dirname(path)
  const directoryMode = (await stat(directory)).mode & 0o777
  if ((directoryMode & 0o077) !== 0) {
    await chmod(directory, 0o700)
    warn(`${directory} was open to other users (mode ${octal(directoryMode)}); it is now 0700`)
  }
  const fileMode = (await stat(path)).mode & 0o777
  if ((fileMode & 0o077) !== 0) {
    await chmod(path, 0o600)
    warn(
      `${path} was readable by other users (mode ${octal(fileMode)}); it is now 0600. ` +
        "Anyone who read it has the token: roll it at https://dash.cloudflare.com/profile/api-tokens and run `layer login` again",
    )
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`
}

function validate(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "not a JSON object"
  const file = value as Partial<CredentialsFile>
  if (file.format !== CREDENTIALS_FORMAT) return `format is ${JSON.stringify(file.format)}, expected ${JSON.stringify(CREDENTIALS_FORMAT)}`
  const cloudflare = file.cloudflare as Partial<StoredCloudflare> | undefined
  if (typeof cloudflare !== "object" || cloudflare === null) return "no cloudflare entry"
  if (typeof cloudflare.accountId !== "string") return "cloudflare.accountId is missing"
  if (cloudflare.tokenKind !== "user" && cloudflare.tokenKind !== "account") return "cloudflare.tokenKind is not user or account"
  if (cloudflare.storage === "file") {
    if (typeof (cloudflare as { apiToken?: unknown }).apiToken !== "string") return "cloudflare.apiToken is missing"
    return undefined
  }
  if (cloudflare.storage !== "macos-keychain" && cloudflare.storage !== "secret-service") return "cloudflare.storage is not file, macos-keychain or secret-service"
  return undefined
}
