/** Test support: start an emulator with one account and token, and call it with fetch. */
import { PERMISSIONS, startEmulator, type Emulator, type EmulatorOptions, type Permission } from "./index.js"

export interface CallOptions {
  /** The bearer token; null sends no Authorization header. Defaults to the fixture's token. */
  token?: string | null
  body?: unknown
  headers?: Record<string, string>
}

export interface CallResult {
  status: number
  headers: Headers
  // The envelope, loosely typed: tests assert on its fields.
  json: {
    success: boolean
    errors: { code: number; message: string; error_chain?: { code: number; message: string }[] }[]
    messages: { code: number; message: string }[]
    result: any
    result_info?: { count: number; page: number; per_page: number; total_count: number; total_pages?: number }
  }
}

export interface Fixture {
  emulator: Emulator
  accountId: string
  token: string
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>
  /** Creates the account's store and returns its id. */
  createStore(): Promise<string>
  /** Bulk-creates secrets with scope workers and returns their ids. */
  createSecrets(storeId: string, names: string[], extra?: Record<string, unknown>): Promise<string[]>
  /** Registers another token on the fixture's account. */
  tokenWith(permissions: Permission[], kind?: "user" | "account"): string
}

export async function startFixture(options: EmulatorOptions = {}): Promise<Fixture> {
  const emulator = await startEmulator({ pendingDelayMs: 0, ...options })
  const accountId = emulator.addAccount({ name: "Test account" }).id
  const token = emulator.addToken({ kind: "user", accountIds: [accountId], permissions: [...PERMISSIONS] })
  const call = async (method: string, path: string, callOptions: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...callOptions.headers }
    const bearer = callOptions.token === undefined ? token : callOptions.token
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`
    let body: string | undefined
    if (callOptions.body !== undefined) {
      body = typeof callOptions.body === "string" ? callOptions.body : JSON.stringify(callOptions.body)
      headers["content-type"] ??= "application/json"
    }
    const response = await fetch(`${emulator.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
    return { status: response.status, headers: response.headers, json: (await response.json()) as CallResult["json"] }
  }
  return {
    emulator,
    accountId,
    token,
    call,
    createStore: async () => {
      const created = await call("POST", `/accounts/${accountId}/secrets_store/stores`, { body: { name: "default_secrets_store" } })
      if (!created.json.success) throw new Error(`store create failed: ${JSON.stringify(created.json.errors)}`)
      return created.json.result.id as string
    },
    createSecrets: async (storeId, names, extra = {}) => {
      const body = names.map((name) => ({ name, value: `value-of-${name}`, scopes: ["workers"], ...extra }))
      const created = await call("POST", `/accounts/${accountId}/secrets_store/stores/${storeId}/secrets`, { body })
      if (!created.json.success) throw new Error(`secret create failed: ${JSON.stringify(created.json.errors)}`)
      return (created.json.result as { id: string }[]).map((secret) => secret.id)
    },
    tokenWith: (permissions, kind = "user") => emulator.addToken({ kind, accountIds: [accountId], permissions }),
  }
}

export function errorCodes(result: CallResult): number[] {
  return result.json.errors.map((error) => error.code)
}
