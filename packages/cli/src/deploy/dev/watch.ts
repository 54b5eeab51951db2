/**
 * Directory watching for `layer dev`, with a debounce: editors and the local store write
 * through temp files and renames, so one save is several events; they are gathered and
 * reported once, as the list of paths that moved.
 */
import { watch } from "node:fs"
import type { FSWatcher } from "node:fs"

export interface WatchOptions {
  recursive: boolean
  /** Paths (relative to the watched directory) to leave out, such as node_modules/. */
  ignore?: (path: string) => boolean
  debounceMs?: number
}

export interface Watcher {
  close(): void
}

export function watchDirectory(directory: string, options: WatchOptions, onChange: (paths: string[]) => void): Watcher {
  const pending = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let watcher: FSWatcher | undefined = watch(directory, { recursive: options.recursive, persistent: true }, (_event, filename) => {
    const path = filename === null ? "" : filename.toString()
    if (options.ignore?.(path)) return
    pending.add(path)
    clearTimeout(timer)
    timer = setTimeout(() => {
      const paths = [...pending].sort()
      pending.clear()
      onChange(paths)
    }, options.debounceMs ?? 150)
  })
  // A watched directory that disappears (a checkout switching branches) ends its watcher quietly.
  watcher.on("error", () => watcher?.close())
  return {
    close() {
      clearTimeout(timer)
      watcher?.close()
      watcher = undefined
    },
  }
}

/** What `layer dev` never rebuilds for: dependencies, Layeron's own state, VCS and build output. */
export function isIgnoredSourcePath(path: string): boolean {
  return /(^|[\\/])(node_modules|\.layeron|\.git|\.wrangler|dist)([\\/]|$)/.test(path)
}
