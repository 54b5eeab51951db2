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
import { readdir, stat } from "node:fs/promises"
import { join, relative } from "node:path"
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

/** What `layer dev` never rebuilds for: dependencies, Layeron's own state, VCS and build output, editors' temp files. */
export function isIgnoredSourcePath(path: string): boolean {
  return /(^|[\\/])(node_modules|\.layeron|\.git|\.wrangler|dist)([\\/]|$)/.test(path) || isEditorTempFile(path)
}

/**
 * Files editors write beside the one being saved, which are never imported: vim's swap files
 * and its `4913` write test, backups ending in `~`, Emacs' lock and autosave files, JetBrains'
 * safe-write copies. vim rewrites its swap file while you type, so each would be a build.
 */
export function isEditorTempFile(path: string): boolean {
  const name = path.split(/[\\/]/).pop() ?? ""
  return /^\..*\.sw[a-px]$|^4913$|~$|^\.#|^#.*#$|___jb_(tmp|old|bak)___$/.test(name)
}

/**
 * A second look at a small directory (the local store: one file per secret, at most a few
 * hundred): every `intervalMs`, the names, sizes, mtimes and inodes of its files matching
 * `keep`; a difference calls `onChange`. Under heavy load chokidar was seen to miss a
 * rename-over (`layer dev`'s soak, 2026-12-07: a `secret set` never reloaded); this costs one
 * readdir and a stat per file a second and catches what an event missed.
 */
export function pollDirectory(directory: string, keep: (name: string) => boolean, intervalMs: number, onChange: () => void): Watcher {
  let last: string | undefined
  let stopped = false
  const look = async (): Promise<string> => {
    const names = (await readdir(directory).catch(() => [] as string[])).filter(keep).sort()
    const stats = await Promise.all(names.map(async (name) => stat(join(directory, name)).then((s) => `${name}:${s.size}:${s.mtimeMs}:${s.ino}`, () => `${name}:gone`)))
    return stats.join("\n")
  }
  const ready = look().then((first) => {
    last = first
  })
  const timer = setInterval(() => {
    void ready.then(async () => {
      const now = await look()
      if (stopped || now === last) return
      last = now
      onChange()
    })
  }, intervalMs)
  timer.unref()
  return {
    ready,
    async close() {
      stopped = true
      clearInterval(timer)
    },
  }
}
