/**
 * Per-user random keys kept as small files (0600) in a private directory. Creation is
 * race-free: the key is written to a temp file and hard-linked into place, which fails if
 * another process got there first; the loser then reads the winner's key. So two
 * concurrent first runs never end up with two different keys.
 */
import { randomBytes } from "node:crypto"
import { chmod, link, readFile, stat, unlink } from "./io.js"
import { basename, dirname, join } from "node:path"
import { LayerError } from "../errors.js"
import { ensurePrivateDirectory } from "../paths.js"
import { syncDirectory, writeFileAtomic, writeTemp } from "./atomic.js"
import { assertSafePath } from "./safe-path.js"

/** Where a narrowed key file is reported when the caller gives no `warn` (stderr, like the CLI's warnings). */
const stderrWarning = (message: string) => void process.stderr.write(`warning: ${message}\n`)

/**
 * What to do with a key file of the wrong length (empty after a full disk, cut short):
 * `recreate` for a key that only makes fingerprints (a new one changes future fingerprints,
 * loses nothing), `refuse` for a key that encrypts data (before anything is written).
 */
export type DamagedKeyPolicy = "recreate" | "refuse"

/**
 * Read the key at `path`, creating `length` random bytes there on first use. An existing key
 * (or its directory) open to group or others is narrowed to 0600 (0700) first, with a warning:
 * whoever could read it may hold the key.
 */
export async function loadOrCreateKeyFile(path: string, length: number, purpose: string, warn: (message: string) => void = stderrWarning, damaged: DamagedKeyPolicy = "refuse"): Promise<Buffer> {
  // A linked key file (or a home another user owns) would hand over someone else's key.
  await assertSafePath(path)
  const existing = await readKey(path)
  if (existing) {
    await narrowKeyModes(path, purpose, warn)
    if (existing.byteLength === length || damaged === "refuse") return checkLength(existing, path, length, purpose)
    return recreateKey(path, length, purpose, existing.byteLength, warn)
  }
  await ensurePrivateDirectory(dirname(path))
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`)
  try {
    await writeTemp(temp, randomBytes(length), 0o600)
    await link(temp, path)
    await syncDirectory(dirname(path))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw Object.assign(error as Error, { path })
  } finally {
    // On every path: a key write on a full disk must not leave a 0-byte temp file behind.
    await unlink(temp).catch(() => {})
  }
  const key = await readKey(path)
  if (!key) throw new LayerError("key_unreadable", `could not read ${purpose} at ${path} after creating it`)
  return checkLength(key, path, length, purpose)
}

/** Replace a damaged key atomically with a new one, saying so. */
async function recreateKey(path: string, length: number, purpose: string, found: number, warn: (message: string) => void): Promise<Buffer> {
  const key = randomBytes(length)
  await writeFileAtomic(path, key, 0o600)
  warn(`${purpose} at ${path} held ${found} bytes instead of ${length} (cut short, perhaps by a full disk); a new one was made, so fingerprints shown from now on differ from earlier ones`)
  return key
}

async function readKey(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw new LayerError("key_unreadable", `cannot read ${path}: ${(error as Error).message}`, {
      hint: "check the file's owner and permissions (it should be yours, mode 0600)",
    })
  }
}

function checkLength(key: Buffer, path: string, length: number, purpose: string): Buffer {
  if (key.byteLength !== length) {
    throw new LayerError("key_corrupt", `${purpose} at ${path} holds ${key.byteLength} bytes; expected ${length}, so it is not the key it was (cut short, perhaps by a full disk, or overwritten); nothing was written`, {
      hint: `restore ${path} from a backup: what was encrypted with it can only be opened with the original key. Until then layer leaves it as it is`,
      details: { path, bytes: key.byteLength, expected: length },
    })
  }
  return key
}

async function narrowKeyModes(path: string, purpose: string, warn: (message: string) => void): Promise<void> {
  if (process.platform === "win32") return
  const directory = dirname(path)
  const directoryMode = (await stat(directory)).mode & 0o777
  if ((directoryMode & 0o077) !== 0) {
    await chmod(directory, 0o700)
    warn(`${directory} was open to other users (mode 0${directoryMode.toString(8)}); it is now 0700`)
  }
  const fileMode = (await stat(path)).mode & 0o777
  if ((fileMode & 0o077) !== 0) {
    await chmod(path, 0o600)
    warn(`${purpose} ${path} was readable by other users (mode 0${fileMode.toString(8)}); it is now 0600. Anyone who read it may hold the key`)
  }
}
