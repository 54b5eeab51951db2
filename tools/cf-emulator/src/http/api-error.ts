/**
 * One failed API call, as Cloudflare reports it: an HTTP status and the envelope's `errors`.
 * Handlers throw these; the server turns them into `{success:false, errors, messages:[], result:null}`.
 * Every Cloudflare code the emulator sends is built by a function in cf-errors.ts.
 */
export interface CfMessage {
  code: number
  message: string
  error_chain?: CfMessage[]
}

export class ApiError extends Error {
  readonly status: number
  readonly errors: CfMessage[]
  readonly headers: Record<string, string>

  constructor(status: number, errors: CfMessage[], headers: Record<string, string> = {}) {
    super(errors.map((e) => `${e.message} [code: ${e.code}]`).join("; "))
    this.name = "ApiError"
    this.status = status
    this.errors = errors
    this.headers = headers
  }
}

export function apiError(status: number, code: number, message: string, chain?: CfMessage[]): ApiError {
  return new ApiError(status, [chain === undefined ? { code, message } : { code, message, error_chain: chain }])
}
