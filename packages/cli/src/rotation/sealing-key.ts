/**
 * The environment's sealing key pair (docs/design.md#rotation). The private half is written once into the
 * store as `layeron/sealing-key` and forgotten; the public half sits in the rotation state
 * (`public-key.json`) so that every later write can seal a copy of what it wrote.
 *
 * The two halves must stay a pair: a sealed copy made with a public key whose private half
 * is not in the store can never be opened, and replacing a private half that something was
 * sealed to makes those versions unreadable. So a new pair is written in three steps:
 * the public file marked `pending` (never used for sealing), the private half into the
 * store (with the public key's anchor as its comment, in the same request), then the public
 * file without the mark. A run killed before the private half was stored leaves a pending
 * file and an empty store: the next run starts again with a fresh pair. Killed after, the
 * store's anchor proves the pending file's key, and the next run only drops the mark.
 *
 * The committed file is input from anyone who can merge a commit, so it is never trusted on
 * its own (docs/security.md): its key must match the anchor in the store before anything is
 * sealed to it. A pending file over a private half it cannot be proven to belong to, a
 * private half without a public file, or a public file without its private half, is refused:
 * only a person can tell whether the other half can be restored.
 */
import { dirname } from "node:path"
import { generateSealingKeyPair, publicKeyFingerprint } from "@layeron/modules/seal"
import { LayerError } from "../errors.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { SecretText } from "../providers/provider.js"
import type { SecretMetadata, SecretProvider } from "../providers/provider.js"
import { publicKeyPath } from "./paths.js"
import { crashPoint } from "../testing/crash-point.js"
import { PUBLIC_KEY_FORMAT } from "./types.js"
import type { PublicKeyFile } from "./types.js"
import { readTextIfExists } from "../fs/read-if-exists.js"
import { makeDirectory } from "../fs/safe-path.js"
import { anchoredFingerprint, keyAnchor, verifyAnchor } from "./anchor.js"

export interface SealingContext {
  projectRoot: string
  environment: string
  provider: SecretProvider
  /** Physical name of `layeron/sealing-key` in this environment. */
  sealingKeyName: string
  /** Says once what a first anchoring did (a write of a project made before anchors). */
  notify?: (message: string) => void
}

export async function readPublicKey(projectRoot: string, environment: string): Promise<PublicKeyFile | undefined> {
  const path = publicKeyPath(projectRoot, environment)
  const text = await readTextIfExists(path)
  if (text === undefined) return undefined
  let data: PublicKeyFile
  try {
    data = JSON.parse(text) as PublicKeyFile
  } catch {
    data = {} as PublicKeyFile
  }
  if (data.format !== PUBLIC_KEY_FORMAT || typeof data.publicKey !== "object" || data.publicKey === null || typeof data.physicalName !== "string" || (data.pending !== undefined && data.pending !== true)) {
    throw new LayerError("invalid_state", `sealing public key ${path} is invalid`, {
      hint: `restore it from version control (git checkout -- ${path})`,
      details: { file: path },
    })
  }
  return data
}

export type SealingKeyStatus =
  /**
   * Both halves present, and the store's anchor vouches for the public key. `unanchored`:
   * the private half was written before anchors, so the first write anchors this public key.
   * `completes`: the file is still marked pending although the store holds its private half
   * under a matching anchor (a run killed after storing it); the next write drops the mark.
   */
  | { kind: "ready"; publicKey: PublicKeyFile; unanchored?: true; completes?: true }
  /** No pair yet (or one whose creation stopped before the private half was stored): the first write creates it. */
  | { kind: "absent" }

/**
 * Where the pair stands, without writing anything (plans use it too). `stored` is the
 * provider's metadata of the private half when the caller already listed the store.
 * Throws when one half is missing, when the public key does not match the store's anchor,
 * and when a pending public key meets a private half it cannot be proven to belong to:
 * an existing sealing key is never replaced on the file's word.
 */
