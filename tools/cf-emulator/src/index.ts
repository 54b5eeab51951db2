/**
 * @layeron/cf-emulator: a local emulator of the Cloudflare API surface Layeron uses
 * (token verify, accounts, Secrets Store, Workers script upload), with fault injection and
 * Cloudflare's global rate limit, for tests. See README.md for what it departs from.
 */
export { startEmulator, DEFAULT_PENDING_DELAY_MS, DEFAULT_SECRET_QUOTA } from "./start.js"
export { CLOUDFLARE_RATE_LIMIT } from "./faults/rate-limiter.js"
export { PERMISSIONS } from "./types.js"
export type {
  Account,
  AccountSpec,
  AccountSummary,
  Emulator,
  EmulatorOptions,
  Fault,
  FaultAction,
  FaultScope,
  Permission,
  RateLimitOptions,
  RequestLogEntry,
  TokenKind,
  TokenSpec,
  TokenStatus,
  UploadedModule,
  UploadedScript,
} from "./types.js"
