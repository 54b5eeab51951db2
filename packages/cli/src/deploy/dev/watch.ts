/**
 * Directory watching for `layer dev`, through chokidar, with a debounce: editors and the local
 * store write through temp files and renames, so one save is several events; they are gathered
 * and reported once, as the list of paths that moved.
 *
 * Why not Node's `fs.watch`: on Linux, Node 20's `recursive: true` is emulated in JavaScript
 * over inotify and loses a file once it is replaced by a rename (how `sed -i`, vim and
 * JetBrains' safe write save): later saves produce no event at all. Node 22 and 24 rewrote
 * that emulation, but inotify still watches inodes, so a watcher that does not re-arm after a
 * rename misses the next save. chokidar 4 (no native code, Node >= 14.16) watches each
 * directory, re-arms after a rename, folds the unlink/add of an atomic save into one
 * `change`, and picks up new directories.
 */
import { relative } from "node:path"
import { watch } from "chokidar"
import type { FSWatcher } from "chokidar"

export interface WatchOptions {
  /** Whether subdirectories are watched too. */
  recursive: boolean
  /** Paths (relative to the watched directory) to leave out, such as node_modules/. */
  ignore?: (path: string) => boolean
  debounceMs?: number
}

export interface Watcher {
  /** Resolves once the initial scan is done: a change after it is seen. */
  ready: Promise<void>
  close(): Promise<void>
}

export function watchDirectory(directory: string, options: WatchOptions, onChange: (paths: string[]) => void): Watcher {
  const pending = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  const watcher: FSWatcher = watch(directory, {
    ignoreInitial: true,
    persistent: true,
    atomic: true,
    ...(options.recursive ? {} : { depth: 0 }),
    ignored: (path: string) => {
      const inside = relative(directory, path)
      return inside !== "" && (options.ignore?.(inside) ?? false)
    },
  })
  watcher.on("all", (event, path) => {
    if (event === "addDir" || event === "unlinkDir") return
    pending.add(relative(directory, path))
    clearTimeout(timer)
    timer = setTimeout(() => {
      const paths = [...pending].sort()
      pending.clear()
      onChange(paths)
    }, options.debounceMs ?? 150)
  })
  // A watched directory that disappears (a checkout switching branches) must not end dev.
  watcher.on("error", () => {})
  return {
    ready: new Promise((resolve) => watcher.once("ready", () => resolve())),
    async close() {
      clearTimeout(timer)
      await watcher.close()
    },
  }
}

/** What `layer dev` never rebuilds for: dependencies, Layeron's own state, VCS and build output. */
export function isIgnoredSourcePath(path: string): boolean {
  return /(^|[\\/])(node_modules|\.layeron|\.git|\.wrangler|dist)([\\/]|$)/.test(path)
}