export async function checkSealingKey(context: SealingContext, stored?: SecretMetadata | null): Promise<SealingKeyStatus> {
  const file = await readPublicKey(context.projectRoot, context.environment)
  const inStore = stored === undefined ? await context.provider.find(context.sealingKeyName) : (stored ?? undefined)
  if (!file && !inStore) return { kind: "absent" }
  if (!inStore) {
    if (file!.pending) return { kind: "absent" }
    throw privateHalfMissing(context)
  }
  if (!file) throw publicHalfMissing(context)
  const expected = checkedKeyAnchor(context, file)
  const verdict = verifyAnchor(expected, inStore.comment)
  if (verdict.status === "mismatch") throw sealingKeyMismatch(context, file, verdict.stored)
  if (file.pending) {
    if (verdict.status === "anchored") return { kind: "ready", publicKey: withoutPending(file), completes: true }
    throw pendingOverStoredKey(context, file)
  }
  return verdict.status === "unanchored" ? { kind: "ready", publicKey: file, unanchored: true } : { kind: "ready", publicKey: file }
}

/**
 * Public key files this process has verified against a provider's anchor, with their exact
 * text: checking costs a store lookup, so the writes of one run (a rotation of many secrets)
 * check once, and any change to the file's bytes checks again.
 */
const verified = new WeakMap<SecretProvider, Map<string, { text: string; file: PublicKeyFile }>>()

/**
 * The public key to seal with, verified against the store's anchor, creating the pair on
 * first need (see the file comment for the order of writes). Callers hold the environment
 * lock, so two writers never create two pairs.
 */
export async function ensureSealingKey(context: SealingContext, options: { stored?: SecretMetadata | null; now?: Date } = {}): Promise<PublicKeyFile> {
  const path = publicKeyPath(context.projectRoot, context.environment)
  let byPath = verified.get(context.provider)
  if (!byPath) verified.set(context.provider, (byPath = new Map()))
  const known = byPath.get(path)
  if (known && known.text === (await readTextIfExists(path))) return known.file
  const file = await resolveSealingKey(context, options)
  const text = await readTextIfExists(path)
  if (text !== undefined) byPath.set(path, { text, file })
  return file
}

async function resolveSealingKey(context: SealingContext, options: { stored?: SecretMetadata | null; now?: Date }): Promise<PublicKeyFile> {
  const status = await checkSealingKey(context, options.stored)
  if (status.kind === "ready") {
    if (status.completes) await writePublicKey(context, status.publicKey)
    if (status.unanchored) {
      await context.provider.annotate(context.sealingKeyName, keyAnchor(status.publicKey.publicKey))
      context.notify?.(
        `anchored the sealing key of "${context.environment}" (fingerprint ${status.publicKey.fingerprint}, from ${publicKeyPath(context.projectRoot, context.environment)}) in the store for the first time; from now on every write checks the public key against it`,
      )
    }
    return status.publicKey
  }
  const pair = await generateSealingKeyPair()
  const file: PublicKeyFile = {
    format: PUBLIC_KEY_FORMAT,
    environment: context.environment,
    physicalName: context.sealingKeyName,
    publicKey: pair.publicKey,
    fingerprint: await publicKeyFingerprint(pair.publicKey),
    createdAt: (options.now ?? new Date()).toISOString(),
  }
  await writePublicKey(context, { ...file, pending: true })
  crashPoint("sealing-key-pending")
  // The anchor rides with the private half: a run killed after this write leaves a pending
  // file that the store's anchor proves, so the next run completes it instead of replacing it.
  await context.provider.upsert(context.sealingKeyName, new SecretText(JSON.stringify(pair.privateKey)), { comment: keyAnchor(pair.publicKey) })
  crashPoint("sealing-key-stored")
  await writePublicKey(context, file)
  return file
}

/** The anchor of the file's key, after checking that its `fingerprint` field is that key's. */
export function checkedKeyAnchor(context: Pick<SealingContext, "projectRoot" | "environment">, file: PublicKeyFile): string {
  const path = publicKeyPath(context.projectRoot, context.environment)
  let anchor: string
  try {
    anchor = keyAnchor(file.publicKey)
  } catch {
    throw new LayerError("invalid_state", `sealing public key ${path} is invalid: "publicKey" is not a P-256 public key`, { hint: `restore it from version control (git checkout -- ${path})`, details: { file: path } })
  }
  if (anchoredFingerprint(anchor) !== file.fingerprint) {
    throw new LayerError("invalid_state", `sealing public key ${path} is invalid: its "fingerprint" ${JSON.stringify(String(file.fingerprint).slice(0, 32))} is not the fingerprint of its "publicKey" (${anchoredFingerprint(anchor)})`, {
      hint: `restore it from version control (git checkout -- ${path})`,
      details: { file: path },
    })
  }
  return anchor
}

