/**
 * Which state files a command changed, for `secret rotate --json`'s `changedFiles`: the
 * directory's files hashed before the writes and after, so the list is exactly what a CI job
 * must commit, whichever step wrote it (settled intents, accepted policies, a new public key,
 * the rotations).
 */
import { createHash } from "node:crypto"
import { readdir } from "../fs/io.js"
import { assertSafePath, readGuardedFile } from "../fs/safe-path.js"
import { join, relative } from "node:path"

export type DirectorySnapshot = ReadonlyMap<string, string>

export async function snapshotFiles(dir: string): Promise<DirectorySnapshot> {
  const hashes = new Map<string, string>()
  let names: string[]
  await assertSafePath(dir)
  try {
    names = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return hashes
    throw error
  }
  for (const name of names.filter((entry) => entry.endsWith(".json"))) {
    hashes.set(join(dir, name), createHash("sha256").update(await readGuardedFile(join(dir, name))).digest("hex"))
  }
  return hashes
}

/** Paths (relative to `root`, sorted) added, changed or removed between two snapshots. */
export function changedBetween(before: DirectorySnapshot, after: DirectorySnapshot, root: string): string[] {
  const paths = new Set([...before.keys(), ...after.keys()])
  return [...paths].filter((path) => before.get(path) !== after.get(path)).map((path) => relative(root, path)).sort()
}
