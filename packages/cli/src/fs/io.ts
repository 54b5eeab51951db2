/**
 * The node:fs/promises calls a short command makes, done synchronously behind the same
 * signatures: a rejected promise with the same error and code, so callers read as before.
 *
 * Why: a command works on a handful of small local files, strictly one step after another.
 * Each fs/promises call is a round trip through libuv's thread pool and back through the event
 * loop (about 0.1 ms, more on a busy machine), and a declared `layer secret set` made about
 * 400 of them (each path check lstats every folder below `.layeron`): some 40 ms of a 140 ms
 * command. The same calls done synchronously take microseconds (docs/performance.md).
 *
 * Only what the short commands use lives here. `layer dev` keeps node:fs/promises for its own
 * files (its watcher and front serve requests meanwhile); the shared helpers it calls block for
 * microseconds, except an fsync, which a write waits for either way.
 */
import * as fs from "node:fs"
import type * as fsPromises from "node:fs/promises"

export { constants } from "node:fs"

/** `sync` as a promise-returning function: its result resolves, its throw rejects. */
function promised<Args extends unknown[], Result>(sync: (...args: Args) => Result): (...args: Args) => Promise<Result> {
  return (...args) => {
    try {
      return Promise.resolve(sync(...args))
    } catch (error) {
      return Promise.reject(error as Error)
    }
  }
}

export const access = promised(fs.accessSync) as typeof fsPromises.access
export const chmod = promised(fs.chmodSync) as typeof fsPromises.chmod
export const link = promised(fs.linkSync) as typeof fsPromises.link
export const lstat = promised(fs.lstatSync) as typeof fsPromises.lstat
export const mkdir = promised(fs.mkdirSync) as typeof fsPromises.mkdir
export const readdir = promised(fs.readdirSync) as typeof fsPromises.readdir
export const readFile = promised(fs.readFileSync) as typeof fsPromises.readFile
export const realpath = promised(fs.realpathSync) as typeof fsPromises.realpath
export const rename = promised(fs.renameSync) as typeof fsPromises.rename
export const rm = promised(fs.rmSync) as typeof fsPromises.rm
export const rmdir = promised(fs.rmdirSync) as typeof fsPromises.rmdir
export const stat = promised(fs.statSync) as typeof fsPromises.stat
export const unlink = promised(fs.unlinkSync) as typeof fsPromises.unlink

/**
 * Create `path` (O_EXCL: never over an existing file) holding `data` with `mode`, fsynced
 * before it is closed when `sync` is set. Open's own error is thrown as it is (EEXIST when
 * something is there). If the write or the fsync fails (a full disk), the half-written file
 * is removed and the error names `path`: a descriptor's error carries no path of its own.
 */
export function writeNewFile(path: string, data: string | Uint8Array, mode: number, { sync = false } = {}): void {
  const fd = fs.openSync(path, "wx", mode)
  try {
    fs.writeFileSync(fd, data)
    if (sync) fs.fsyncSync(fd)
  } catch (error) {
    // The write's error is the one to report; a close or remove failing after it adds nothing.
    try {
      fs.closeSync(fd)
      fs.rmSync(path, { force: true })
    } catch {}
    throw Object.assign(error as Error, { path })
  }
  fs.closeSync(fd)
}

/** fsync the folder itself, so a rename or link inside it survives a power cut. */
export function syncFolder(directory: string): void {
  const fd = fs.openSync(directory, "r")
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}
