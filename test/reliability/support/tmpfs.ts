/**
 * A small tmpfs mounted over a folder, to meet a full disk or a read-only file system for
 * real (not a mock). Needs root (or CAP_SYS_ADMIN) and a kernel that allows the mount; where
 * the mount is refused, `mountTmpfs` says why, and the tests skip with that reason.
 */
import { execFile, spawn } from "node:child_process"
import { mkdir, open, rm, statfs } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

export interface Tmpfs {
  path: string
  /** Fill the file system, then free `leaveBytes` of it (in whole 4 KiB pages). */
  fill(leaveBytes?: number): Promise<void>
  /** Remove the filler: the space is back. */
  free(): Promise<void>
  /** Free bytes now. */
  available(): Promise<number>
  readOnly(on: boolean): Promise<void>
  unmount(): Promise<void>
}

export async function mountTmpfs(path: string, sizeKiB: number): Promise<Tmpfs | { skip: string }> {
  if (process.platform !== "linux") return { skip: `tmpfs mounts need Linux (this is ${process.platform})` }
  await mkdir(path, { recursive: true })
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=0700`, "tmpfs", path])
  } catch (error) {
    return { skip: `cannot mount a tmpfs here (${((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}); a full disk and a read-only file system are not tested on this machine` }
  }
  unmountWhenGone(path)
  const filler = join(path, ".filler")
  const tmpfs: Tmpfs = {
    path,
    async fill(leaveBytes = 0) {
      const handle = await open(filler, "w")
      const chunk = Buffer.alloc(4096, 0x61)
      try {
        for (;;) await handle.write(chunk)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error
      }
      const { size } = await handle.stat()
      await handle.truncate(Math.max(0, size - Math.ceil(leaveBytes / 4096) * 4096))
      await handle.close()
    },
    async free() {
      await rm(filler, { force: true })
    },
    async available() {
      const stats = await statfs(path)
      return stats.bavail * stats.bsize
    },
    async readOnly(on) {
      await run("mount", ["-o", `remount,${on ? "ro" : "rw"}`, path])
    },
    async unmount() {
      await run("umount", [path]).catch(() => run("umount", ["-l", path]))
    },
  }
  return tmpfs
}

/**
 * A test process killed outright (the sabotage check stops a run with SIGKILL) runs no
 * `after` hook, so a small detached watcher, outside the test's process group, unmounts the
 * tmpfs once the test process is gone. It ends by itself.
 */
function unmountWhenGone(path: string): void {
  const watcher = spawn("sh", ["-c", 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; umount -l "$2" 2>/dev/null; exit 0', "sh", String(process.pid), path], { detached: true, stdio: "ignore" })
  watcher.unref()
}
