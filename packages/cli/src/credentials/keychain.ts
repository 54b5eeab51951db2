/**
 * The OS keychain, where one is really there: macOS's `security` tool, or `secret-tool`
 * (libsecret) on Linux when a D-Bus session exists for it to talk to. Detected, never
 * assumed; LAYERON_CREDENTIALS_STORE=file turns it off. The token is handed over on stdin,
 * never in argv, where any local user could read it with `ps`.
 *
 * One item holds the token: service "layeron", account "cloudflare-api-token".
 */
import { spawn } from "node:child_process"
import { access, constants } from "../fs/io.js"
import { delimiter, join } from "node:path"
import { LayerError } from "../errors.js"
import { redact } from "../output/redact.js"
import { SecretText } from "../providers/provider.js"
import type { KeychainKind } from "./types.js"

const SERVICE = "layeron"
const ACCOUNT = "cloudflare-api-token"
const ITEM_LABEL = "Layeron Cloudflare API token"
/** macOS may show an access dialog; give a person time to answer it. */
const COMMAND_TIMEOUT_MS = 60_000

export interface Keychain {
  readonly kind: KeychainKind
  /** How to find the item by hand, for messages. */
  readonly label: string
  store(token: SecretText): Promise<void>
  read(): Promise<SecretText | undefined>
  /** false when there was no item. */
  remove(): Promise<boolean>
}

export interface KeychainLookup {
  env: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
}

/** The keychain this machine offers, or undefined (then credentials go to a file). */
export async function detectKeychain(lookup: KeychainLookup): Promise<Keychain | undefined> {
  const { env } = lookup
  const platform = lookup.platform ?? process.platform
  const preference = env.LAYERON_CREDENTIALS_STORE
  if (preference !== undefined && preference !== "" && preference !== "auto" && preference !== "file") {
    throw new LayerError("invalid_setting", `LAYERON_CREDENTIALS_STORE must be "auto" or "file"; got ${JSON.stringify(preference)}`, {
      hint: "unset it to use the OS keychain where available, or set it to file",
    })
  }
  if (preference === "file") return undefined
  if (platform === "darwin") {
    const security = await findExecutable("security", env)
    return security ? macosKeychain(security, env) : undefined
  }
  if (platform === "win32") return undefined
  const secretTool = await findExecutable("secret-tool", env)
  if (!secretTool || !(await hasSessionBus(env))) return undefined
  return secretService(secretTool, env)
}

function macosKeychain(security: string, env: NodeJS.ProcessEnv): Keychain {
  const item = ["-s", SERVICE, "-a", ACCOUNT]
  return {
    kind: "macos-keychain",
    label: `macOS Keychain item "${ITEM_LABEL}" (service ${SERVICE}, account ${ACCOUNT})`,
    async store(token) {
      // `security -i` reads commands from stdin, which keeps the token out of argv.
      if (!/^[A-Za-z0-9._~+/=-]+$/.test(token.reveal())) throw new KeychainError("the token has characters the keychain command line cannot quote")
      const command = `add-generic-password -U -s ${SERVICE} -a ${ACCOUNT} -l "${ITEM_LABEL}" -w "${token.reveal()}"\n`
      const result = await run(security, ["-i"], env, command)
      if (result.code !== 0 || /error/i.test(result.stderr)) throw new KeychainError(scrubbed(result.stderr, token) || `security exited with ${result.code}`)
    },
    async read() {
      const result = await run(security, ["find-generic-password", ...item, "-w"], env)
      if (result.code === 44) return undefined // errSecItemNotFound
      if (result.code !== 0) throw new KeychainError(result.stderr.trim() || `security exited with ${result.code}`)
      const token = result.stdout.trim()
      return token ? new SecretText(token) : undefined
    },
    async remove() {
      const result = await run(security, ["delete-generic-password", ...item], env)
      if (result.code === 44) return false
      if (result.code !== 0) throw new KeychainError(result.stderr.trim() || `security exited with ${result.code}`)
      return true
    },
  }
}

function secretService(secretTool: string, env: NodeJS.ProcessEnv): Keychain {
  const attributes = ["service", SERVICE, "account", ACCOUNT]
  return {
    kind: "secret-service",
    label: `Secret Service item "${ITEM_LABEL}" (secret-tool lookup ${attributes.join(" ")})`,
    async store(token) {
      // secret-tool reads the secret from stdin when stdin is not a terminal.
      const result = await run(secretTool, ["store", "--label", ITEM_LABEL, ...attributes], env, token.reveal())
      if (result.code !== 0) throw new KeychainError(scrubbed(result.stderr, token) || `secret-tool exited with ${result.code}`)
    },
    async read() {
      const result = await run(secretTool, ["lookup", ...attributes], env)
      // secret-tool exits 1 with no output for a missing item.
      if (result.code !== 0 && result.stderr.trim() === "") return undefined
      if (result.code !== 0) throw new KeychainError(result.stderr.trim())
      const token = result.stdout.trim()
      return token ? new SecretText(token) : undefined
    },
    async remove() {
      const present = await this.read()
      if (!present) return false
      const result = await run(secretTool, ["clear", ...attributes], env)
      if (result.code !== 0) throw new KeychainError(result.stderr.trim() || `secret-tool exited with ${result.code}`)
      return true
    },
  }
}

/** A keychain command that failed; callers decide whether to fall back to the file. */
export class KeychainError extends LayerError {
  constructor(reason: string) {
    super("keychain_failed", `the OS keychain refused the request: ${reason}`, {
      hint: "unlock the keychain and try again, or set LAYERON_CREDENTIALS_STORE=file to keep credentials in a 0600 file instead",
    })
  }
}

/** A keychain tool's words, without the token in any form it could echo (output/redact.ts). */
function scrubbed(text: string, token: SecretText): string {
  return redact(text, [token.reveal()]).trim()
}

async function findExecutable(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const directory of (env.PATH ?? "").split(delimiter)) {
    if (!directory) continue
    const candidate = join(directory, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here; keep looking
    }
  }
  return undefined
}

/** secret-tool needs a D-Bus session (a desktop login, or `dbus-run-session`); SSH and CI have none. */
async function hasSessionBus(env: NodeJS.ProcessEnv): Promise<boolean> {
  if (env.DBUS_SESSION_BUS_ADDRESS) return true
  if (!env.XDG_RUNTIME_DIR) return false
  try {
    await access(join(env.XDG_RUNTIME_DIR, "bus"))
    return true
  } catch {
    return false
  }
}

interface RunResult {
  code: number
  stdout: string
  stderr: string
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["pipe", "pipe", "pipe"], timeout: COMMAND_TIMEOUT_MS })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", (error) => reject(new KeychainError(`could not run ${command}: ${error.message}`)))
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }))
    // A command that exits before reading stdin must not crash us with EPIPE.
    child.stdin.on("error", () => {})
    child.stdin.end(input ?? "")
  })
}
