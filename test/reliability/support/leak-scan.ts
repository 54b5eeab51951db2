/**
 * Where a leaked canary could end up, besides stdout and stderr: files under the project
 * and LAYERON_HOME, and files the run left in the system temp directory (entries of
 * os.tmpdir() that were not there before). Symlinks are not followed (the project's
 * node_modules is one).
 */
import { lstat, readdir, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import type { CanarySet, Leak } from "./canary.js"

/** Files larger than this are scanned by their first bytes only (nothing we write is near it). */
const MAX_SCAN_BYTES = 8 * 2 ** 20

export interface FileScanOptions {
  /** Paths (relative to `root`) where a canary is expected by design, e.g. credentials.json for the token. */
  allowed?: (path: string, leak: Leak) => boolean
}

/** Every canary found in any regular file under `root`. */
export async function scanTree(root: string, canaries: CanarySet, options: FileScanOptions = {}): Promise<{ files: number; leaks: Leak[] }> {
  let files = 0
  const leaks: Leak[] = []
  for (const path of await regularFiles(root)) {
    const data = await readSome(path)
    if (data === undefined) continue
    files++
    const shown = relative(root, path)
    for (const leak of canaries.find(data, shown)) {
      if (!options.allowed?.(shown, leak)) leaks.push(leak)
    }
  }
  return { files, leaks }
}

async function regularFiles(dir: string): Promise<string[]> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    // Gone meanwhile (another test's temp dir), or not ours to read.
    return []
  }
  const found: string[] = []
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await regularFiles(path)))
    else if (entry.isFile()) found.push(path)
  }
  return found
}

async function readSome(path: string): Promise<Buffer | undefined> {
  try {
    const data = await readFile(path)
    return data.byteLength > MAX_SCAN_BYTES ? data.subarray(0, MAX_SCAN_BYTES) : data
  } catch {
    return undefined
  }
}

/**
 * The temp directory before a run, to find what the run added. Other processes share the
 * directory, so "new" includes their files too: harmless, since they cannot hold our canaries.
 */
export class TempDirWatch {
  readonly dir = tmpdir()
  #before = new Set<string>()

  async snapshot(): Promise<void> {
    this.#before = new Set(await readdir(this.dir).catch(() => []))
  }

  /** Entries that appeared since the snapshot, excluding `ignore` (e.g. the test project's own base). */
  async added(ignore: readonly string[] = []): Promise<string[]> {
    const now = await readdir(this.dir).catch(() => [] as string[])
    return now.filter((name) => !this.#before.has(name) && !ignore.includes(join(this.dir, name)))
  }

  /** Scan every added entry (file or directory) for canaries; paths are shown as `$TMPDIR/…`. */
  async scanAdded(canaries: CanarySet, options: FileScanOptions & { ignore?: readonly string[] } = {}): Promise<{ entries: number; files: number; leaks: Leak[] }> {
    const ignore = options.ignore ?? []
    const added = await this.added(ignore)
    let files = 0
    const leaks: Leak[] = []
    for (const name of added) {
      const path = join(this.dir, name)
      const info = await lstat(path).catch(() => undefined)
      if (!info) continue
      if (info.isDirectory()) {
        const scanned = await scanTree(path, canaries)
        files += scanned.files
        leaks.push(...scanned.leaks.map((leak) => ({ ...leak, where: `$TMPDIR/${name}/${leak.where}` })).filter((leak) => !options.allowed?.(leak.where, leak)))
      } else if (info.isFile()) {
        const data = await readSome(path)
        if (data === undefined) continue
        files++
        leaks.push(...canaries.find(data, `$TMPDIR/${name}`).filter((leak) => !options.allowed?.(leak.where, leak)))
      }
    }
    return { entries: added.length, files, leaks }
  }
}