function withoutPending(file: PublicKeyFile): PublicKeyFile {
  const { pending: _pending, ...rest } = file
  return rest
}

export async function writePublicKey(context: SealingContext, file: PublicKeyFile): Promise<void> {
  const path = publicKeyPath(context.projectRoot, context.environment)
  await makeDirectory(dirname(path), 0o700)
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + "\n", 0o600)
}

function privateHalfMissing(context: SealingContext): LayerError {
  const path = publicKeyPath(context.projectRoot, context.environment)
  return new LayerError(
    "sealing_key_missing",
    `the sealing key ${context.sealingKeyName} (layeron/sealing-key) of environment "${context.environment}" is missing from the store, so the versions sealed to ${path} can no longer be opened`,
    {
      // Never "delete": the state may be all that is left of the history (the key may come back from a backup).
      hint:
        "restore the secret from a backup if you have one; otherwise start new histories, keeping the old state: " +
        `\`mv ${dirname(path)} ${dirname(path)}.lost-sealing-key\` and run the command again, with --discard-history for rotations (the versions sealed to the lost key stay unreadable)`,
      details: { secret: context.sealingKeyName, file: path },
    },
  )
}

function publicHalfMissing(context: SealingContext): LayerError {
  const path = publicKeyPath(context.projectRoot, context.environment)
  return new LayerError(
    "sealing_key_public_missing",
    `the sealing key ${context.sealingKeyName} (layeron/sealing-key) of environment "${context.environment}" is in the store, but its public half ${path} is missing`,
    {
      hint:
        `\`git pull\` if a teammate or CI created it, else restore ${path} from version control (git checkout -- ${path}); a new key pair would make every sealed version in the store unreadable. ` +
        `Only if nothing was ever rotated or set in "${context.environment}": \`layer secret delete layeron/sealing-key --force\`, then run the command again`,
      details: { secret: context.sealingKeyName, file: path },
    },
  )
}

function sealingKeyMismatch(context: SealingContext, file: PublicKeyFile, stored: string): LayerError {
  const path = publicKeyPath(context.projectRoot, context.environment)
  const anchored = anchoredFingerprint(stored) ?? "(not a key anchor)"
  return new LayerError(
    "sealing_key_mismatch",
    `the sealing public key in ${path} (fingerprint ${file.fingerprint}) is not the one the store anchored for ${context.sealingKeyName} (layeron/sealing-key, fingerprint ${anchored}) in "${context.environment}"; nothing was written (sealing to a key that is not the store's would hand the values to whoever holds its private half)`,
    {
      hint:
        `restore the file from a commit you trust (git log -p -- ${path}; git checkout <commit> -- ${path}). ` +
        `Only if a person has checked that ${file.fingerprint} is the environment's key: \`layer secret rotate --env ${context.environment} --re-anchor\``,
      details: { file: path, fingerprint: file.fingerprint, anchoredFingerprint: anchored },
    },
  )
}

function pendingOverStoredKey(context: SealingContext, file: PublicKeyFile): LayerError {
  const path = publicKeyPath(context.projectRoot, context.environment)
  return new LayerError(
    "sealing_key_pending",
    `${path} is marked "pending" (a key pair still being created), but the store already holds the sealing key ${context.sealingKeyName} (layeron/sealing-key) of "${context.environment}" and nothing proves that ${file.fingerprint} is its public half; a new pair would make every sealed version unreadable, so nothing was written`,
    {
      hint:
        `restore the file from a commit you trust (git checkout <commit> -- ${path}); if it is the right key, remove the "pending": true line and run \`layer secret rotate --env ${context.environment} --re-anchor\``,
      details: { file: path, fingerprint: file.fingerprint },
    },
  )
}
