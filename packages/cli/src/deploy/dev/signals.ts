/**
 * How `layer dev` stops: Ctrl-C (SIGINT) or SIGTERM ends it cleanly with exit code 0. bin.ts
 * treats SIGINT as an interruption (exit 130), which suits one-shot commands; a dev server
 * is stopped that way by design, so its listener is replaced here. A second signal during
 * shutdown exits at once, with 130.
 */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  process.removeAllListeners("SIGINT")
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.removeListener("SIGINT", stop)
      process.removeListener("SIGTERM", stop)
      process.once("SIGINT", () => process.exit(130))
      process.once("SIGTERM", () => process.exit(130))
      resolve(signal)
    }
    process.once("SIGINT", stop)
    process.once("SIGTERM", stop)
  })
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const

/**
 * Runs `create` (the Miniflare constructor) and takes back the SIGINT/SIGTERM listeners it
 * added: miniflare's exit hook would exit the process at once (130/143), before `layer dev`
 * could close its watchers and remove its temporary store. Its `exit` listener stays, so
 * workerd still goes down with the process however it ends.
 */
export function keepStopSignals<T>(create: () => T): T {
  const before = new Map(STOP_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]))
  const created = create()
  for (const signal of STOP_SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener)
  }
  return created
}
