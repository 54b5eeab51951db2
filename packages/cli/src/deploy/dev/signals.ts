/**
 * How `layer dev` stops: Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal closed, the SSH
 * session dropped) end it cleanly with exit code 0, and so does a closed stdout or stderr
 * (EPIPE: `layer dev 2>&1 | head -1` after head exits), since nobody reads its output any
 * more. bin.ts treats SIGINT as an interruption (exit 130), which suits one-shot commands; a
 * dev server is stopped that way by design, so its listener is replaced here. A second
 * signal during shutdown exits at once, with 130.
 *
 * What no listener can catch (SIGKILL) is handled by watchdog.ts.
 */
export type StopReason = NodeJS.Signals | "EPIPE"

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const

export function waitForStopSignal(): Promise<StopReason> {
  process.removeAllListeners("SIGINT")
  return new Promise((resolve) => {
    let stopped = false
    const stop = (reason: StopReason) => {
      if (stopped) return
      stopped = true
      for (const signal of SIGNALS) {
        process.removeListener(signal, stop)
        process.once(signal, () => process.exit(130))
      }
      resolve(reason)
    }
    for (const signal of SIGNALS) process.once(signal, stop)
    for (const stream of [process.stdout, process.stderr]) {
      // Kept for good: every later write to the closed stream fails the same way.
      stream.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") stop("EPIPE")
        else throw error
      })
    }
  })
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const

/**
 * Runs `create` (the Miniflare constructor) and takes back the SIGINT/SIGTERM listeners it
 * added: miniflare's exit hook would exit the process at once (130/143), before `layer dev`
 * could close its watchers. Its `exit` listener stays, so workerd still goes down with the
 * process on an uncaught error.
 */
export function keepStopSignals<T>(create: () => T): T {
  const before = new Map(STOP_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]))
  const created = create()
  for (const signal of STOP_SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener)
  }
  return created
}
