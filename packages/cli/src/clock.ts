/**
 * The CLI's one clock. Every instant the CLI records or plans against (a version's
 * createdAt and expiresAt, rotation log entries, the due rule, the sealing key's
 * createdAt, the local store's `modified`) comes from the `now()` made here; cli.ts hands
 * it to every command as `context.now`.
 *
 * LAYERON_TEST_NOW is for tests only: an RFC 3339 time that pins `now()` to that instant,
 * so a test can write versions "40 days ago" through the real code paths and then find
 * them due with a real-time run. Waits and timeouts (locks, retries, rate limiting) keep
 * using real time. Nothing outside tests should set it.
 */
import { LayerError } from "./errors.js"

export const TEST_NOW_VARIABLE = "LAYERON_TEST_NOW"

/**
 * Async only so that the RFC 3339 parser (the whole envelope module graph, 13 modules) is
 * loaded when a test pins the time, not on every command's start (docs/performance.md).
 */
export async function createClock(env: NodeJS.ProcessEnv): Promise<() => Date> {
  const pinned = env[TEST_NOW_VARIABLE]
  if (pinned === undefined || pinned === "") return () => new Date()
  const { parseRfc3339 } = await import("@layeron/modules/envelope")
  const ms = parseRfc3339(pinned)
  if (ms === undefined) {
    throw new LayerError("invalid_setting", `${TEST_NOW_VARIABLE} is not an RFC 3339 time: ${JSON.stringify(pinned)}`, {
      hint: `${TEST_NOW_VARIABLE} is for tests only; unset it, or use the form 2026-07-01T00:00:00Z`,
    })
  }
  return () => new Date(ms)
}
