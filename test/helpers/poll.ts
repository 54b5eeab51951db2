/**
 * Waiting for a condition instead of sleeping: poll it until it holds or a deadline passes,
 * then fail naming what was awaited. Tests synchronise on what they can observe (a lock file,
 * a log line, a listening port), never on a fixed delay.
 */
import { setTimeout as sleep } from "node:timers/promises"

export interface PollOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number
  /** Between attempts (default 10 ms). */
  intervalMs?: number
  /** What is awaited, for the error. */
  what: string
}

export async function pollUntil(condition: () => boolean | Promise<boolean>, options: PollOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000)
  for (;;) {
    if (await condition()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${options.what}`)
    await sleep(options.intervalMs ?? 10)
  }
}
